// A fresh, empty database per test file, on the PostgreSQL of DATABASE_URL or, when it is unset, on the
// embedded PostgreSQL cluster that the global setup (embedded-cluster-setup.ts) started the way `npm start`
// does. The same tests run on both.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { connectDatabase, type Database } from '../../engine/src/db/database.js';

export interface TestDatabase extends Database {
  /** Drops the database. */
  dispose(): Promise<void>;
}

export const testDatabaseKind: Database['kind'] = process.env.DATABASE_URL ? 'postgres' : 'embedded';

/** The server every test database is created on. */
export function serverUrl(): string {
  return process.env.DATABASE_URL ?? inject('embeddedDatabaseUrl');
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const baseUrl = serverUrl();
  const name = `tessera_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const db = connectDatabase(url.toString(), testDatabaseKind);
  return {
    ...db,
    close: db.close,
    async dispose() {
      await db.close();
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
