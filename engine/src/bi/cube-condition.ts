// JSON Logic (segments, filtered measures) compiled to SQL for a generated cube: vars resolve on `${CUBE}`, belongsTo
// hops become scalar subqueries carrying the viewer's record scope, values are inlined literals.
import type { FieldKindRegistry } from '../metadata/field-kinds.js';
import type { EntityDef, Model } from '../metadata/model.js';
import { compileConditionSql, type SqlCompileContext } from '../rules/compile-condition-sql.js';
import type { OperatorRegistry } from '../rules/operator-registry.js';
import { AliasCounter, PathResolver } from '../query/path-resolver.js';
import type { RecordScope } from '../query/record-scope.js';
import { CUBE, LITERAL_SINK } from './cube-sql.js';

export interface CubeConditionDeps {
  readonly model: Model;
  readonly kinds: FieldKindRegistry;
  readonly operators: OperatorRegistry;
  readonly operatorsFor: (kind: string) => readonly string[];
  readonly readScope: RecordScope;
  readonly isHidden: (entity: string, field: string) => boolean;
}

function contextFor(resolver: PathResolver): SqlCompileContext {
  return {
    resolveVar: (path, pointer) => resolver.resolve(path, pointer),
    resolveCollection: (path, pointer) => {
      const c = resolver.collection(path, pointer);
      return { open: c.open, close: c.close, path: c.path, context: contextFor(resolver.nested(c.entity, c.alias)) };
    },
    param: (value) => LITERAL_SINK.add(value),
  };
}

/** Throws an EngineError naming the pointer for unknown (or hidden) fields and bad operators. */
export function cubeConditionSql(deps: CubeConditionDeps, entity: EntityDef, condition: unknown): string {
  const resolver = new PathResolver({
    model: deps.model,
    kinds: deps.kinds,
    operatorsFor: deps.operatorsFor,
    entity,
    alias: CUBE,
    params: LITERAL_SINK,
    readScope: deps.readScope,
    isHidden: deps.isHidden,
    aliases: new AliasCounter(),
  });
  return compileConditionSql(condition, contextFor(resolver), deps.operators);
}
