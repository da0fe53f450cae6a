// Validation rules and the server side of field rules, compiled to SQL over one stored row `t`: validation
// rules and required-when run on the row as the write left it (so they see computed values, parents and
// related lists), read-only-when on the row before the write. visibleWhen is checked here and applied by forms.
import { kindOf } from '../metadata/field-kinds.js';
import type { EntityDef, FieldDef, ValidationRuleDef } from '../metadata/model.js';
import { compileConditionSql } from '../rules/compile-condition-sql.js';
import { operandValues } from '../rules/operand-values.js';
import { q } from '../sql/q.js';
import { catching, type FieldProblem, type RuleEnv } from './derived-fields.js';
import { ruleScope, type ReadPath } from './rule-scope.js';

export interface CompiledValidation {
  readonly rule: ValidationRuleDef;
  /** TRUE when the rule holds. */
  readonly sql: string;
  /**
   * Whether it reads one of the entity's own derived fields: a write elsewhere can then break it (a child's write
   * moves a rollup), so the cascade checks it again on the records whose derived values it changed.
   */
  readonly readsDerived: boolean;
}

export interface CompiledFieldRule {
  readonly field: string;
  /** TRUE when the condition holds. */
  readonly when: string;
  /** TRUE when the field has no value (required-when only). */
  readonly missing?: string;
}

export interface RecordChecks {
  readonly validations: readonly CompiledValidation[];
  readonly requiredWhen: readonly CompiledFieldRule[];
  readonly readOnlyWhen: readonly CompiledFieldRule[];
}

type Report = (problem: FieldProblem) => void;

function condition(
  env: RuleEnv,
  entity: EntityDef,
  logic: unknown,
  at: string,
  report: Report,
  reads: ReadPath[] = [],
): string | undefined {
  const scope = ruleScope({ ...env, entity, allowCollections: true });
  const sql = catching(at, report, () => compileConditionSql(logic, scope.context, env.operators, { allowVolatile: true }));
  reads.push(...scope.reads);
  return sql;
}

/** "No value" for a stored field: NULL, or an empty text. */
function missingSql(env: RuleEnv, field: FieldDef): string | undefined {
  const column = field.columns[0];
  if (column === undefined) return undefined;
  const sql = `t.${q(column.name)}`;
  const operand = kindOf(env.kinds, field).operand;
  const empty = column.type.base === 'text' || column.type.base === 'varchar' ? ` OR ${sql} = ''` : '';
  return `(${operandValues[operand].isNullSql(sql)}${empty})`;
}

export function compileRecordChecks(env: RuleEnv, entity: EntityDef, derived: ReadonlySet<string>, report: Report): RecordChecks {
  const validations: CompiledValidation[] = [];
  const names = new Set<string>();
  entity.validationRules.forEach((rule, i) => {
    const at = `/validationRules/${i}`;
    if (names.has(rule.name))
      report({ pointer: `${at}/name`, rule: 'rules.duplicate_name', message: `another validation rule is named '${rule.name}'` });
    names.add(rule.name);
    rule.fields.forEach((name, j) => {
      if (!entity.fields.some((f) => f.name === name)) {
        report({ pointer: `${at}/fields/${j}`, rule: 'rules.unknown_field', message: `'${name}' is not a field of ${entity.name}` });
      }
    });
    const reads: ReadPath[] = [];
    const sql = condition(env, entity, rule.condition, `${at}/condition`, report, reads);
    const readsDerived = reads.some((r) => r.hops.length === 0 && derived.has(r.field));
    if (sql !== undefined) validations.push({ rule, sql, readsDerived });
  });
  const requiredWhen: CompiledFieldRule[] = [];
  const readOnlyWhen: CompiledFieldRule[] = [];
  entity.fields.forEach((field, i) => {
    const at = `/fields/${i}`;
    if (field.visibleWhen !== undefined) condition(env, entity, field.visibleWhen, `${at}/visibleWhen`, report);
    for (const key of ['requiredWhen', 'readOnlyWhen'] as const) {
      const logic = field[key];
      if (logic === undefined) continue;
      if (derived.has(field.name)) {
        report({
          pointer: `${at}/${key}`,
          rule: 'rules.option_not_allowed',
          message: `'${key}' does not apply to a field the engine computes`,
        });
        continue;
      }
      const missing = missingSql(env, field);
      if (key === 'requiredWhen' && missing === undefined) {
        report({
          pointer: `${at}/${key}`,
          rule: 'rules.option_not_allowed',
          message: `'requiredWhen' applies to fields stored on the record, not to ${field.kind} lists`,
        });
        continue;
      }
      const when = condition(env, entity, logic, `${at}/${key}`, report);
      if (when === undefined) continue;
      if (key === 'requiredWhen') requiredWhen.push({ field: field.name, when, ...(missing ? { missing } : {}) });
      else readOnlyWhen.push({ field: field.name, when });
    }
  });
  return { validations, requiredWhen, readOnlyWhen };
}
