// Computed, rollup and score fields compiled to the LATERAL steps of one recompute statement over a row `t`
// (see recompute-sql.ts): each step sees the values of the steps before it, so a rollup can feed a computed
// field and a computed field a score. Problems are reported with pointers into the field's pack file.
import { kindOf, type FieldKindRegistry, type OperandType } from '../metadata/field-kinds.js';
import type { EntityDef, FieldDef, Model } from '../metadata/model.js';
import { compileConditionSql, compileExpressionSql } from '../rules/compile-condition-sql.js';
import type { OperatorRegistry } from '../rules/operator-registry.js';
import { isExpression } from '../rules/parse-expression.js';
import { isEngineError, problemsOf } from '../shared/engine-error.js';
import { q } from '../sql/q.js';
import { sqlLiteral } from '../sql/sql-literal.js';
import { derivedCast } from './derived-cast.js';
import { ruleScope, type ReadPath } from './rule-scope.js';

export interface RuleEnv {
  readonly model: Model;
  readonly kinds: FieldKindRegistry;
  readonly operators: OperatorRegistry;
  readonly operatorsFor: (kind: string) => readonly string[];
}

/** A problem at a pointer below the field (`/computed/*`), with the rule that broke. */
export interface FieldProblem {
  readonly pointer: string;
  readonly rule: string;
  readonly message: string;
}

/** What one derived field adds to the recompute statement. */
export interface DerivedStep {
  readonly laterals: readonly string[];
  /**
   * The same step for a recompute of the whole table, where it differs: a rollup's total comes from one grouped
   * pass over its children (shared by every rollup over the same children: `group`), joined to the parents, rather
   * than from summing each parent's children in turn.
   */
  readonly wholeTable?: { readonly group: GroupedTotal; readonly laterals: readonly string[] };
  /** Stored columns and the SQL of their new values. */
  readonly columns: ReadonlyArray<{ readonly column: string; readonly sql: string }>;
  /** How later steps read this field's value: by field name, and `field.part` for parts. */
  readonly refs: ReadonlyArray<readonly [string, string]>;
}

/** One total of a grouped pass over a child table: `sql` reads the child as `gc`; the join is named `alias`. */
export interface GroupedTotal {
  readonly alias: string;
  readonly table: string;
  readonly fkColumn: string;
  readonly sql: string;
  readonly name: string;
}

/** A rollup's link to its children, for the writes that must recompute it. */
export interface RollupLink {
  readonly child: string;
  readonly fkField: string;
  readonly fkColumn: string;
  /** Child fields the value depends on (the aggregated one and the filter's). */
  readonly childFields: readonly string[];
}

export interface CompiledDerived {
  readonly field: FieldDef;
  readonly reads: readonly ReadPath[];
  readonly rollup?: RollupLink;
  readonly step: DerivedStep;
}

type Report = (problem: FieldProblem) => void;

/** Which values a field of each operand type may take. */
export const ACCEPTS: Partial<Record<OperandType, readonly OperandType[]>> = {
  integer: ['integer'],
  decimal: ['integer', 'decimal'],
  text: ['text', 'enum'],
  date: ['date'],
  datetime: ['datetime'],
  boolean: ['boolean'],
};

/** Turns a parser's EngineError into problems under `at`; other errors are bugs and propagate. */
/**
 * A stored value may read the clock (today()) only where a schedule recomputes it (the entity's
 * recomputeSchedule); elsewhere it would go stale silently. Rollups belong to the parent entity.
 */
function readsClock(entity: EntityDef): { allowVolatile: boolean } {
  return { allowVolatile: entity.recomputeSchedule !== undefined };
}

export function catching<T>(at: string, report: Report, compile: () => T): T | undefined {
  try {
    return compile();
  } catch (err) {
    if (!isEngineError(err)) throw err;
    const found = problemsOf(err);
    for (const e of found) report({ pointer: at + e.pointer, rule: e.code, message: e.message });
    return undefined;
  }
}

