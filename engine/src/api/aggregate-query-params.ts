// Parses `GET /api/v1/<entity>/aggregate?groupBy=stage,close_date:month&measures=count,sum:amount&filter=…&limit=…`.
// Names are checked for shape here; whether they exist for the caller is the plan's question (data/aggregate-plan.ts).
import type { ParsedUrlQuery } from 'node:querystring';
import { EngineError } from '../shared/engine-error.js';
import {
  AGGREGATE_FUNCTIONS,
  GRANULARITIES,
  type AggregateFunction,
  type AggregateOptions,
  type Granularity,
  type GroupSpec,
  type MeasureSpec,
} from '../data/aggregate-plan.js';
import { parseFilterParam } from './list-query-params.js';

const KNOWN = new Set(['groupBy', 'measures', 'filter', 'limit']);
const PATH = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){0,4}$/;
export const MAX_GROUPS = 4;
export const MAX_MEASURES = 20;
export const MAX_AGGREGATE_ROWS = 10_000;
export const DEFAULT_AGGREGATE_ROWS = 1000;

function bad(param: string, message: string, code = 'query.invalid_parameter'): EngineError {
  return new EngineError(code, 400, `${param}: ${message}`, { fieldErrors: [{ pointer: `/${param}`, code, message }] });
}

function single(query: ParsedUrlQuery, name: string): string | undefined {
  const v = query[name];
  if (Array.isArray(v)) throw bad(name, 'must be given once');
  return v === '' ? undefined : v;
}

function entries(query: ParsedUrlQuery, name: string, max: number): string[] {
  const raw = single(query, name);
  if (raw === undefined) return [];
  const items = raw.split(',').map((s) => s.trim());
  if (items.includes('')) throw bad(name, 'has an empty entry (a comma too many)');
  if (items.length > max) throw bad(name, `at most ${max} entries`);
  return items;
}

function isOneOf<T extends string>(list: readonly T[], value: string): value is T {
  return (list as readonly string[]).includes(value);
}

function group(item: string): GroupSpec {
  const [path = '', granularity, ...rest] = item.split(':');
  if (!PATH.test(path) || rest.length) throw bad('groupBy', `'${item.slice(0, 64)}' is not a path[:granularity]`);
  if (granularity === undefined) return { path };
  if (!isOneOf<Granularity>(GRANULARITIES, granularity))
    throw bad('groupBy', `'${granularity.slice(0, 32)}' is not one of ${GRANULARITIES.join(', ')}`);
  return { path, granularity };
}

function measure(item: string): MeasureSpec {
  const [fn = '', path, ...rest] = item.split(':');
  if (!isOneOf<AggregateFunction>(AGGREGATE_FUNCTIONS, fn) || rest.length)
    throw bad('measures', `'${item.slice(0, 64)}' is not count or ${AGGREGATE_FUNCTIONS.slice(1).join('|')}:<field>`);
  if (fn === 'count') {
    if (path !== undefined) throw bad('measures', "count takes no field: use 'count'");
    return { fn };
  }
  if (path === undefined || !PATH.test(path)) throw bad('measures', `'${item.slice(0, 64)}' needs a field: '${fn}:<field>'`);
  return { fn, path };
}

export function parseAggregateQuery(query: ParsedUrlQuery): AggregateOptions {
  for (const key of Object.keys(query)) if (!KNOWN.has(key)) throw bad(key, 'is not a known parameter', 'query.unknown_parameter');
  const measures = entries(query, 'measures', MAX_MEASURES).map(measure);
  const filter = parseFilterParam(single(query, 'filter'));
  const rawLimit = single(query, 'limit');
  if (rawLimit !== undefined && (!/^\d{1,6}$/.test(rawLimit) || Number(rawLimit) < 1 || Number(rawLimit) > MAX_AGGREGATE_ROWS))
    throw bad('limit', `must be a whole number from 1 to ${MAX_AGGREGATE_ROWS}`);
  return {
    groupBy: entries(query, 'groupBy', MAX_GROUPS).map(group),
    measures: measures.length ? measures : [{ fn: 'count' }],
    ...(filter !== undefined ? { filter } : {}),
    limit: rawLimit === undefined ? DEFAULT_AGGREGATE_ROWS : Number(rawLimit),
  };
}
