// The state machines of an entity's enum fields compiled once per Model: each transition's guard as SQL over the
// stored row `t`, and its effects (`set`) as literals checked against the field's own schema or as expressions
// compiled like computed values. What the field alone can tell (states, names) is checked in
// metadata/check-transitions.ts. Called by compileRecordRules, so `tessera validate` reports the same problems.
import { createAjv } from '../shared/create-ajv.js';
import { addDecimalKeywords } from '../shared/decimal-keywords.js';
import { kindOf, type OperandType } from '../metadata/field-kinds.js';
import type { EntityDef, FieldDef, TransitionDef } from '../metadata/model.js';
import { compileConditionSql, compileExpressionSql } from '../rules/compile-condition-sql.js';
import { isExpression } from '../rules/parse-expression.js';
import { ACCEPTS, catching, type FieldProblem, type RuleEnv } from './derived-fields.js';
import { derivedCast } from './derived-cast.js';
import { ruleScope } from './rule-scope.js';

/** One field a transition sets: a literal value, or SQL over the stored row giving the value as the API reads it. */
export interface CompiledEffect {
  readonly field: string;
  readonly value?: unknown;
  readonly sql?: string;
}

export interface CompiledTransition {
  readonly def: TransitionDef;
  /** TRUE when the guard holds on the stored row; absent: no guard. */
  readonly guard?: string;
  readonly effects: readonly CompiledEffect[];
  /**
   * TRUE on the stored row when an approval flow guards this transition there: 'TRUE' when a flow without entry
   * criteria guards it, else its flows' entry criteria. Absent: no flow guards it, so a write may take it directly.
   */
  readonly flowGuard?: string;
}

export interface StateMachine {
  readonly field: string;
  /** States a create may start in; absent: every state. */
  readonly initial?: readonly string[];
  readonly transitions: readonly CompiledTransition[];
}

type Report = (problem: FieldProblem & { readonly field?: string }) => void;

/** An enum effect is checked against the field's values by the write's own validation, like any other value. */
const EFFECT_ACCEPTS: Partial<Record<OperandType, readonly OperandType[]>> = { ...ACCEPTS, enum: ['enum', 'text'], id: ['id'] };

type Validate = (field: FieldDef, value: unknown) => string | undefined;

/** A literal is judged by the field's own value schema; one ajv serves every literal of the Model's transitions. */
function literalChecker(env: RuleEnv): Validate {
  let ajv: ReturnType<typeof createAjv> | undefined;
  return (field, value) => {
    if (value === null) return field.required ? `${field.name} is required and cannot be set to null` : undefined;
    ajv ??= addDecimalKeywords(createAjv());
    const valid = ajv.compile(kindOf(env.kinds, field).valueSchema(field));
    if (valid(value)) return undefined;
    const e = valid.errors?.[0];
    return `${JSON.stringify(value)} is not a ${field.kind} value: ${e?.instancePath ? `${e.instancePath} ` : ''}${e?.message ?? 'is invalid'}`;
  };
}

function compileEffect(
  env: RuleEnv,
  entity: EntityDef,
  machine: FieldDef,
  name: string,
  value: unknown,
  at: string,
  derived: ReadonlySet<string>,
  validate: Validate,
  report: Report,
): CompiledEffect | undefined {
  const target = entity.fields.find((f) => f.name === name);
  if (target === undefined) {
    report({ pointer: at, rule: 'transition.unknown_field', message: `'${name}' is not a field of ${entity.name}` });
    return undefined;
  }
  // The engine owns derived values and numbers; the state itself changes only by the transition's `to`.
  const owned = derived.has(name) || target.numbering !== undefined || target.columns.length === 0 || name === machine.name;
  if (owned) {
    const why = name === machine.name ? 'the transition itself sets it' : 'the engine sets it';
    report({ pointer: at, rule: 'transition.effect_not_allowed', message: `a transition cannot set '${name}': ${why}` });
    return undefined;
  }
  if (!isExpression(value, env.operators)) {
    const problem = validate(target, value);
    if (problem === undefined) return { field: name, value };
    report({ pointer: at, rule: 'transition.effect_type', message: problem });
    return undefined;
  }
  const kind = kindOf(env.kinds, target);
  const column = target.columns[0];
  if (target.columns.length !== 1 || kind.toColumns !== undefined || kind.selectSql !== undefined || column === undefined) {
    report({ pointer: at, rule: 'transition.effect_type', message: `a ${target.kind} field is set by a literal value, not an expression` });
    return undefined;
  }
  const scope = ruleScope({ ...env, entity, allowCollections: false });
  const compiled = catching(at, report, () => compileExpressionSql(value, scope.context, env.operators, { allowVolatile: true }));
  if (compiled === undefined) return undefined;
  const accepts = EFFECT_ACCEPTS[kind.operand] ?? [];
  if (!accepts.includes(compiled.type)) {
    report({
      pointer: at,
      rule: 'transition.effect_type',
      message: `the expression gives a ${compiled.type} value; '${name}' is a ${target.kind} field`,
    });
    return undefined;
  }
  return { field: name, sql: derivedCast(`(${compiled.sql})`, column.type, `${entity.name}.${name}`, column.rules?.values) };
}

