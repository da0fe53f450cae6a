// The search index: one row per record and search field, holding that field's terms (search-terms.ts) as a
// tsvector under a GIN index, and the record version they were made from. The write pipeline replaces a record's
// rows in its own transaction; writes that bypass it (seeds, bulk jobs) leave rows missing or at an older version,
// which reindexStale() brings up to date (a scheduled job, and after every seed). Engine-owned tables, like audit.
import type { Knex } from 'knex';
import type pg from 'pg';
import type { EntityDef } from '../metadata/model.js';
import { q } from '../sql/q.js';
import { searchFieldsOf, type SearchField } from './search-fields.js';
import { searchTerms } from './search-terms.js';

export const SEARCH_TABLE = 'tessera_search';
/** Per entity, when its last catch-up began and over which search fields: the next looks only at rows changed since. */
const MARK_TABLE = 'tessera_search_mark';
/** Brings one entity's rows (`{ entity }`), or every searched entity's, up to date with reindexStale(). */
export const SEARCH_REINDEX_JOB = 'search:reindex';

export async function ensureSearchTable(db: Knex): Promise<void> {
  await db.raw(`CREATE TABLE IF NOT EXISTS ${SEARCH_TABLE} (
    entity text NOT NULL, record_id uuid NOT NULL, field text NOT NULL, version integer, terms tsvector NOT NULL,
    PRIMARY KEY (entity, record_id, field))`);
  await db.raw(`CREATE INDEX IF NOT EXISTS ${SEARCH_TABLE}_terms ON ${SEARCH_TABLE} USING gin (terms)`);
  await db.raw(`CREATE TABLE IF NOT EXISTS ${MARK_TABLE} (entity text PRIMARY KEY, fields text NOT NULL, began_at timestamptz NOT NULL)`);
}

/** The terms of each search field of one record, as the JSON the index statement reads. */
function termsJson(fields: readonly SearchField[], record: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(
    Object.fromEntries(fields.map((f) => [f.field, typeof record[f.field] === 'string' ? searchTerms(record[f.field] as string) : []])),
  );
}

/**
 * Writes the index rows of records (`$1` entity, `$2` the rows as JSON: id, version, terms per field). Every search
 * field gets its row, empty or not, so a record's rows come and go together. A version of null marks rows to be
 * made again (their values are not known yet).
 */
export const REPLACE_SEARCH_ROWS = `WITH input AS (
    SELECT r.id::uuid AS id, (r.version)::integer AS version, f.key AS field, f.value AS terms
      FROM jsonb_to_recordset($2::jsonb) AS r(id text, version integer, terms jsonb), jsonb_each(r.terms) f)
  INSERT INTO ${SEARCH_TABLE} (entity, record_id, field, version, terms)
  SELECT $1, i.id, i.field, i.version, array_to_tsvector(ARRAY(SELECT jsonb_array_elements_text(i.terms))) FROM input i
  ON CONFLICT (entity, record_id, field) DO UPDATE SET version = EXCLUDED.version, terms = EXCLUDED.terms`;

export interface IndexedRecord {
  readonly id: string;
  readonly version: number | null;
  readonly values: Readonly<Record<string, unknown>>;
}

/** The parameters of REPLACE_SEARCH_ROWS for these records; undefined when the entity is not searched. */
export function searchRowsParams(entity: EntityDef, records: readonly IndexedRecord[]): [string, string] | undefined {
  const fields = searchFieldsOf(entity);
  if (fields.length === 0) return undefined;
  const rows = records.map((r) => `{"id":${JSON.stringify(r.id)},"version":${r.version ?? 'null'},"terms":${termsJson(fields, r.values)}}`);
  return [entity.name, `[${rows.join(',')}]`];
}

export const DELETE_SEARCH_ROWS = `DELETE FROM ${SEARCH_TABLE} WHERE entity = $1 AND record_id = $2::uuid`;

const BATCH = 2000;
/**
 * How far before the last catch-up's start the next one looks: a write's updated_at is its transaction's start, so a
 * transaction still open at the last catch-up commits rows dated before it. Longer writes around the pipeline (seeds)
 * ask for a full catch-up when they commit.
 */
const IN_FLIGHT_MARGIN = "interval '15 minutes'";

/**
 * Makes the next catch-up of these entities look at every record: for writes around the pipeline whose rows may be
 * dated in the past (demo data) or written over a long transaction (a seed). Runs in the writer's transaction.
 */
