// A condition context over one entity's own columns (fields, money parts, system columns), with no joins and
// no collections: for partial indexes, assignment conditions (memory, on a record being created) and their SQL
// (open-record counts). Kinds and operators are the engine's, plugins' included, so such a condition validates
// as it runs. Called by schema/index-condition-sql.ts and the assignment code.
import { EngineError } from '../shared/engine-error.js';
import type { EntityDef } from '../metadata/model.js';
import { SYSTEM_COLUMNS, systemOperand } from '../metadata/system-columns.js';
import type { SqlCompileContext, SqlOperand } from './compile-condition-sql.js';
import { kindOperators } from './kind-operators.js';
import type { KindsAndOperators } from './operator-registry.js';
import { q } from '../sql/q.js';

export interface OwnFieldOptions {
  /** Table alias the columns are qualified with; absent: bare column names (DDL). */
  readonly alias?: string;
  /** Binds a value (SqlParams.add) or inlines it (sqlLiteral, DDL). */
  readonly param: (value: unknown) => string;
  /** Says what the condition is, in the error for a collection. */
  readonly what: string;
}

function resolveOwnColumn(
  entity: EntityDef,
  rules: KindsAndOperators,
  allowed: ReadonlyMap<string, readonly string[]>,
  column: (name: string) => string,
  path: string,
  pointer: string,
): SqlOperand {
  const [head, part, ...rest] = path.split('.');
  const field = entity.fields.find((f) => f.name === head);
  const kind = field ? rules.kinds.get(field.kind) : undefined;
  if (field && kind && rest.length === 0) {
    const sub = part === undefined ? undefined : kind.subPaths && Object.hasOwn(kind.subPaths, part) ? kind.subPaths[part] : undefined;
    const col = field.columns[sub?.column ?? 0];
    if (col && (sub ? true : part === undefined && !kind.subPaths)) {
      return {
        sql: column(col.name),
        operand: sub?.operand ?? kind.operand,
        operators: sub?.operators ?? allowed.get(kind.name) ?? kind.operators,
        path,
      };
    }
  }
  const system = SYSTEM_COLUMNS.find((c) => c.name === path);
  if (system) return { sql: column(system.name), ...systemOperand(system), path };
  throw new EngineError('filter.unknown_field', 400, `'${path}' is not a column of ${entity.name}`, {
    fieldErrors: [{ pointer, code: 'filter.unknown_field', message: `unknown field '${path}'` }],
  });
}

export function ownFieldContext(entity: EntityDef, rules: KindsAndOperators, options: OwnFieldOptions): SqlCompileContext {
  const allowed = kindOperators(rules);
  const column = (name: string) => (options.alias ? `${options.alias}.${q(name)}` : q(name));
  return {
    resolveVar: (path, pointer) => resolveOwnColumn(entity, rules, allowed, column, path, pointer),
    resolveCollection: (path, pointer) => {
      throw new EngineError('filter.unknown_field', 400, `${options.what} cannot use the collection '${path}'`, {
        fieldErrors: [{ pointer, code: 'filter.unknown_field', message: 'collections are not allowed here' }],
      });
    },
    param: options.param,
  };
}
