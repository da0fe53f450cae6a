// A list request compiled to SQL once: the statement without its page position, the sort keys and where each
// key's value sits in a row. Running it adds only the keyset condition of a cursor.
// A list sorted by a column no index holds picks its page in two steps (#18 part 10): PostgreSQL must read and sort
// every matching row, and it carries every selected column of each through the scan, joins, spills and sort, so
// wide records made thousands of wide rows to keep fifty. The inner query selects only the sort keys and the row's
// address (ctid) and takes the page; the outer one reads the page's rows back by address and orders them by the
// same keys. A sort an index can deliver stops after the page: the plain statement is cheaper there.
import type { OperatorRegistry } from '../rules/operator-registry.js';
import { q } from '../sql/q.js';
import type { EntityRuntime, ModelRuntime } from './entity-runtime.js';
import { scopedQuery } from './scoped-query.js';
import type { SortKeySql } from './keyset-cursor.js';
import type { ListOptions } from './list-options.js';
import type { Access } from '../security/access.js';
import { requestedFields, visibleFields } from './visible-fields.js';
import { buildSortKeys, orderBySql, sortSignature } from './sort-keys.js';

export const ROOT = 't0';

export interface ListPlan {
  /** The Model the plan was compiled against: a plan outlives no publish. */
  readonly runtime: ModelRuntime;
  readonly rt: EntityRuntime;
  readonly options: ListOptions;
  /** Fields the records carry (all the caller may see when undefined). */
  readonly fields: ReadonlySet<string> | undefined;
  readonly keys: readonly SortKeySql[];
  /** Per key, the row property holding its value: a record field, or a helper column `__k<i>`. */
  readonly keyProperties: readonly string[];
  /** Rows carry helper columns that are not part of the record. */
  readonly hasHelpers: boolean;
  readonly signature: string;
  /** `SELECT ... FROM ... WHERE <live, scope, filter>`; a cursor's condition is appended with AND. */
  readonly head: string;
  /** `ORDER BY ... LIMIT ... [OFFSET ...]` */
  readonly tail: string;
  /** Around `head ... tail` when the page's records are fetched after the sort: `SELECT ... JOIN (` and `) k ON ...`. */
  readonly outer?: { readonly before: string; readonly after: string };
  readonly params: readonly unknown[];
  /** Counts the rows of the whole list (the page position aside), with `params`. */
  readonly countText: string;
  /** `SELECT 1` for each row of the whole list, with `params`: a capped count reads it up to a LIMIT. */
  readonly matchText: string;
}

export interface PlanDeps {
  readonly runtime: ModelRuntime;
  readonly operators: OperatorRegistry;
}

export function planList(deps: PlanDeps, rt: EntityRuntime, access: Access, options: ListOptions, action: 'read' | 'export'): ListPlan {
  const { runtime, operators } = deps;
  const { params, joins, resolver, where } = scopedQuery(runtime, operators, rt, access, ROOT, access.scopeFor(action), options.filter);
  const keys = buildSortKeys(options.sort, resolver, ROOT);
  const fields = visibleFields(rt, access, requestedFields(options.fields, options.include));
  const select = rt.codec.selectList(ROOT, fields);
  const from = `${q(rt.entity.table)} ${ROOT}${joins.length ? ' ' + joins.join(' ') : ''}`;
  const whereSql = where.join(' AND ');
  const tail = `ORDER BY ${orderBySql(keys)} LIMIT ${options.limit + 1}${options.offset ? ` OFFSET ${options.offset}` : ''}`;
  const common = {
    runtime, rt, options, fields, keys, signature: sortSignature(options.sort), tail, params: params.values,
    countText: `SELECT count(*) AS total FROM ${from} WHERE ${whereSql}`,
    matchText: `SELECT 1 FROM ${from} WHERE ${whereSql}`,
  };
  // Key values the record does not carry come back as helper columns `__k<i>`.
  const helperKeys = keys.map((k, i) => ({ k, i, property: select.propertyOf.get(k.sql) })).filter((x) => !x.property);
  const keyProperties = keys.map((k, i) => select.propertyOf.get(k.sql) ?? `__k${i}`);
  const hasHelpers = helperKeys.length > 0;
  const [first] = keys;
  if (!first || isIndexed(rt, first.sql)) {
    const helpers = helperKeys.map((x) => `${x.k.sql} AS "__k${x.i}"`);
    return { ...common, keyProperties, hasHelpers, head: `SELECT ${[select.sql, ...helpers].join(', ')} FROM ${from} WHERE ${whereSql}` };
  }
  const inner = [...keys.map((k, i) => `${k.sql} AS "__k${i}"`), `${ROOT}.ctid AS "__row"`];
  const outerKeys = keys.map((k, i) => ({ ...k, sql: `${PAGE}."__k${i}"` }));
  const outerSelect = [select.sql, ...helperKeys.map((x) => `${PAGE}."__k${x.i}"`)].join(', ');
  return {
    ...common, keyProperties, hasHelpers,
    head: `SELECT ${inner.join(', ')} FROM ${from} WHERE ${whereSql}`,
    // The outer rows are the inner page's rows, which passed the live, scope and filter conditions. A row's ctid is
    // stable within one statement (its snapshot keeps the version it saw), so the read back is a TID scan per row.
    outer: {
      before: `SELECT ${outerSelect} FROM ${q(rt.entity.table)} ${ROOT} JOIN (`,
      after: `) ${PAGE} ON ${ROOT}.ctid = ${PAGE}."__row" ORDER BY ${orderBySql(outerKeys)}`,
    },
  };
}

/** The alias of the inner page (keys and row addresses) the outer query reads back. */
const PAGE = 'k';

/**
 * A column an index can deliver in order (the primary key included), as the path resolver writes it: the leading
 * key of an index with no condition of its own. (Every list reads live rows only, so a live-only index serves.)
 */
function isIndexed(rt: EntityRuntime, sql: string): boolean {
  if (sql === `${ROOT}.${q('id')}`) return true;
  return rt.entity.indexes.some((i) => i.where === undefined && `${ROOT}.${q(i.keys[0]?.column ?? '')}` === sql);
}
