// Opens the database: PostgreSQL from a URL, or embedded PGlite behind a loopback wire-protocol socket,
// so that knex, pg and Cube all speak plain PostgreSQL to either.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { installTypeParsers } from './pg-types.js';
import { pgliteTemplate } from './pglite-template.js';

export interface DatabaseOptions {
  /** PostgreSQL URL; absent means embedded. */
  readonly url?: string;
  /** Embedded data folder; 'memory://' keeps everything in memory (tests). */
  readonly dataDir?: string;
  readonly poolSize?: number;
}

export interface Database {
  readonly kind: 'postgres' | 'embedded';
  /** A URL any Postgres client can use (for embedded: the loopback socket). */
  readonly url: string;
  readonly knex: Knex;
  /** The raw pool for hot paths that bypass the query builder. */
  readonly pool: pg.Pool;
  /**
   * PostgreSQL: write transactions pipeline and hot statements are named (prepared once per connection).
   * Not embedded: PGlite serves every socket connection from one session, where neither is safe.
   */
  readonly pipelined: boolean;
  close(): Promise<void>;
}

/** pglite-socket serves one connection unless told otherwise; pooled clients then fail with ECONNRESET. */
const EMBEDDED_MAX_CONNECTIONS = 32;

interface Embedded {
  url: string;
  stop(): Promise<void>;
}

async function startEmbedded(dataDir: string): Promise<Embedded> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  const fresh = inMemory || !existsSync(join(dataDir, 'PG_VERSION'));
  const db = fresh ? await PGlite.create(dataDir, { loadDataDir: await pgliteTemplate() }) : await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: EMBEDDED_MAX_CONNECTIONS });
  await server.start();
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  installTypeParsers();
  const embedded = options.url ? undefined : await startEmbedded(options.dataDir ?? 'memory://');
  const url = options.url ?? (embedded as Embedded).url;
  const max = Math.min(options.poolSize ?? 10, embedded ? EMBEDDED_MAX_CONNECTIONS - 4 : 1000);
  // Sessions run in UTC so timestamps arrive as '...+00' and date arithmetic does not depend on the server.
  const sessionOptions = embedded ? {} : { options: '-c TimeZone=UTC' };
  const pool = new pg.Pool({ connectionString: url, max, ...sessionOptions });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const knex = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: Math.max(2, Math.floor(max / 2)) } });
  let closed = false;
  return {
    kind: embedded ? 'embedded' : 'postgres',
    url,
    knex,
    pool,
    pipelined: !embedded,
    async close() {
      if (closed) return;
      closed = true;
      await knex.destroy();
      await pool.end();
      await embedded?.stop();
    },
  };
}