const NOT_WITH_DERIVED = ['default', 'required', 'min', 'max', 'pattern', 'minLength'] as const;

/** A field with parts (money's amount and currency): one formula per part, `{"amount": ..., "currency": ...}`. */
function compileParts(
  env: RuleEnv,
  entity: EntityDef,
  field: FieldDef,
  computed: ReadonlyMap<string, string>,
  n: number,
  report: Report,
): CompiledDerived | undefined {
  const parts = Object.entries(kindOf(env.kinds, field).subPaths ?? {});
  const spec = field.computed;
  const formulas = typeof spec === 'object' && spec !== null && !Array.isArray(spec) ? (spec as Record<string, unknown>) : {};
  if (Object.keys(formulas).length !== parts.length || !parts.every(([name]) => Object.hasOwn(formulas, name))) {
    report({
      pointer: '/computed',
      rule: 'rules.computed_parts',
      message: `a ${field.kind} field is computed part by part: {${parts.map(([name]) => `"${name}": ...`).join(', ')}}`,
    });
    return undefined;
  }
  const scope = ruleScope({ ...env, entity, computed, allowCollections: false });
  const raws: string[] = [];
  const casts: string[] = [];
  const columns: Array<{ column: string; sql: string }> = [];
  const refs: Array<[string, string]> = [];
  for (const [i, [name, part]] of parts.entries()) {
    const column = field.columns[part.column];
    const compiled = catching(`/computed/${name}`, report, () =>
      compileExpressionSql(formulas[name], scope.context, env.operators, readsClock(entity)),
    );
    if (!column || compiled === undefined) return undefined;
    if (!(ACCEPTS[part.operand] ?? []).includes(compiled.type)) {
      report({
        pointer: `/computed/${name}`,
        rule: 'rules.type_mismatch',
        message: `'${name}' needs a ${part.operand} value, not ${compiled.type}`,
      });
      return undefined;
    }
    raws.push(`CROSS JOIN LATERAL (SELECT ${compiled.sql} AS raw OFFSET 0) r${n}_${i}`);
    casts.push(derivedCast(`r${n}_${i}.raw`, column.type, `${entity.name}.${field.name}`, column.rules?.values));
    columns.push({ column: column.name, sql: `d${n}.v${i}` });
    refs.push([`${field.name}.${name}`, `d${n}.v${i}`]);
  }
  // A value is whole or absent, as the API reads it: a part without a value leaves the others out too.
  const missing = parts.map((_, i) => `r${n}_${i}.raw IS NULL`).join(' OR ');
  const values = casts.map((cast, i) => `CASE WHEN ${missing} THEN NULL ELSE ${cast} END AS v${i}`).join(', ');
  return { field, reads: scope.reads, step: { laterals: [...raws, `CROSS JOIN LATERAL (SELECT ${values}) d${n}`], columns, refs } };
}

function compileComputed(
  env: RuleEnv,
  entity: EntityDef,
  field: FieldDef,
  computed: ReadonlyMap<string, string>,
  n: number,
  report: Report,
): CompiledDerived | undefined {
  if (kindOf(env.kinds, field).subPaths !== undefined) return compileParts(env, entity, field, computed, n, report);
  const scope = ruleScope({ ...env, entity, computed, allowCollections: false });
  const operand = kindOf(env.kinds, field).operand;
  const expr = field.computed;
  // A boolean field may be computed from a condition ({">": [...]}), which is then never null.
  const asCondition = operand === 'boolean' && expr !== null && typeof expr === 'object' && !isExpression(expr, env.operators);
  const compiled = catching('/computed', report, () =>
    asCondition
      ? {
          sql: `COALESCE(${compileConditionSql(expr, scope.context, env.operators, readsClock(entity))}, false)`,
          type: 'boolean' as const,
        }
      : compileExpressionSql(expr, scope.context, env.operators, readsClock(entity)),
  );
  if (compiled === undefined) return undefined;
  if (!(ACCEPTS[operand] ?? []).includes(compiled.type)) {
    report({
      pointer: '/computed',
      rule: 'rules.type_mismatch',
      message: `the formula gives a ${compiled.type} value; a ${field.kind} field needs ${(ACCEPTS[operand] ?? []).join(' or ') || 'a value of its own kind'}`,
    });
    return undefined;
  }
  return { field, reads: scope.reads, step: single(field, compiled.sql, entity, n) };
}

