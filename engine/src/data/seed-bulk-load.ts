// Bulk seeding without per-row foreign-key triggers or index upkeep: one set-based check of every foreign key,
// and indexes built once over the loaded tables.
// A trigger looks up the referenced row for each inserted row — 8 lookups for a row with 8 references, so a
// million such rows spent most of a minute there; an anti-join per key checks the same in a fraction of that.
import type pg from 'pg';
import { EngineError } from '../shared/engine-error.js';
import { q } from '../sql/q.js';

/**
 * Turns triggers (foreign-key checks among them) off for the rest of the transaction, when the role may
 * (superusers); returns whether it did. Otherwise the triggers check as usual, only slower.
 */
export async function suspendTriggers(client: pg.ClientBase): Promise<boolean> {
  await client.query('SAVEPOINT seed_triggers');
  try {
    await client.query('SET LOCAL session_replication_role = replica');
    await client.query('RELEASE SAVEPOINT seed_triggers');
    return true;
  } catch {
    // Not allowed for this role: nothing to repair, the checks simply run row by row.
    await client.query('ROLLBACK TO SAVEPOINT seed_triggers');
    return false;
  }
}

interface ForeignKey {
  readonly name: string;
  readonly child: string;
  readonly column: string;
  readonly parent: string;
  readonly parentColumn: string;
}

/** Fails naming the first foreign key of `tables` that a row breaks. */
/**
 * Of `tables`, those this transaction wrote rows into (PostgreSQL's per-transaction counts, which since version 15
 * may also hold the backend's earlier writes not yet flushed: more tables, never fewer): only their references can
 * have broken — unless rows were deleted somewhere, which can orphan any table's, and then all of them.
 */
export async function writtenTables(client: pg.ClientBase, tables: readonly string[]): Promise<string[]> {
  const res = await client.query<{ name: string; deleted: string }>(
    `SELECT relname AS name, n_tup_del AS deleted FROM pg_stat_xact_user_tables
      WHERE schemaname = current_schema() AND n_tup_ins + n_tup_upd + n_tup_del > 0`,
  );
  if (res.rows.some((r) => Number(r.deleted) > 0)) return [...tables];
  const written = new Set(res.rows.map((r) => r.name));
  return tables.filter((t) => written.has(t));
}

export async function verifyForeignKeys(client: pg.ClientBase, tables: readonly string[]): Promise<void> {
  const keys = await client.query<ForeignKey>(
    `SELECT c.conname AS name, cr.relname AS child, a.attname AS column, pr.relname AS parent, af.attname AS "parentColumn"
     FROM pg_constraint c
     JOIN pg_class cr ON cr.oid = c.conrelid JOIN pg_class pr ON pr.oid = c.confrelid
     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
     JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
     WHERE c.contype = 'f' AND cardinality(c.conkey) = 1 AND cr.relname = ANY($1::text[])
       AND cr.relnamespace = current_schema()::regnamespace`,
    [tables],
  );
  for (const k of keys.rows) {
    const broken = await client.query(
      `SELECT 1 FROM ${q(k.child)} c WHERE c.${q(k.column)} IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM ${q(k.parent)} p WHERE p.${q(k.parentColumn)} = c.${q(k.column)}) LIMIT 1`,
    );
    if (broken.rowCount) {
      throw new EngineError('seed.broken_reference', 500, `the demo data breaks ${k.name}: a ${k.child}.${k.column} names no ${k.parent} row`);
    }
  }
}

/**
 * The secondary indexes of `tables` (none that backs a primary key or unique constraint), dropped for a bulk
 * load: building an index once over a full table costs a fraction of maintaining it row by row.
 * Returns their definitions, for rebuildIndexes.
 */
export async function dropSecondaryIndexes(client: pg.ClientBase, tables: readonly string[]): Promise<Map<string, string[]>> {
  // The comment goes with them: it is the tag the schema planner knows its indexes by (schema/ddl.ts).
  const res = await client.query<{ table: string; name: string; def: string; comment: string | null }>(
    `SELECT t.relname AS table, ic.relname AS name, pg_get_indexdef(i.indexrelid) AS def,
       CASE WHEN obj_description(i.indexrelid, 'pg_class') IS NOT NULL
         THEN format('COMMENT ON INDEX %I IS %L', ic.relname, obj_description(i.indexrelid, 'pg_class')) END AS comment
     FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
     WHERE t.relname = ANY($1::text[]) AND t.relnamespace = current_schema()::regnamespace
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
     ORDER BY t.relname, ic.relname`,
    [tables],
  );
  const dropped = new Map<string, string[]>();
  for (const r of res.rows) {
    await client.query(`DROP INDEX ${q(r.name)}`);
    dropped.set(r.table, [...(dropped.get(r.table) ?? []), r.def, ...(r.comment ? [r.comment] : [])]);
  }
  return dropped;
}

/** Builds the dropped indexes (and their comments) again, and forgets them. */
export async function rebuildIndexes(client: pg.ClientBase, dropped: Map<string, string[]>): Promise<void> {
  for (const [table, defs] of [...dropped]) {
    for (const def of defs) await client.query(def);
    dropped.delete(table);
  }
}
