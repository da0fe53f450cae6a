// The one statement that brings an entity's derived fields up to date for a set of rows: every value is
// computed in LATERAL steps (each seeing the ones before), then only rows whose stored values differ are
// written, so the rows it returns are exactly the ones that changed (and whose dependents must follow).
import type { EntityDef } from '../metadata/model.js';
import { q } from '../sql/q.js';
import type { DerivedStep } from './derived-fields.js';

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
