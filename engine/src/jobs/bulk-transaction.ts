// The transaction a plugin job's bulk work runs in (plugin-jobs.ts hands it out): one pooled connection, BEGIN,
// the work, COMMIT — or ROLLBACK and the job fails (the queue retries it), leaving nothing half written.
import type pg from 'pg';
import type { ModelRuntime } from '../data/entity-runtime.js';
import { recomputeInTransaction } from '../data/recompute-in-transaction.js';
import { drawSeedNumbers } from '../data/seed-numbers.js';
import type { BulkWork } from '../plugins/plugin-api.js';

export async function bulkTransaction<T>(pool: pg.Pool, runtime: ModelRuntime, work: (tx: BulkWork) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const now = new Date();
    const tx: BulkWork = {
      db: {
        query: async <R extends Record<string, unknown>>(sql: string, params?: readonly unknown[]) =>
          (await client.query<R>(sql, params ? [...params] : undefined)).rows,
        execute: async (sql, params) => (await client.query(sql, params ? [...params] : undefined)).rowCount ?? 0,
      },
      drawNumbers: (entity, field, count) => drawSeedNumbers(client, runtime, entity, field, count, now),
      recompute: (entity) => recomputeInTransaction(client, runtime, entity),
    };
    const result = await work(tx);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}
