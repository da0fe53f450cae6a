// An aggregate request (`GET /api/v1/<entity>/aggregate`) compiled to one SQL statement: the list's live, scope and
// filter conditions, groups resolved like filter paths (belongsTo hops join with the caller's scope, hidden fields do
// not exist), and measures over the entity's own fields. A measure on a value that adds up only within a unit (money)
// groups by that unit too, so amounts in different currencies are never summed together. Called by record-aggregator.ts.
import { EngineError } from '../shared/engine-error.js';
import type { OperandType } from '../metadata/field-kinds.js';
import type { OperatorRegistry } from '../rules/operator-registry.js';
import { q } from '../sql/q.js';
import type { PathResolver, ResolvedPath } from '../query/path-resolver.js';
import type { Access } from '../security/access.js';
import type { EntityRuntime, ModelRuntime } from './entity-runtime.js';
import { scopedQuery } from './scoped-query.js';

export const AGGREGATE_FUNCTIONS = ['count', 'sum', 'avg', 'min', 'max'] as const;
export type AggregateFunction = (typeof AGGREGATE_FUNCTIONS)[number];
export const GRANULARITIES = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export interface GroupSpec {
  readonly path: string;
  readonly granularity?: Granularity;
}

export interface MeasureSpec {
  readonly fn: AggregateFunction;
  /** Absent for count. */
  readonly path?: string;
}

export interface AggregateOptions {
  readonly groupBy: readonly GroupSpec[];
  readonly measures: readonly MeasureSpec[];
  readonly filter?: unknown;
  readonly limit: number;
}

export interface AggregatePlan {
  readonly text: string;
  readonly params: readonly unknown[];
  /** Row keys: the groups (requested, then units money measures added), then the measures. */
  readonly groupKeys: readonly string[];
  readonly measureKeys: readonly string[];
  /** Measures whose value is a JS number (counts); the rest are exact decimal text. */
  readonly countKeys: ReadonlySet<string>;
  readonly limit: number;
}

const ROOT = 't0';
const NUMERIC: ReadonlySet<OperandType> = new Set(['integer', 'decimal']);
const ORDERED: ReadonlySet<OperandType> = new Set(['integer', 'decimal', 'date', 'datetime']);
const GROUPABLE: ReadonlySet<OperandType> = new Set(['text', 'integer', 'decimal', 'boolean', 'date', 'datetime', 'enum', 'id']);

function refuse(param: 'groupBy' | 'measures', message: string, code = 'aggregate.invalid_member'): EngineError {
  return new EngineError(code, 400, `${param}: ${message}`, { fieldErrors: [{ pointer: `/${param}`, code, message }] });
}

export function groupKey(g: GroupSpec): string {
  return g.granularity ? `${g.path}:${g.granularity}` : g.path;
}

export function measureKey(m: MeasureSpec): string {
  return m.path === undefined ? m.fn : `${m.fn}:${m.path}`;
}

function groupSql(g: GroupSpec, resolved: ResolvedPath): string {
  if (!GROUPABLE.has(resolved.operand)) throw refuse('groupBy', `'${g.path}' cannot be grouped by`);
  if (!g.granularity) return resolved.sql;
  // Times group by the UTC calendar, as the API prints them; a bucket is named by its first day.
  if (resolved.operand === 'date') return `to_char(date_trunc('${g.granularity}', ${resolved.sql}), 'YYYY-MM-DD')`;
  if (resolved.operand === 'datetime')
    return `to_char(date_trunc('${g.granularity}', ${resolved.sql} AT TIME ZONE 'UTC'), 'YYYY-MM-DD')`;
  throw refuse('groupBy', `'${g.path}' is not a date or time: it has no ${g.granularity}`);
}

/** The value a measure aggregates, and the unit it must be grouped by (money's currency). */
function measureTarget(runtime: ModelRuntime, rt: EntityRuntime, m: MeasureSpec, resolver: PathResolver, pointer: string) {
  const path = m.path ?? '';
  const [name = '', part] = path.split('.');
  const field = rt.entity.fields.find((f) => f.name === name);
  const parts = field ? runtime.kinds.get(field.kind)?.measureParts : undefined;
  if (parts) {
    if (part !== undefined) throw refuse('measures', `'${path}': ${name} adds up per ${parts.unit}: use '${m.fn}:${name}'`);
    return { value: resolver.resolve(`${name}.${parts.value}`, pointer), unit: resolver.resolve(`${name}.${parts.unit}`, pointer) };
  }
  if (path.split('.').length > 2) throw refuse('measures', `'${path}': measures take the entity's own fields`);
  return { value: resolver.resolve(path, pointer), unit: undefined };
}

export function planAggregate(runtime: ModelRuntime, operators: OperatorRegistry, rt: EntityRuntime, access: Access, options: AggregateOptions): AggregatePlan {
  const { params, joins, resolver, where } = scopedQuery(runtime, operators, rt, access, ROOT, access.readScope, options.filter);
  const groups = new Map<string, string>();
  for (const g of options.groupBy) groups.set(groupKey(g), groupSql(g, resolver.resolve(g.path, '/groupBy')));
  const measures: string[] = [];
  const countKeys = new Set<string>();
  for (const m of options.measures) {
    const key = measureKey(m);
    if (m.fn === 'count') {
      measures.push(`count(*) AS ${q(key)}`);
      countKeys.add(key);
      continue;
    }
    const { value, unit } = measureTarget(runtime, rt, m, resolver, '/measures');
    const allowed = m.fn === 'min' || m.fn === 'max' ? ORDERED : NUMERIC;
    if (!allowed.has(value.operand)) throw refuse('measures', `'${key}': ${m.fn} needs a number${allowed === ORDERED ? ' or a date' : ''}`);
    if (unit && !groups.has(unit.path)) groups.set(unit.path, unit.sql);
    // Sums of integers stay exact text like every other aggregate of numbers (bigint can pass 2^53).
    measures.push(`${m.fn}(${value.sql})${value.operand === 'integer' && m.fn !== 'avg' ? '::numeric' : ''} AS ${q(key)}`);
  }
  const groupKeys = [...groups.keys()];
  const select = [...groupKeys.map((k) => `${groups.get(k) ?? ''} AS ${q(k)}`), ...measures];
  const positions = groupKeys.map((_, i) => String(i + 1));
  const from = `${q(rt.entity.table)} ${ROOT}${joins.length ? ' ' + joins.join(' ') : ''}`;
  const text = [
    `SELECT ${select.join(', ')} FROM ${from} WHERE ${where.join(' AND ')}`,
    positions.length ? `GROUP BY ${positions.join(', ')} ORDER BY ${positions.map((p) => `${p} NULLS LAST`).join(', ')}` : '',
    `LIMIT ${options.limit + 1}`,
  ].filter(Boolean).join(' ');
  return { text, params: params.values, groupKeys, measureKeys: options.measures.map(measureKey), countKeys, limit: options.limit };
}
