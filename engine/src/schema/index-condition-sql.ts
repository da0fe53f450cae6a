// Partial-index conditions: the JSON Logic compiler with literals inlined, since DDL takes no parameters.
import { EngineError } from '../shared/engine-error.js';
import { builtinFieldKinds } from '../metadata/field-kinds.js';
import type { EntityDef } from '../metadata/model.js';
import { SYSTEM_COLUMNS, systemOperand } from '../metadata/system-columns.js';
import { compileConditionSql, type SqlCompileContext, type SqlOperand } from '../rules/compile-condition-sql.js';
import { inlineLiteral } from '../rules/inline-literal.js';
import { createOperatorRegistry } from '../rules/operator-registry.js';
import { q } from './ddl.js';

const kinds = builtinFieldKinds();
const registry = createOperatorRegistry();

function resolveOwnColumn(entity: EntityDef, path: string, pointer: string): SqlOperand {
  const [head, part] = path.split('.');
  const field = entity.fields.find((f) => f.name === head);
  const kind = field ? kinds.get(field.kind) : undefined;
  if (field && kind) {
    const column = field.kind === 'currency' ? field.columns[part === 'currency' ? 1 : 0] : field.columns[0];
    if (column && (part === undefined || field.kind === 'currency')) {
      const operand = field.kind === 'currency' && part === 'currency' ? 'text' : kind.operand;
      return { sql: q(column.name), operand, operators: kind.operators, path };
    }
  }
  const system = SYSTEM_COLUMNS.find((c) => c.name === path);
  if (system) return { sql: q(system.name), ...systemOperand(system), path };
  throw new EngineError('filter.unknown_field', 400, `'${path}' is not a column of ${entity.name}`, { fieldErrors: [{ pointer, code: 'filter.unknown_field', message: `unknown field '${path}'` }] });
}

export function indexConditionSql(entity: EntityDef, where: unknown): string {
  const ctx: SqlCompileContext = {
    resolveVar: (path, pointer) => resolveOwnColumn(entity, path, pointer),
    resolveCollection: (path, pointer) => {
      throw new EngineError('filter.unknown_field', 400, `a partial-index condition cannot use the collection '${path}'`, { fieldErrors: [{ pointer, code: 'filter.unknown_field', message: 'collections are not allowed here' }] });
    },
    param: inlineLiteral,
  };
  return compileConditionSql(where, ctx, registry);
}