function compileTransition(
  env: RuleEnv,
  entity: EntityDef,
  machine: FieldDef,
  def: TransitionDef,
  at: string,
  derived: ReadonlySet<string>,
  validate: Validate,
  report: Report,
): CompiledTransition | undefined {
  let ok = true;
  const fail: Report = (p) => {
    ok = false;
    report(p);
  };
  const scope = ruleScope({ ...env, entity, allowCollections: true });
  const guard =
    def.when === undefined
      ? undefined
      : catching(`${at}/when`, fail, () => compileConditionSql(def.when, scope.context, env.operators, { allowVolatile: true }));
  const effects: CompiledEffect[] = [];
  for (const [name, value] of Object.entries(def.set ?? {})) {
    const pointer = `${at}/set/${name}`;
    const effect = compileEffect(env, entity, machine, name, value, pointer, derived, validate, fail);
    if (effect) effects.push(effect);
  }
  const flowGuard = compileFlowGuard(env, entity, def.name);
  return ok ? { def, ...(guard !== undefined ? { guard } : {}), effects, ...(flowGuard !== undefined ? { flowGuard } : {}) } : undefined;
}

/**
 * Where the entity's approval flows guard transition `name`: a flow with entry criteria guards it only on records
 * meeting them (an order above a threshold), so the others take it directly. The flows' own compile reports bad
 * criteria (workflow/compile-approval-flows.ts); here one that fails to compile guards everywhere.
 */
function compileFlowGuard(env: RuleEnv, entity: EntityDef, name: string): string | undefined {
  const flows = (entity.approvalFlows ?? []).filter((f) => f.transition === name);
  if (flows.length === 0) return undefined;
  if (flows.some((f) => f.entry === undefined)) return 'TRUE';
  const scope = ruleScope({ ...env, entity, allowCollections: true });
  const parts: string[] = [];
  for (const f of flows) {
    const sql = catching(
      '',
      () => undefined,
      () => compileConditionSql(f.entry, scope.context, env.operators, { allowVolatile: true }),
    );
    if (sql === undefined) return 'TRUE';
    parts.push(`(${sql})`);
  }
  return parts.join(' OR ');
}

/** The state machines of the entity's fields; every problem is reported with a pointer into the entity file. */
export function compileTransitions(env: RuleEnv, entity: EntityDef, derived: ReadonlySet<string>, report: Report): StateMachine[] {
  const validate = literalChecker(env);
  const machines: StateMachine[] = [];
  entity.fields.forEach((field, i) => {
    const spec = field.transitions;
    if (spec === undefined) return;
    const transitions: CompiledTransition[] = [];
    spec.allowed.forEach((def, j) => {
      const at = `/fields/${i}/transitions/allowed/${j}`;
      const compiled = compileTransition(env, entity, field, def, at, derived, validate, (p) => report({ ...p, field: field.name }));
      if (compiled) transitions.push(compiled);
    });
    // The default starts a record created without the field; with no default, any state may.
    const initial = spec.initial ?? (typeof field.default === 'string' ? [field.default] : undefined);
    machines.push({ field: field.name, ...(initial ? { initial } : {}), transitions });
  });
  return machines;
}