/** One stored column: the raw value in one lateral, the checked and cast value in the next. */
function single(field: FieldDef, raw: string, entity: EntityDef, n: number): DerivedStep {
  const column = field.columns[0];
  if (column === undefined) throw new Error(`derived field ${entity.name}.${field.name} has no column`);
  const value = `d${n}.v`;
  return {
    laterals: [
      // OFFSET 0 keeps the planner from inlining the lateral into each use: the raw value is computed once.
      `CROSS JOIN LATERAL (SELECT ${raw} AS raw OFFSET 0) r${n}`,
      `CROSS JOIN LATERAL (SELECT ${derivedCast(`r${n}.raw`, column.type, `${entity.name}.${field.name}`, column.rules?.values)} AS v) d${n}`,
    ],
    columns: [{ column: column.name, sql: value }],
    refs: [[field.name, value]],
  };
}

const AGGREGATE_SQL = {
  count: () => 'count(*)',
  sum: (c: string) => `COALESCE(sum(${c}), 0)`,
  avg: (c: string) => `avg(${c})`,
  min: (c: string) => `min(${c})`,
  max: (c: string) => `max(${c})`,
} as const;

/** The same aggregates over one grouped pass, each over its own children (FILTER) of the parent's group. */
const GROUPED_SQL = {
  count: (_: string, f: string) => `count(*) FILTER (WHERE ${f})`,
  sum: (c: string, f: string) => `sum(${c}) FILTER (WHERE ${f})`,
  avg: (c: string, f: string) => `avg(${c}) FILTER (WHERE ${f})`,
  min: (c: string, f: string) => `min(${c}) FILTER (WHERE ${f})`,
  max: (c: string, f: string) => `max(${c}) FILTER (WHERE ${f})`,
} as const;

