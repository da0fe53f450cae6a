// Recomputes an entity's derived fields (computed, rollups, scores) for every live record, set-based, after a
// rule changed: batches of ids in key order, each batch one statement in its own transaction with the
// records depending on it, so a million rows never make one long transaction. `tessera rescore <entity>` and
// POST /api/admin/rules/<entity>/recompute call it (the jobs issue will schedule it).
import type pg from 'pg';
import { q } from '../sql/q.js';
import { withTransaction } from '../db/transaction.js';
import { EngineError } from '../shared/engine-error.js';
import { IDS_PARAM } from '../record-rules/recompute-sql.js';
import { cascadeDerived, derivedError } from './derived-cascade.js';
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
  const rt = runtime.entity(entityName);
  const recompute = rt.rules.recompute;
  if (recompute === undefined) {
    throw new EngineError('rules.nothing_to_recompute', 404, `${entityName} has no computed, rollup or score fields`);
  }
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
      let rows: string[];
      try {
        rows = (await tx.query<{ id: string }>(tx.statement(recompute(IDS_PARAM, 't.id'), [ids]))).rows.map((r) => r.id);
      } catch (err) {
        throw derivedError(err);
      }
      if (rows.length > 0) await cascadeDerived({ tx, runtime, entity: entityName, ids: rows, changed: rt.rules.derived });
      return rows;
    });
    records += ids.length;
    changed += changedIds.length;
    onBatch?.({ records, changed });
  }
  return { records, changed };
}
