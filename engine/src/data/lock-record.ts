// The stored record, locked for the rest of the transaction, if it lies within a scope; undefined otherwise.
// Writes and plugin actions lock before they act, so a concurrent change waits and then sees the new version.
import type { Sql } from '../db/transaction.js';
import { q } from '../sql/q.js';
import { liveAndScoped } from '../query/live-rows.js';
import type { RecordScope } from '../query/record-scope.js';
import { SqlParams } from '../sql/sql-params.js';
import type { EntityRuntime } from './entity-runtime.js';
import type { ApiRecord } from './record-codec.js';

export async function lockRecord(client: Sql, rt: EntityRuntime, id: string, scope: RecordScope): Promise<ApiRecord | undefined> {
  const params = new SqlParams();
  const idParam = params.add(id, 'uuid');
  const res = await client.query(
    `SELECT ${rt.codec.selectList('t').sql} FROM ${q(rt.entity.table)} t
      WHERE t.id = ${idParam} AND ${liveAndScoped(rt.entity, 't', params, scope)} FOR UPDATE`, params.values);
  return res.rows[0] as ApiRecord | undefined;
}
