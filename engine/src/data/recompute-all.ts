// Recomputes an entity's derived fields (computed, rollups, scores) for every live record, set-based, after a
// rule changed: batches of ids in key order, each batch one statement in its own transaction (so a million rows
// never make one long transaction), batches side by side on the cores; then every entity whose derived values read
// this one's, whole, once (per batch, a parent with a thousand children would be summed a thousand times over). `tessera rescore <entity>` and
// POST /api/admin/rules/<entity>/recompute call it (the jobs issue will schedule it).
import { availableParallelism } from 'node:os';
import type pg from 'pg';
import { q } from '../sql/q.js';
import { withTransaction } from '../db/transaction.js';
import { EngineError } from '../shared/engine-error.js';
import { ROWS_OF_IDS } from '../record-rules/recompute-sql.js';
import { derivedError } from './derived-cascade.js';
import type { ModelRuntime } from './entity-runtime.js';

export interface RecomputeResult {
  /** Live records looked at. */
  readonly records: number;
  /** Records whose stored values changed. */
  readonly changed: number;
}

const BATCH = 20_000;

export interface RecomputeOptions {
  readonly onBatch?: (done: RecomputeResult) => void;
  /** Rows per batch (tests make it small to run several batches side by side). */
  readonly batchSize?: number;
}

export async function recomputeAll(pool: pg.Pool, runtime: ModelRuntime, entityName: string, options: RecomputeOptions = {}): Promise<RecomputeResult> {
  if (runtime.entity(entityName).rules.recompute === undefined) {
    throw new EngineError('rules.nothing_to_recompute', 404, `${entityName} has no computed, rollup or score fields`);
  }
  const batch = options.batchSize ?? BATCH;
  const result = await recomputeRows(pool, runtime, entityName, batch, options.onBatch);
  for (const name of recomputeOrder(runtime, entityName).slice(1)) await recomputeRows(pool, runtime, name, batch);
  return result;
}

/**
 * The entity, then every entity whose derived values read it, each after everything it reads (a topological order
 * of the acyclic dependency graph).
 */
export function recomputeOrder(runtime: ModelRuntime, entityName: string): string[] {
  const seen = new Set<string>();
  const order: string[] = [];
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const edge of runtime.entity(name).rules.dependents) visit(edge.entity);
    order.push(name);
  };
  visit(entityName);
  return order.reverse();
}

/**
 * Each batch is a contiguous run of ids, one statement in its own transaction; batches run side by side, one per
 * core (they update disjoint rows and only read others, so they neither wait for nor deadlock each other).
 */
async function recomputeRows(
  pool: pg.Pool,
  runtime: ModelRuntime,
  entityName: string,
  batchSize: number,
  onBatch?: (done: RecomputeResult) => void,
): Promise<RecomputeResult> {
  const rt = runtime.entity(entityName);
  const recompute = rt.rules.recompute;
  if (recompute === undefined) return { records: 0, changed: 0 };
  const table = q(rt.entity.table);
  // The first id of every batch, in one pass over the primary key.
  const starts = (
    await pool.query<{ id: string }>(
      `SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM ${table} WHERE deleted_at IS NULL) s
        WHERE n % $1 = 1 ORDER BY id`,
      [batchSize],
    )
  ).rows.map((r) => r.id);
  let records = 0;
  let changed = 0;
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < starts.length && !failed) {
      const i = next++;
      const from = starts[i] as string;
      const to = starts[i + 1];
      const bounds = to === undefined ? [from] : [from, to];
      const batch = await pool.query<{ id: string }>(
        `SELECT id FROM ${table} WHERE id >= $1 ${to === undefined ? '' : 'AND id < $2'} AND deleted_at IS NULL`,
        bounds,
      );
      const ids = batch.rows.map((r) => r.id);
      const changedIds = await withTransaction(pool, async (tx) => {
        try {
          return (await tx.query<{ id: string }>(tx.statement(recompute(ROWS_OF_IDS, 't.id'), [ids]))).rows.map((r) => r.id);
        } catch (err) {
          failed = true;
          throw derivedError(err);
        }
      });
      records += ids.length;
      changed += changedIds.length;
      onBatch?.({ records, changed });
    }
  };
  const lanes = Math.max(1, Math.min(availableParallelism(), starts.length, 4));
  await Promise.all(Array.from({ length: lanes }, worker));
  return { records, changed };
}
