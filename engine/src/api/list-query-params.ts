// Parses and checks a list request's query string. Anything unexpected is a 400 naming the parameter.
import type { ParsedUrlQuery } from 'node:querystring';
import { EngineError } from '../shared/engine-error.js';
import { UNSTORABLE_MESSAGE, unstorableTexts } from '../shared/storable-text.js';
import { DEFAULT_LIMIT, MAX_INCLUDES, MAX_LIMIT, MAX_SORT_KEYS, type ListOptions, type SortSpec } from '../data/list-options.js';

const KNOWN = new Set(['filter', 'sort', 'limit', 'offset', 'cursor', 'fields', 'include', 'total']);
const PATH = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){0,4}$/;
const NAME = /^[a-z][a-z0-9_]*$/;
const MAX_FILTER_CHARS = 32_768;
const MAX_OFFSET = 100_000;

function bad(param: string, message: string, code = 'query.invalid_parameter'): EngineError {
  return new EngineError(code, 400, `${param}: ${message}`, { fieldErrors: [{ pointer: `/${param}`, code, message }] });
}

function single(query: ParsedUrlQuery, name: string): string | undefined {
  const v = query[name];
  if (Array.isArray(v)) throw bad(name, 'must be given once');
  return v;
}

function integer(query: ParsedUrlQuery, name: string, min: number, max: number, fallback: number): number {
  const raw = single(query, name);
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw)) throw bad(name, `must be a whole number from ${min} to ${max}`);
  const n = Number(raw);
  if (n < min || n > max) throw bad(name, `must be a whole number from ${min} to ${max}`);
  return n;
}

function list(query: ParsedUrlQuery, name: string, pattern: RegExp, max: number): string[] | undefined {
  const raw = single(query, name);
  // Empty counts as absent, as for every other parameter; an empty entry (`sort=,`) is a mistake to report.
  if (raw === undefined || raw === '') return undefined;
  const items = raw.split(',').map((s) => s.trim());
  if (items.includes('')) throw bad(name, 'has an empty entry (a comma too many)');
  if (items.length > max) throw bad(name, `at most ${max} entries`);
  for (const item of items) if (!pattern.test(item.replace(/^-/, ''))) throw bad(name, `'${item.slice(0, 64)}' is not a valid name`);
  return items;
}

export function parseFilterParam(raw: string | undefined): unknown {
  if (raw === undefined || raw === '') return undefined;
  if (raw.length > MAX_FILTER_CHARS) throw bad('filter', `longer than ${MAX_FILTER_CHARS} characters`, 'filter.too_large');
  let filter: unknown;
  try {
    filter = JSON.parse(raw) as unknown;
  } catch {
    throw bad('filter', 'is not valid JSON (it must be a URL-encoded JSON Logic expression)', 'filter.malformed');
  }
  // Its strings become bound parameters: the same check as for stored text, before any is compiled.
  const unstorable = unstorableTexts(filter, '/filter');
  if (unstorable.length)
    throw new EngineError('filter.invalid_characters', 400, `filter: ${UNSTORABLE_MESSAGE}`, { fieldErrors: unstorable });
  return filter;
}

export function parseListQuery(query: ParsedUrlQuery): ListOptions {
  for (const key of Object.keys(query)) if (!KNOWN.has(key)) throw bad(key, 'is not a known parameter', 'query.unknown_parameter');
  const filter = parseFilterParam(single(query, 'filter'));
  const sort: SortSpec[] = (list(query, 'sort', PATH, MAX_SORT_KEYS) ?? []).map((s) => ({
    path: s.replace(/^-/, ''),
    descending: s.startsWith('-'),
  }));
  const total = single(query, 'total');
  if (total !== undefined && total !== 'exact' && total !== 'capped') throw bad('total', "is 'exact' or 'capped'");
  const cursor = single(query, 'cursor');
  if (cursor !== undefined && (cursor.length > 4096 || !/^[A-Za-z0-9_-]*$/.test(cursor)))
    throw bad('cursor', 'is not a cursor this API issued', 'query.invalid_cursor');
  const fields = list(query, 'fields', NAME, 200);
  return {
    ...(filter !== undefined ? { filter } : {}),
    sort,
    limit: integer(query, 'limit', 1, MAX_LIMIT, DEFAULT_LIMIT),
    offset: integer(query, 'offset', 0, MAX_OFFSET, 0),
    ...(cursor ? { cursor } : {}),
    ...(fields ? { fields: new Set(fields) } : {}),
    include: list(query, 'include', NAME, MAX_INCLUDES) ?? [],
    ...(total ? { total } : {}),
  };
}

export function parseGetQuery(query: ParsedUrlQuery): { fields?: ReadonlySet<string>; include: string[] } {
  for (const key of Object.keys(query))
    if (key !== 'fields' && key !== 'include') throw bad(key, 'is not a known parameter', 'query.unknown_parameter');
  const fields = list(query, 'fields', NAME, 200);
  return { ...(fields ? { fields: new Set(fields) } : {}), include: list(query, 'include', NAME, MAX_INCLUDES) ?? [] };
}
