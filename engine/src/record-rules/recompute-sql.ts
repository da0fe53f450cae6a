// The one statement that brings an entity's derived fields up to date for a set of rows: every value is
// computed in LATERAL steps (each seeing the ones before), then only rows whose stored values differ are
// written, so the rows it returns are exactly the ones that changed (and whose dependents must follow).
import type { EntityDef, SqlType } from '../metadata/model.js';
import { q } from '../sql/q.js';
import { sqlLiteral } from '../sql/sql-literal.js';
import { renderType } from '../schema/sql-type.js';
import type { DerivedStep, GroupedTotal } from './derived-fields.js';

/**
 * Given which rows (a condition on `t`) and what to return, the UPDATE statement; `everyRow` writes (and returns)
 * every row, changed or not (a row just inserted, whose full record the write answers with).
 */
export type RecomputeSql = (rows: string, returning: string, everyRow?: boolean) => string;

/**
 * The rows whose ids are the statement's first parameter. `= ANY` rather than `IN (SELECT unnest(...))`: a
 * prepared statement's generic plan keeps the primary-key lookup for it, where the subquery's estimate let it
 * drift to a scan of the whole table as the table grew.
 */
export const ROWS_OF_IDS = 't.id = ANY($1::uuid[])';

/** The derived values as they would be computed now, for one row ($1), without writing them: column c<i> per stored column. */
export function freshValuesSql(entity: EntityDef, steps: readonly DerivedStep[]): string {
  const columns = steps.flatMap((s) => s.columns);
  const laterals = steps.flatMap((s) => s.laterals).join(' ');
  return `SELECT ${columns.map((c, i) => `${c.sql} AS c${i}`).join(', ')} FROM ${q(entity.table)} t ${laterals} WHERE t.id = $1`;
}

export function recomputeSql(entity: EntityDef, steps: readonly DerivedStep[]): RecomputeSql {
  const columns = steps.flatMap((s) => s.columns);
  const laterals = steps.flatMap((s) => s.laterals).join(' ');
  const calc = columns.map((c, i) => `${c.sql} AS c${i}`).join(', ');
  const sets = columns.map((c, i) => `${q(c.column)} = calc.c${i}`).join(', ');
  const stored = columns.map((c) => `t.${q(c.column)}`).join(', ');
  const fresh = columns.map((_, i) => `calc.c${i}`).join(', ');
  const table = q(entity.table);
  return (rows, returning, everyRow = false) =>
    `WITH calc AS (SELECT t.id, ${calc} FROM ${table} t ${laterals} WHERE ${rows} AND t.deleted_at IS NULL) ` +
    `UPDATE ${table} t SET ${sets} FROM calc WHERE t.id = calc.id${everyRow ? '' : ` AND ROW(${stored}) IS DISTINCT FROM ROW(${fresh})`} RETURNING ${returning}`;
}

/**
 * Every live row of the entity brought up to date in one statement, answering how many changed: for a table filled
 * in bulk (demo data), where each rollup is cheaper as one grouped pass over its children than per parent.
 */
export function recomputeEverySql(entity: EntityDef, steps: readonly DerivedStep[]): string {
  const columns = steps.flatMap((s) => s.columns);
  // One grouped pass per child table and foreign key, carrying every rollup's total over those children.
  const groups = new Map<string, GroupedTotal[]>();
  for (const s of steps)
    if (s.wholeTable) groups.set(s.wholeTable.group.alias, [...(groups.get(s.wholeTable.group.alias) ?? []), s.wholeTable.group]);
  const joins = [...groups.entries()].map(([alias, totals]) => {
    const { table, fkColumn } = totals[0] as GroupedTotal;
    const fk = `gc.${q(fkColumn)}`;
    return `LEFT JOIN (SELECT ${fk} AS k, ${totals.map((g) => `${g.sql} AS ${g.name}`).join(', ')} FROM ${q(table)} gc
      WHERE gc.deleted_at IS NULL AND ${fk} IS NOT NULL GROUP BY ${fk}) ${alias} ON ${alias}.k = t.id`;
  });
  const laterals = [...joins, ...steps.flatMap((s) => s.wholeTable?.laterals ?? s.laterals)].join(' ');
  const calc = columns.map((c, i) => `${c.sql} AS c${i}`).join(', ');
  const sets = columns.map((c, i) => `${q(c.column)} = calc.c${i}`).join(', ');
  const stored = columns.map((c) => `t.${q(c.column)}`).join(', ');
  const fresh = columns.map((_, i) => `calc.c${i}`).join(', ');
  const table = q(entity.table);
  return (
    `WITH calc AS (SELECT t.id, ${calc} FROM ${table} t ${laterals} WHERE t.deleted_at IS NULL), ` +
    `changed AS (UPDATE ${table} t SET ${sets} FROM calc WHERE t.id = calc.id AND ROW(${stored}) IS DISTINCT FROM ROW(${fresh}) RETURNING 1) ` +
    `SELECT count(*)::int AS changed FROM changed`
  );
}

/**
 * Given the placeholders of the columns a create sets (by column name) and what to return, an INSERT that
 * stores the row with its derived values computed on the way in: the formulas read the row as it will be
 * stored (unset columns as their defaults), so the create needs no second statement to fill them.
 */
export type InsertWithDerivedSql = (provided: ReadonlyMap<string, string>, returning: string) => string;

/** Placeholders are cast to the column's base type; the INSERT's own assignment checks lengths and scales. */
function baseType(type: SqlType): string {
  return type.base === 'varchar' || type.base === 'char' ? 'text' : type.base === 'numeric' ? 'numeric' : type.base;
}

export function insertWithDerivedSql(entity: EntityDef, steps: readonly DerivedStep[]): InsertWithDerivedSql {
  const derived = steps.flatMap((s) => s.columns);
  const derivedNames = new Set(derived.map((c) => c.column));
  const stored = entity.columns.filter((c) => !derivedNames.has(c.name));
  const laterals = steps.flatMap((s) => s.laterals).join(' ');
  const table = q(entity.table);
  const target = [...stored.map((c) => q(c.name)), ...derived.map((c) => q(c.column))].join(', ');
  const values = [...stored.map((c) => `t.${q(c.name)}`), ...derived.map((c) => c.sql)].join(', ');
  return (provided, returning) => {
    const row = entity.columns.map((c) => {
      const placeholder = provided.get(c.name);
      if (placeholder !== undefined) return `${placeholder}::${baseType(c.type)} AS ${q(c.name)}`;
      const fallback =
        derivedNames.has(c.name) || c.default === undefined ? 'NULL' : c.default.kind === 'now' ? 'now()' : sqlLiteral(c.default.value);
      return `${fallback}::${renderType(c.type)} AS ${q(c.name)}`;
    });
    return `INSERT INTO ${table} (${target}) SELECT ${values} FROM (SELECT ${row.join(', ')}) t ${laterals} RETURNING ${returning}`;
  };
}