function compileRollup(env: RuleEnv, entity: EntityDef, field: FieldDef, n: number, report: Report): CompiledDerived | undefined {
  const spec = field.rollup;
  if (spec === undefined) return undefined;
  const inverse = entity.inverses.find((i) => i.name === spec.relation && i.kind === 'hasMany');
  const child = inverse ? env.model.entitiesByName[inverse.sourceEntity] : undefined;
  const fk = child?.fields.find((f) => f.name === inverse?.sourceField);
  const fkColumn = fk?.columns[0]?.name;
  if (!inverse || !child || !fk || !fkColumn) {
    const known = entity.inverses.filter((i) => i.kind === 'hasMany').map((i) => i.name);
    report({
      pointer: '/rollup/relation',
      rule: 'rules.unknown_relation',
      message: `'${spec.relation}' is not a hasMany relation of ${entity.name}${known.length ? ` (it has ${known.join(', ')})` : ''}`,
    });
    return undefined;
  }
  const c = `c${n}`;
  let valueSql = '';
  let valueType: OperandType = 'integer';
  const childFields: string[] = [fk.name];
  if (spec.aggregate !== 'count') {
    const target = spec.field === undefined ? undefined : child.fields.find((f) => f.name === spec.field);
    const kind = target ? kindOf(env.kinds, target) : undefined;
    const allowed: readonly OperandType[] =
      spec.aggregate === 'sum' || spec.aggregate === 'avg' ? ['integer', 'decimal'] : ['integer', 'decimal', 'date', 'datetime'];
    if (!target || !kind || target.columns.length !== 1 || kind.subPaths || !allowed.includes(kind.operand)) {
      report({
        pointer: spec.field === undefined ? '/rollup' : '/rollup/field',
        rule: 'rules.invalid_rollup_field',
        message: `${spec.aggregate} needs a ${allowed.join(', ')} field of ${child.name}${spec.field === undefined ? '' : `; '${spec.field}' is not one`}`,
      });
      return undefined;
    }
    valueSql = `${c}.${q(target.columns[0]?.name ?? target.name)}`;
    valueType = spec.aggregate === 'avg' ? 'decimal' : kind.operand;
    childFields.push(target.name);
  }
  const operand = kindOf(env.kinds, field).operand;
  if (!(ACCEPTS[operand] ?? []).includes(valueType)) {
    report({
      pointer: '/rollup/aggregate',
      rule: 'rules.type_mismatch',
      message: `${spec.aggregate} gives a ${valueType} value; a ${field.kind} field cannot hold it`,
    });
    return undefined;
  }
  let filterSql = 'TRUE';
  if (spec.filter !== undefined) {
    // The filter may read only the child's own columns: one index range per parent, whatever the data.
    const scope = ruleScope({ ...env, entity: child, allowCollections: false, ownFieldsOnly: true, alias: c });
    const compiled = catching('/rollup/filter', report, () =>
      compileConditionSql(spec.filter, scope.context, env.operators, readsClock(entity)),
    );
    if (compiled === undefined) return undefined;
    filterSql = compiled;
    for (const read of scope.reads) childFields.push(read.field);
  }
  const raw = `(SELECT ${AGGREGATE_SQL[spec.aggregate](valueSql)} FROM ${q(child.table)} ${c} WHERE ${c}.${q(fkColumn)} = t.id AND ${c}.deleted_at IS NULL AND ${filterSql})`;
  // The grouped form reads the child as `gc`: its filter is compiled again for that alias.
  const groupedFilter =
    spec.filter === undefined
      ? 'TRUE'
      : compileConditionSql(
          spec.filter,
          ruleScope({ ...env, entity: child, allowCollections: false, ownFieldsOnly: true, alias: 'gc' }).context,
          env.operators,
          readsClock(entity),
        );
  const alias = q(`g_${child.table}_${fkColumn}`);
  const name = `r${n}`;
  const total = GROUPED_SQL[spec.aggregate](valueSql.replace(`${c}.`, 'gc.'), groupedFilter);
  // A parent without children has no group: its count and sum are 0, as the per-parent form gives.
  const empty = spec.aggregate === 'count' || spec.aggregate === 'sum' ? `COALESCE(${alias}.${name}, 0)` : `${alias}.${name}`;
  return {
    field,
    reads: [],
    rollup: { child: child.name, fkField: fk.name, fkColumn, childFields: [...new Set(childFields)] },
    step: {
      ...single(field, raw, entity, n),
      wholeTable: { group: { alias, table: child.table, fkColumn, sql: total, name }, laterals: single(field, empty, entity, n).laterals },
    },
  };
}

