// The history table: one row per applied Model version. It is Tessera's own table, outside any plan.
import type { Knex } from 'knex';
import type pg from 'pg';
import type { Model } from '../metadata/model.js';
import type { PublishedModel } from '../metadata/model-holder.js';
import { deepFreeze } from '../shared/deep-freeze.js';

export const HISTORY_TABLE = 'tessera_schema_history';

export interface HistoryRow {
  version: number;
  hash: string;
  applied_at: string;
  applied_by: string;
  packs: Array<{ name: string; version: string }>;
  plan: Array<{ op: string; summary: string; sql: string[]; rows?: number }>;
}

export async function ensureHistoryTable(db: Knex | Knex.Transaction): Promise<void> {
  await db.raw(`
    CREATE TABLE IF NOT EXISTS ${HISTORY_TABLE} (
      version integer PRIMARY KEY,
      hash text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      applied_by text NOT NULL,
      packs jsonb NOT NULL,
      plan jsonb NOT NULL,
      model jsonb NOT NULL
    )`);
}

export async function latestVersion(db: Knex | Knex.Transaction): Promise<Omit<HistoryRow, 'plan'> | undefined> {
  const exists = await db.raw<{ rows: Array<{ t: string | null }> }>(`SELECT to_regclass(?) AS t`, [HISTORY_TABLE]);
  if (!exists.rows[0]?.t) return undefined;
  const res = await db.raw<{ rows: Array<Omit<HistoryRow, 'plan'>> }>(
    `SELECT version, hash, applied_at, applied_by, packs FROM ${HISTORY_TABLE} ORDER BY version DESC LIMIT 1`,
  );
  return res.rows[0];
}

export async function listHistory(db: Knex | Knex.Transaction): Promise<HistoryRow[]> {
  const res = await db.raw<{ rows: HistoryRow[] }>(
    `SELECT version, hash, applied_at, applied_by, packs, plan FROM ${HISTORY_TABLE} ORDER BY version`,
  );
  return res.rows;
}

/** Every published Model, newest first, read one at a time (each row holds a whole Model). */
export async function* publishedModelsNewestFirst(pool: pg.Pool): AsyncGenerator<PublishedModel> {
  const exists = await pool.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [HISTORY_TABLE]);
  if (!exists.rows[0]?.t) return;
  for (let below = 2 ** 31 - 1; ;) {
    const res = await pool.query<{ version: number; model: Model }>(
      `SELECT version, model FROM ${HISTORY_TABLE} WHERE version < $1 ORDER BY version DESC LIMIT 1`,
      [below],
    );
    const row = res.rows[0];
    if (!row) return;
    yield { model: deepFreeze(row.model), version: row.version };
    below = row.version;
  }
}
