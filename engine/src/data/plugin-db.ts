// The SQL access plugins get: the write's transaction (or the pool after commit), bound parameters only.
import type { Sql } from '../db/transaction.js';
import type { PluginDb } from '../plugins/plugin-api.js';

export function pluginDb(client: Sql): PluginDb {
  return {
    async query<R extends Record<string, unknown>>(sql: string, params: readonly unknown[] = []) {
      const res = await client.query<R>(sql, [...params]);
      return res.rows;
    },
  };
}
