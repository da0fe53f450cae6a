// Opens the database: PostgreSQL from a URL, or the embedded PostgreSQL cluster under the data folder
// (embedded-cluster.ts). Both are the same server software, so every statement runs the same on either.
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import type { Logger } from '../shared/logger.js';
import { startEmbeddedCluster, type EmbeddedCluster } from './embedded-cluster.js';
import { installTypeParsers } from './pg-types.js';

export interface DatabaseOptions {
  /** PostgreSQL URL; absent means embedded. */
  readonly url?: string;
  /** Embedded data folder. */
  readonly dataDir?: string;
  readonly poolSize?: number;
  /** Where the embedded cluster reports; required when no url is given. */
  readonly log?: Logger;
}

export interface Database {
  /** 'embedded' when this process runs the PostgreSQL server itself. */
  readonly kind: 'postgres' | 'embedded';
  /** A URL any Postgres client (Cube, psql) can use. */
  readonly url: string;
  readonly knex: Knex;
  /** The raw pool for hot paths that bypass the query builder. */
  readonly pool: pg.Pool;
  close(): Promise<void>;
}

/** Connects to `url`; `onClose` runs after the pools have ended (the embedded cluster stops there). */
export function connectDatabase(url: string, kind: Database['kind'], poolSize = 10, onClose?: () => Promise<void>): Database {
  installTypeParsers();
  // Sessions run in UTC so timestamps arrive as '...+00' and date arithmetic does not depend on the server.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, options: '-c TimeZone=UTC' });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const knex = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: Math.max(2, Math.floor(poolSize / 2)) } });
  let closed: Promise<void> | undefined;
  return {
    kind,
    url,
    knex,
    pool,
    close() {
      closed ??= (async () => {
        await knex.destroy();
        await pool.end();
        await onClose?.();
      })();
      return closed;
    },
  };
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) return connectDatabase(options.url, 'postgres', options.poolSize);
  if (!options.dataDir || !options.log) throw new Error('openDatabase: the embedded database needs a data folder and a logger');
  const cluster: EmbeddedCluster = await startEmbeddedCluster({ dataDir: options.dataDir, log: options.log });
  return connectDatabase(cluster.url, 'embedded', options.poolSize, () => cluster.stop());
}
