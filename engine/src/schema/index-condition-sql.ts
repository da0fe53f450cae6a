// Partial-index conditions: the JSON Logic compiler with literals inlined, since DDL takes no parameters.
// Kinds and operators are the engine's set (plugins included), so a condition on a plugin kind plans as it validates.
import type { EntityDef } from '../metadata/model.js';
import { compileConditionSql } from '../rules/compile-condition-sql.js';
import { ownFieldContext } from '../rules/own-field-context.js';
import type { KindsAndOperators } from '../rules/operator-registry.js';
import { sqlLiteral } from '../sql/sql-literal.js';

export function indexConditionSql(entity: EntityDef, where: unknown, rules: KindsAndOperators): string {
  const ctx = ownFieldContext(entity, rules, { param: sqlLiteral, what: 'a partial-index condition' });
  return compileConditionSql(where, ctx, rules.operators);
}
