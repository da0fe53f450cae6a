// A list request compiled to SQL once: the statement without its page position, the sort keys and where each
// key's value sits in a row. Running it adds only the keyset condition of a cursor.
import type { OperatorRegistry } from '../rules/operator-registry.js';
import { q } from '../sql/q.js';
import type { EntityRuntime, ModelRuntime } from './entity-runtime.js';
import { compileFilter } from './filter-sql.js';
import type { SortKeySql } from './keyset-cursor.js';
import type { ListOptions } from './list-options.js';
import { AliasCounter, PathResolver } from '../query/path-resolver.js';
import { liveAndScoped } from '../query/live-rows.js';
import type { Access } from '../security/access.js';
import { requestedFields, visibleFields } from './visible-fields.js';
import { buildSortKeys, orderBySql, sortSignature } from './sort-keys.js';
import { SqlParams } from '../sql/sql-params.js';

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
  readonly params: readonly unknown[];
  /** Counts the rows of the whole list (the page position aside), with `params`. */
  readonly countText: string;
}

export interface PlanDeps {
  readonly runtime: ModelRuntime;
  readonly operators: OperatorRegistry;
}

export function planList(deps: PlanDeps, rt: EntityRuntime, access: Access, options: ListOptions, action: 'read' | 'export'): ListPlan {
  const { runtime, operators } = deps;
  const params = new SqlParams();
  const joins: string[] = [];
  const resolver = new PathResolver({
    model: runtime.model, kinds: runtime.kinds, operatorsFor: runtime.operatorsFor, entity: rt.entity, alias: ROOT, params,
    readScope: access.readScope, isHidden: (e, f) => access.field(e, f) === 'hidden',
    aliases: new AliasCounter(), joins, joinAliases: new Map(),
  });
  const where = [liveAndScoped(rt.entity, ROOT, params, access.scopeFor(action))];
  if (options.filter !== undefined) where.push(`(${compileFilter(options.filter, resolver, params, operators)})`);
  const keys = buildSortKeys(options.sort, resolver, ROOT);
  const fields = visibleFields(rt, access, requestedFields(options.fields, options.include));
  const select = rt.codec.selectList(ROOT, fields);
  const helpers: string[] = [];
  const keyProperties = keys.map((k, i) => {
    const property = select.propertyOf.get(k.sql);
    if (property) return property;
    helpers.push(`${k.sql} AS "__k${i}"`);
    return `__k${i}`;
  });
  const from = `${q(rt.entity.table)} ${ROOT}${joins.length ? ' ' + joins.join(' ') : ''}`;
  const whereSql = where.join(' AND ');
  return {
    runtime, rt, options, fields, keys, keyProperties, hasHelpers: helpers.length > 0,
    signature: sortSignature(options.sort),
    head: `SELECT ${[select.sql, ...helpers].join(', ')} FROM ${from} WHERE ${whereSql}`,
    tail: `ORDER BY ${orderBySql(keys)} LIMIT ${options.limit + 1}${options.offset ? ` OFFSET ${options.offset}` : ''}`,
    params: params.values,
    countText: `SELECT count(*) AS total FROM ${from} WHERE ${whereSql}`,
  };
}