export async function forgetSearchMarks(db: Pick<pg.ClientBase, 'query'>, entities: readonly string[]): Promise<void> {
  await db.query(`DELETE FROM ${MARK_TABLE} WHERE entity = ANY($1::text[])`, [entities]);
}

/**
 * Indexes the live records of `entity` whose rows are missing or older than the record, and drops the rows of
 * records gone; returns how many records it indexed. Looks only at records changed since the last catch-up over the
 * same search fields (every write, in or around the pipeline, moves updated_at with the version; seeds forget the
 * marks of what they wrote).
 * Runs in batches, each its own statement pair; `stopping` ends it between batches without its mark (the next run
 * starts over, quickly past what is done).
 */
export async function reindexStale(pool: pg.Pool, entity: EntityDef, stopping: () => boolean = () => false): Promise<number> {
  const fields = searchFieldsOf(entity);
  if (fields.length === 0) return 0;
  const table = q(entity.table);
  const signature = fields.map((f) => `${f.field}:${f.column}`).join(',');
  const { rows: clock } = await pool.query<{ began_at: Date; since: Date | null }>(
    `SELECT clock_timestamp() AS began_at,
            (SELECT m.began_at - ${IN_FLIGHT_MARGIN} FROM ${MARK_TABLE} m WHERE m.entity = $1 AND m.fields = $2) AS since`,
    [entity.name, signature],
  );
  const since = clock[0]?.since ?? null;
  if (since) {
    await pool.query(
      `DELETE FROM ${SEARCH_TABLE} s USING ${table} t
        WHERE s.entity = $1 AND s.record_id = t.id AND t.deleted_at IS NOT NULL AND t.updated_at > $2`,
      [entity.name, since],
    );
  } else {
    await pool.query(
      `DELETE FROM ${SEARCH_TABLE} s WHERE s.entity = $1
         AND NOT EXISTS (SELECT 1 FROM ${table} t WHERE t.id = s.record_id AND t.deleted_at IS NULL)`,
      [entity.name],
    );
  }
  const first = fields[0]?.field ?? '';
  const select = fields.map((f) => `t.${q(f.column)} AS ${q(f.field)}`).join(', ');
  let indexed = 0;
  // Each batch starts after the last id of the one before: a batch that started from the first id again would
  // step over every row indexed so far, and a catch-up of 5,000,000 rows would read them 2,500 times. Which records of
  // a batch are indexed already is asked by their ids within the batch's range of the index's primary key, not by an
  // anti-join: on a table growing by millions of rows the planner's estimates lag, and its plans read every index row
  // of the entity for each batch.
  let after: string | undefined;
  for (;;) {
    const values: unknown[] = [];
    const conditions = ['t.deleted_at IS NULL'];
    if (since) conditions.push(`t.updated_at > $${values.push(since)}`);
    if (after) conditions.push(`t.id > $${values.push(after)}::uuid`);
    const { rows } = await pool.query<Record<string, unknown> & { id: string; version: number }>(
      `SELECT t.id::text AS id, t.version, ${select} FROM ${table} t WHERE ${conditions.join(' AND ')} ORDER BY t.id LIMIT ${BATCH}`,
      values,
    );
    after = rows[rows.length - 1]?.id;
    if (rows.length > 0) {
      const { rows: current } = await pool.query<{ id: string; version: number | null }>(
        `SELECT record_id::text AS id, version FROM ${SEARCH_TABLE}
          WHERE entity = $1 AND field = $2 AND record_id BETWEEN $3::uuid AND $4::uuid AND record_id = ANY($5::uuid[])`,
        [entity.name, first, rows[0]?.id, after, rows.map((r) => r.id)],
      );
      const indexedAt = new Map(current.map((r) => [r.id, r.version]));
      const stale = rows.filter((r) => indexedAt.get(r.id) !== r.version);
      const params =
        stale.length > 0
          ? searchRowsParams(
              entity,
              stale.map((r) => ({ id: r.id, version: r.version, values: r })),
            )
          : undefined;
      if (params) await pool.query(REPLACE_SEARCH_ROWS, params);
      indexed += stale.length;
    }
    if (rows.length < BATCH) break;
    if (stopping()) return indexed;
  }
  await pool.query(
    `INSERT INTO ${MARK_TABLE} (entity, fields, began_at) VALUES ($1, $2, $3)
       ON CONFLICT (entity) DO UPDATE SET fields = EXCLUDED.fields, began_at = EXCLUDED.began_at`,
    [entity.name, signature, clock[0]?.began_at],
  );
  return indexed;
}
