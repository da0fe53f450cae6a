// Reads the live catalog of one PostgreSQL schema: tables, columns, indexes, foreign keys and Tessera's tags.
import type { Knex } from 'knex';
import { parseTag, type Catalog, type CatalogForeignKey, type CatalogTable } from './catalog.js';
import { parseType } from './sql-type.js';

interface ColumnRow {
  table_name: string;
  table_comment: string | null;
  column_name: string | null;
  type: string | null;
  not_null: boolean | null;
  comment: string | null;
}
interface IndexRow {
  table_name: string;
  index_name: string;
  comment: string | null;
}
interface ForeignKeyRow {
  table_name: string;
  name: string;
  column_name: string;
  ref_table: string;
  on_delete: string;
}

const ON_DELETE: Record<string, CatalogForeignKey['onDelete']> = {
  r: 'restrict',
  c: 'cascade',
  n: 'setNull',
  a: 'noAction',
  d: 'setDefault',
};

export async function introspectCatalog(db: Knex | Knex.Transaction, schema = 'public'): Promise<Catalog> {
  const columns = await db.raw<{ rows: ColumnRow[] }>(
    `
    SELECT c.relname AS table_name, obj_description(c.oid, 'pg_class') AS table_comment,
           a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
           col_description(c.oid, a.attnum) AS comment
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
     WHERE n.nspname = ? AND c.relkind IN ('r', 'p')
     ORDER BY c.relname, a.attnum`,
    [schema],
  );
  const indexes = await db.raw<{ rows: IndexRow[] }>(
    `
    SELECT t.relname AS table_name, i.relname AS index_name, obj_description(i.oid, 'pg_class') AS comment
      FROM pg_index x
      JOIN pg_class i ON i.oid = x.indexrelid
      JOIN pg_class t ON t.oid = x.indrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE n.nspname = ? AND NOT x.indisprimary`,
    [schema],
  );
  const fks = await db.raw<{ rows: ForeignKeyRow[] }>(
    `
    SELECT t.relname AS table_name, con.conname AS name, a.attname AS column_name, r.relname AS ref_table,
           con.confdeltype AS on_delete
      FROM pg_constraint con
      JOIN pg_class t ON t.oid = con.conrelid
      JOIN pg_class r ON r.oid = con.confrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = con.conkey[1]
     WHERE n.nspname = ? AND con.contype = 'f' AND array_length(con.conkey, 1) = 1`,
    [schema],
  );
  const tables = new Map<
    string,
    {
      tag: CatalogTable['tag'];
      columns: CatalogTable['columns'][number][];
      indexes: CatalogTable['indexes'][number][];
      foreignKeys: CatalogForeignKey[];
    }
  >();
  for (const row of columns.rows) {
    let t = tables.get(row.table_name);
    if (!t) {
      const tag = parseTag(row.table_comment);
      t = { tag, columns: [], indexes: [], foreignKeys: [] };
      tables.set(row.table_name, t);
    }
    if (row.column_name && row.type) {
      const tag = parseTag(row.comment);
      t.columns.push({ name: row.column_name, type: parseType(row.type), nullable: !row.not_null, ...(tag ? { tag } : {}) });
    }
  }
  for (const row of indexes.rows) {
    const tag = parseTag(row.comment);
    tables.get(row.table_name)?.indexes.push({ name: row.index_name, ...(tag ? { tag } : {}) });
  }
  for (const row of fks.rows) {
    tables.get(row.table_name)?.foreignKeys.push({
      name: row.name,
      column: row.column_name,
      refTable: row.ref_table,
      onDelete: ON_DELETE[row.on_delete] ?? 'noAction',
    });
  }
  return {
    tables: [...tables.entries()].map(([name, t]) => ({
      name,
      ...(t.tag ? { tag: t.tag } : {}),
      columns: t.columns,
      indexes: t.indexes,
      foreignKeys: t.foreignKeys,
    })),
  };
}
