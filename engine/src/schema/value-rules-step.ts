// The plan step for a column whose value rules changed (enum values, lengths, pattern, bounds; see
// ValueRules): it counts the stored rows the new rules would refuse and says what happens to them.
// What the pack says wins: a valueMap rewrites renamed values, a default replaces what still breaks
// (counted, never refused). Without one, the rows are cleared only with --allow-destructive, and a
// required column without a default cannot be applied while such rows exist.
import type { ColumnDef, ValueRules } from '../metadata/model.js';
import { commentOnColumn, renderDefault, rulesSignature } from './ddl.js';
import { sqlLiteral } from '../sql/sql-literal.js';
import { q } from '../sql/q.js';
import type { PlanStep, StepRisk } from './plan.js';

const isArray = (column: ColumnDef): boolean => column.type.base === 'text[]';

/** The column's value after the valueMap, as SQL over `col`. */
function mappedSql(col: string, column: ColumnDef): string {
  const entries = Object.entries(column.valueMap ?? {});
  if (entries.length === 0) return col;
  const cases = (v: string) =>
    `CASE ${v} ${entries.map(([from, to]) => `WHEN ${sqlLiteral(from)} THEN ${sqlLiteral(to)}`).join(' ')} ELSE ${v} END`;
  if (!isArray(column)) return cases(col);
  // Two old values may map to one new value: keep the first occurrence, in the array's order.
  return `ARRAY(SELECT m FROM (SELECT ${cases('u.v')} AS m, min(u.o) AS o FROM unnest(${col}) WITH ORDINALITY AS u(v, o) GROUP BY 1) x ORDER BY x.o)`;
}

/** True for a stored value the rules refuse; values are compared in the column's own type. */
function violationSql(value: string, column: ColumnDef): string | undefined {
  const r = column.rules ?? {};
  const parts: string[] = [];
  if (r.values) {
    const list = r.values.map((v) => sqlLiteral(v)).join(', ');
    parts.push(isArray(column) ? `NOT (${value} <@ ARRAY[${list}]::text[])` : `${value} NOT IN (${list})`);
  }
  if (!isArray(column)) {
    if (r.minLength !== undefined) parts.push(`char_length(${value}) < ${r.minLength}`);
    if (r.maxLength !== undefined) parts.push(`char_length(${value}) > ${r.maxLength}`);
    if (r.pattern !== undefined) parts.push(`${value} !~ ${sqlLiteral(r.pattern)}`);
    // An untyped literal takes the column's type: decimals compare exactly, instants as instants.
    if (r.min !== undefined) parts.push(`${value} < ${sqlLiteral(r.min)}`);
    if (r.max !== undefined) parts.push(`${value} > ${sqlLiteral(r.max)}`);
  }
  return parts.length ? `${value} IS NOT NULL AND (${parts.join(' OR ')})` : undefined;
}

/** Every old value becomes one the new rules allow? Only then may the count be skipped. */
function isWidening(before: ValueRules, after: ValueRules): boolean {
  const wider = <T>(a: T | undefined, b: T | undefined, ok: (a: T, b: T) => boolean) => b === undefined || (a !== undefined && ok(a, b));
  return (
    wider(before.values, after.values, (a, b) => a.every((v) => b.includes(v))) &&
    wider(before.minLength, after.minLength, (a, b) => b <= a) &&
    wider(before.maxLength, after.maxLength, (a, b) => b >= a) &&
    wider(before.pattern, after.pattern, (a, b) => a === b) &&
    wider(before.min, after.min, (a, b) => a === b) &&
    wider(before.max, after.max, (a, b) => a === b)
  );
}

export interface LiveColumn {
  readonly table: string;
  readonly column: string;
  /** The rules the column was last applied with, when its tag records them. */
  readonly rules?: string;
}

/**
 * The step for `column` (on `table`, as it will be named) when its rules differ from the live tag's,
 * or undefined when nothing changed. `comparable`: false when the column's type is being converted,
 * so values cannot be compared in the new type before the conversion.
 */
export function valueRulesStep(table: string, column: ColumnDef, live: LiveColumn, comparable: boolean): PlanStep | undefined {
  const signature = rulesSignature(column.rules);
  // A valueMap stays in the pack after it was applied; it only acts when the rules change.
  if (signature === live.rules) return undefined;
  const t = q(table);
  const col = q(column.name);
  const comment = commentOnColumn(table, column);
  const before = live.rules === undefined ? undefined : (JSON.parse(live.rules) as ValueRules);
  const mapSql =
    comparable && Object.keys(column.valueMap ?? {}).length > 0
      ? [`UPDATE ${t} SET ${col} = ${mappedSql(col, column)} WHERE ${mappedSql(col, column)} IS DISTINCT FROM ${col}`]
      : [];
  const mapped = mapSql.length ? ' (renamed values mapped)' : '';
  // Counts run before any step: they read the live names and apply the valueMap themselves.
  const breaksNow =
    comparable && !(before && isWidening(before, column.rules ?? {})) ? violationSql(mappedSql(q(live.column), column), column) : undefined;
  const breaks = violationSql(col, column);
  if (!breaksNow || !breaks) {
    return { op: 'checkValues', table, summary: `record the value rules of ${table}.${column.name}${mapped}`, sql: [...mapSql, comment] };
  }
  const countSql = `SELECT count(*) AS count FROM ${q(live.table)} WHERE ${breaksNow}`;
  let fix: string[];
  let risk: StepRisk;
  let outcome: string;
  if (column.default) {
    fix = [`UPDATE ${t} SET ${col} = ${renderDefault(column.default)} WHERE ${breaks}`];
    risk = { kind: 'rewritesRows', reason: 'stored values the new rules refuse are given the field default', countSql };
    outcome = 'they get the default';
  } else if (column.nullable) {
    fix = [`UPDATE ${t} SET ${col} = NULL WHERE ${breaks}`];
    risk = {
      kind: 'destructiveIfRows',
      reason: 'stored values the new rules refuse would be cleared (give the field a default or a valueMap to keep them)',
      countSql,
    };
    outcome = 'they are cleared';
  } else {
    fix = [];
    risk = {
      kind: 'blockedIfRows',
      reason: 'stored values the new rules refuse exist, and the required field has no default to replace them',
      countSql,
    };
    outcome = 'blocked while any exist';
  }
  return {
    op: 'checkValues',
    table,
    summary: `check stored values of ${table}.${column.name} against its new rules${mapped}: ${outcome}`,
    sql: [...mapSql, ...fix, comment],
    risk,
  };
}
