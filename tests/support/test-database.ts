// A fresh, empty database per test file: a new PostgreSQL database when DATABASE_URL is set,
// otherwise an in-memory embedded PGlite. The same tests run on both.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../engine/src/db/database.js';

export interface TestDatabase extends Database {
  /** Drops the database (PostgreSQL) or stops PGlite. */
  dispose(): Promise<void>;
}

export const testDatabaseKind = process.env.DATABASE_URL ? 'postgres' : 'embedded';

export async function createTestDatabase(): Promise<TestDatabase> {
  const baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) {
    const db = await openDatabase({ dataDir: 'memory://' });
    return { ...db, close: db.close, dispose: db.close };
  }
  const name = `tessera_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString() });
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