function compileScore(
  env: RuleEnv,
  entity: EntityDef,
  field: FieldDef,
  computed: ReadonlyMap<string, string>,
  n: number,
  report: Report,
): CompiledDerived | undefined {
  const spec = field.scoring;
  if (spec === undefined) return undefined;
  const scope = ruleScope({ ...env, entity, computed, allowCollections: false });
  const parts: Array<{ id: string; points: string; value?: string }> = [];
  let ok = true;
  spec.criteria.forEach((criterion, i) => {
    const at = `/scoring/criteria/${i}`;
    if (criterion.when !== undefined) {
      const cond = catching(`${at}/when`, report, () =>
        compileConditionSql(criterion.when, scope.context, env.operators, readsClock(entity)),
      );
      if (cond === undefined) ok = false;
      else parts.push({ id: criterion.id, points: `CASE WHEN ${cond} THEN ${sqlLiteral(criterion.points ?? 0)}::numeric ELSE 0 END` });
      return;
    }
    const value = catching(`${at}/value`, report, () =>
      compileExpressionSql(criterion.value, scope.context, env.operators, readsClock(entity)),
    );
    if (value === undefined) {
      ok = false;
      return;
    }
    if (value.type !== 'integer' && value.type !== 'decimal') {
      report({ pointer: `${at}/value`, rule: 'rules.type_mismatch', message: `banded points need a number, not a ${value.type}` });
      ok = false;
      return;
    }
    const bands = [...(criterion.bands ?? [])].sort((a, b) => Number(b.min) - Number(a.min));
    const whens = bands
      .map((b) => `WHEN (${value.sql}) >= ${sqlLiteral(String(b.min))}::numeric THEN ${sqlLiteral(b.points)}::numeric`)
      .join(' ');
    parts.push({ id: criterion.id, points: `CASE ${whens} ELSE 0 END`, value: `(${value.sql})::text` });
  });
  if (!ok) return undefined;
  const criteria = `k${n}`;
  const points = parts.map((_, i) => `${criteria}.p${i}`).join(' + ') || '0';
  const bands = [...(spec.bands ?? [])].sort((a, b) => (b.min ?? -Infinity) - (a.min ?? -Infinity));
  const band =
    bands.length === 0
      ? 'NULL::text'
      : `CASE ${bands.map((b) => `WHEN ${b.min === undefined ? 'TRUE' : `${points} >= ${sqlLiteral(b.min)}`} THEN ${sqlLiteral(b.band)}`).join(' ')} END`;
  // The explanation lists what each criterion earned, in the pack's order; banded ones also say the value.
  const explained = parts.map(
    (p, i) =>
      `jsonb_build_object('criterion', ${sqlLiteral(p.id)}, 'points', ${criteria}.p${i}${p.value ? `, 'value', ${criteria}.x${i}` : ''})`,
  );
  const [pointsColumn, bandColumn, explanationColumn] = field.columns;
  if (!pointsColumn || !bandColumn || !explanationColumn) throw new Error(`score field ${entity.name}.${field.name} needs three columns`);
  const d = `d${n}`;
  return {
    field,
    reads: scope.reads,
    step: {
      laterals: [
        `CROSS JOIN LATERAL (SELECT ${parts.map((p, i) => `${p.points} AS p${i}${p.value ? `, ${p.value} AS x${i}` : ''}`).join(', ')} OFFSET 0) ${criteria}`,
        `CROSS JOIN LATERAL (SELECT ${derivedCast(points, pointsColumn.type, `${entity.name}.${field.name}`)} AS points, ${band} AS band, jsonb_build_array(${explained.join(', ')}) AS explanation) ${d}`,
      ],
      columns: [
        { column: pointsColumn.name, sql: `${d}.points` },
        { column: bandColumn.name, sql: `${d}.band` },
        { column: explanationColumn.name, sql: `${d}.explanation` },
      ],
      refs: [
        [`${field.name}.points`, `${d}.points`],
        [`${field.name}.band`, `${d}.band`],
      ],
    },
  };
}

/** The derived fields of an entity, each compiled with `computed` (values of steps before it). */
export function compileDerivedField(
  env: RuleEnv,
  entity: EntityDef,
  field: FieldDef,
  computed: ReadonlyMap<string, string>,
  n: number,
  report: Report,
): CompiledDerived | undefined {
  const spec = field as unknown as Record<string, unknown>;
  const misplaced = NOT_WITH_DERIVED.filter((k) => (k === 'required' ? field.required : spec[k] !== undefined));
  for (const key of misplaced) {
    report({ pointer: `/${key}`, rule: 'rules.option_not_allowed', message: `'${key}' does not apply to a field the engine computes` });
  }
  if (misplaced.length > 0) return undefined;
  if (field.computed !== undefined) return compileComputed(env, entity, field, computed, n, report);
  if (field.rollup !== undefined) return compileRollup(env, entity, field, n, report);
  return compileScore(env, entity, field, computed, n, report);
}

/** Own derived fields a compiled field reads directly (for ordering the steps). */
export function ownDerivedReads(compiled: CompiledDerived, derivedNames: ReadonlySet<string>): string[] {
  return compiled.reads.filter((r) => r.hops.length === 0 && derivedNames.has(r.field)).map((r) => r.field);
}
