// The start every statement over an entity's records shares (lists, exports, aggregates): bound parameters, a path
// resolver that joins belongsTo chains within the caller's read scope and refuses hidden fields, and the WHERE
// parts of live rows in the given scope meeting the caller's JSON Logic filter.
import type { OperatorRegistry } from '../rules/operator-registry.js';
import { AliasCounter, PathResolver } from '../query/path-resolver.js';
import { liveAndScoped } from '../query/live-rows.js';
import type { RecordScope } from '../query/record-scope.js';
import type { Access } from '../security/access.js';
import { SqlParams } from '../sql/sql-params.js';
import type { EntityRuntime, ModelRuntime } from './entity-runtime.js';
import { compileFilter } from './filter-sql.js';

export interface ScopedQuery {
  readonly params: SqlParams;
  readonly joins: string[];
  readonly resolver: PathResolver;
  readonly where: string[];
}

export function scopedQuery(
  runtime: ModelRuntime, operators: OperatorRegistry, rt: EntityRuntime, access: Access, alias: string, scope: RecordScope, filter: unknown,
): ScopedQuery {
  const params = new SqlParams();
  const joins: string[] = [];
  const resolver = new PathResolver({
    model: runtime.model, kinds: runtime.kinds, operatorsFor: runtime.operatorsFor, entity: rt.entity, alias, params,
    readScope: access.readScope, isHidden: (e, f) => access.field(e, f) === 'hidden',
    aliases: new AliasCounter(), joins, joinAliases: new Map(),
  });
  const where = [liveAndScoped(rt.entity, alias, params, scope)];
  if (filter !== undefined) where.push(`(${compileFilter(filter, resolver, params, operators)})`);
  return { params, joins, resolver, where };
}
