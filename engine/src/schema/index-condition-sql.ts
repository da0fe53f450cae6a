// Partial-index conditions: the JSON Logic compiler with literals inlined, since DDL takes no parameters.
// Kinds and operators are the engine's set (plugins included), so a condition on a plugin kind plans as it validates.
import { EngineError } from '../shared/engine-error.js';
import type { EntityDef } from '../metadata/model.js';
import { SYSTEM_COLUMNS, systemOperand } from '../metadata/system-columns.js';
import { compileConditionSql, type SqlCompileContext, type SqlOperand } from '../rules/compile-condition-sql.js';
import { sqlLiteral } from '../sql/sql-literal.js';
import { kindOperators } from '../rules/kind-operators.js';
import type { KindsAndOperators } from '../rules/operator-registry.js';
import { q } from '../sql/q.js';

function resolveOwnColumn(
  entity: EntityDef,
  rules: KindsAndOperators,
  allowed: ReadonlyMap<string, readonly string[]>,
  path: string,
  pointer: string,
): SqlOperand {
  const [head, part, ...rest] = path.split('.');
  const field = entity.fields.find((f) => f.name === head);
  const kind = field ? rules.kinds.get(field.kind) : undefined;
  if (field && kind && rest.length === 0) {
    const sub = part === undefined ? undefined : kind.subPaths && Object.hasOwn(kind.subPaths, part) ? kind.subPaths[part] : undefined;
    const column = field.columns[sub?.column ?? 0];
    if (column && (sub ? true : part === undefined && !kind.subPaths)) {
      return {
        sql: q(column.name),
        operand: sub?.operand ?? kind.operand,
        operators: sub?.operators ?? allowed.get(kind.name) ?? kind.operators,
        path,
      };
    }
  }
  const system = SYSTEM_COLUMNS.find((c) => c.name === path);
  if (system) return { sql: q(system.name), ...systemOperand(system), path };
  throw new EngineError('filter.unknown_field', 400, `'${path}' is not a column of ${entity.name}`, {
    fieldErrors: [{ pointer, code: 'filter.unknown_field', message: `unknown field '${path}'` }],
  });
}

export function indexConditionSql(entity: EntityDef, where: unknown, rules: KindsAndOperators): string {
  const allowed = kindOperators(rules);
  const ctx: SqlCompileContext = {
    resolveVar: (path, pointer) => resolveOwnColumn(entity, rules, allowed, path, pointer),
    resolveCollection: (path, pointer) => {
      throw new EngineError('filter.unknown_field', 400, `a partial-index condition cannot use the collection '${path}'`, {
        fieldErrors: [{ pointer, code: 'filter.unknown_field', message: 'collections are not allowed here' }],
      });
    },
    param: sqlLiteral,
  };
  return compileConditionSql(where, ctx, rules.operators);
}
