// Whether a live record lies in a scope (the caller's read or update scope, data/scoped reads' rule), as one
// statement. File routes ask it before a byte is stored or sent: a record outside the scope reads as absent (404).
import type { Sql } from '../db/transaction.js';
import { liveAndScoped } from '../query/live-rows.js';
import type { RecordScope } from '../query/record-scope.js';
import { EngineError } from '../shared/engine-error.js';
import { q } from '../sql/q.js';
import { SqlParams } from '../sql/sql-params.js';
import type { Access, RecordAction } from '../security/access.js';
import type { ModelRuntime } from './entity-runtime.js';

export async function isRecordInScope(db: Sql, runtime: ModelRuntime, entity: string, id: string, scope: RecordScope): Promise<boolean> {
  const rt = runtime.entity(entity);
  const params = new SqlParams();
  const idParam = params.add(id, 'uuid');
  const res = await db.query(
    `SELECT 1 FROM ${q(rt.entity.table)} t WHERE t.id = ${idParam} AND ${liveAndScoped(rt.entity, 't', params, scope)}`,
    params.values,
  );
  return res.rows.length > 0;
}

/** Throws access.denied (403) without the action on the entity, record.not_found (404) outside its scope. */
export async function requireRecordAccess(
  db: Sql,
  runtime: ModelRuntime,
  access: Access,
  entity: string,
  id: string,
  action: RecordAction,
): Promise<void> {
  runtime.entity(entity);
  if (!access.can(entity, action)) throw new EngineError('access.denied', 403, `you may not ${action} ${entity} records`);
  if (!(await isRecordInScope(db, runtime, entity, id, access.scopeFor(action)))) {
    throw new EngineError('record.not_found', 404, `${entity} ${id} does not exist`);
  }
}
