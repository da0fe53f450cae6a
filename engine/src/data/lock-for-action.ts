// The record a plugin action runs on, locked for the action's transaction in one statement: found only within the
// caller's read scope (a 404 otherwise, as for a read), and acted on only within the scope of the grant that gives
// the action (a 403). The action routes call it first thing in the transaction.
import { EngineError } from '../shared/engine-error.js';
import type { Transaction } from '../db/transaction.js';
import { q } from '../sql/q.js';
import { liveAndScoped } from '../query/live-rows.js';
import { SqlParams } from '../sql/sql-params.js';
import type { Access } from '../security/access.js';
import { loadManyToManyIds } from './include-loader.js';
import type { EntityRuntime, ModelRuntime } from './entity-runtime.js';
import type { ApiRecord } from './record-codec.js';
import { stripHidden } from './visible-fields.js';

export interface ActionTarget {
  /** The stored record, every field. */
  readonly before: ApiRecord;
  /** The record as the caller reads it: hidden fields left out, many-to-many ids loaded. */
  readonly seen: ApiRecord;
}

const MAY_ACT = 'tessera_may_act';

export async function lockForAction(
  tx: Transaction, runtime: ModelRuntime, rt: EntityRuntime, id: string, access: Access, action: string,
): Promise<ActionTarget> {
  const params = new SqlParams();
  const idParam = params.add(id, 'uuid');
  const mayAct = liveAndScoped(rt.entity, 't', params, access.scopeFor(action));
  const readable = liveAndScoped(rt.entity, 't', params, access.readScope);
  const res = await tx.query(
    tx.statement(
      `SELECT ${rt.codec.selectList('t').sql}, (${mayAct}) AS ${MAY_ACT} FROM ${q(rt.entity.table)} t
        WHERE t.id = ${idParam} AND ${readable} FOR UPDATE`,
      params.values,
    ),
  );
  const row = res.rows[0] as ApiRecord | undefined;
  // Outside the read scope and absent look the same: a 404 either way.
  if (!row) throw new EngineError('record.not_found', 404, `${rt.entity.name} ${id} does not exist`);
  if (row[MAY_ACT] !== true) throw new EngineError('access.denied', 403, `you may not run ${action} on this ${rt.entity.name}`);
  delete row[MAY_ACT];
  const seen = { ...stripHidden(row, rt, access) };
  await loadManyToManyIds({ pool: tx, runtime, access }, rt.entity, [seen], undefined, []);
  return { before: row, seen };
}
