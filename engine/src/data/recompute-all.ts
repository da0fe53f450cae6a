// Recomputes an entity's derived fields (computed, rollups, scores) for every live record, set-based, after a
// rule changed: batches of ids in key order, each batch one statement in its own transaction, so a million rows
// never make one long transaction; then every entity whose derived values read this one's, whole, once (per
// batch, a parent with a thousand children would be summed a thousand times over). `tessera rescore <entity>` and
// POST /api/admin/rules/<entity>/recompute call it (the jobs issue will schedule it).
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

export async function recomputeAll(
  pool: pg.Pool,
  runtime: ModelRuntime,
  entityName: string,
  onBatch?: (done: RecomputeResult) => void,
): Promise<RecomputeResult> {
  if (runtime.entity(entityName).rules.recompute === undefined) {
    throw new EngineError('rules.nothing_to_recompute', 404, `${entityName} has no computed, rollup or score fields`);
  }
  const result = await recomputeRows(pool, runtime, entityName, onBatch);
  for (const name of recomputeOrder(runtime, entityName).slice(1)) await recomputeRows(pool, runtime, name);
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

async function recomputeRows(
  pool: pg.Pool,
  runtime: ModelRuntime,
  entityName: string,
  onBatch?: (done: RecomputeResult) => void,
): Promise<RecomputeResult> {
  const rt = runtime.entity(entityName);
  const recompute = rt.rules.recompute;
  if (recompute === undefined) return { records: 0, changed: 0 };
  const table = q(rt.entity.table);
  let records = 0;
  let changed = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const batch = await pool.query<{ id: string }>(
      `SELECT id FROM ${table} WHERE id > $1 AND deleted_at IS NULL ORDER BY id LIMIT ${BATCH}`,
      [after],
    );
    if (batch.rows.length === 0) break;
    const ids = batch.rows.map((r) => r.id);
    after = ids[ids.length - 1] ?? after;
    const changedIds = await withTransaction(pool, async (tx) => {
      try {
        return (await tx.query<{ id: string }>(tx.statement(recompute(ROWS_OF_IDS, 't.id'), [ids]))).rows.map((r) => r.id);
      } catch (err) {
        throw derivedError(err);
      }
    });
    records += ids.length;
    changed += changedIds.length;
    onBatch?.({ records, changed });
  }
  return { records, changed };
}
