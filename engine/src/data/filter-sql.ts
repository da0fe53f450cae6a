// Adapts the condition compiler to an entity's paths: vars through belongsTo joins, some/none over collections.
import type { OperatorRegistry } from '../rules/operator-registry.js';
import { compileConditionSql, type SqlCompileContext } from '../rules/compile-condition-sql.js';
import type { PathResolver } from '../query/path-resolver.js';
import type { SqlParams } from '../sql/sql-params.js';

function contextFor(resolver: PathResolver, params: SqlParams): SqlCompileContext {
  return {
    resolveVar: (path, pointer) => resolver.resolve(path, pointer),
    resolveCollection: (path, pointer) => {
      const c = resolver.collection(path, pointer);
      return { open: c.open, close: c.close, path: c.path, context: contextFor(resolver.nested(c.entity, c.alias), params) };
    },
    param: (value) => params.add(value),
  };
}

export function compileFilter(filter: unknown, resolver: PathResolver, params: SqlParams, registry: OperatorRegistry): string {
  return compileConditionSql(filter, contextFor(resolver, params), registry);
}
