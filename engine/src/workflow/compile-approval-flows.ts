// The Model's approval flows compiled once per Model: entry criteria and step conditions as SQL over the stored row
// `t` (its belongsTo chain included, like transition guards), escalation delays in milliseconds, and each outcome's
// effects as one patch (constant values plus the state a transition moves to) that the write pipeline applies.
// Effect values are checked against their field's own schema. Called before a Model is served and by `tessera validate`.
import { createAjv } from '../shared/create-ajv.js';
import { addDecimalKeywords } from '../shared/decimal-keywords.js';
import { kindOf } from '../metadata/field-kinds.js';
import type { MetadataProblem } from '../metadata/metadata-problem.js';
import type { EntityDef, Model } from '../metadata/model.js';
import { durationMs, type ApprovalEffects, type ApprovalFlowDef, type ApprovalStepDef } from '../metadata/approval-flow.js';
import { compileConditionSql } from '../rules/compile-condition-sql.js';
import { kindOperators } from '../rules/kind-operators.js';
import type { KindsAndOperators } from '../rules/operator-registry.js';
import { catching, type RuleEnv } from '../record-rules/derived-fields.js';
import { ruleScope } from '../record-rules/rule-scope.js';
import { q } from '../sql/q.js';
import { sqlLiteral } from '../sql/sql-literal.js';

export interface CompiledStep {
  readonly def: ApprovalStepDef;
  readonly index: number;
  /** TRUE when the step is included, over the stored row `t`; absent: always. */
  readonly when?: string;
  readonly escalateMs?: number;
}

export interface CompiledFlow {
  readonly entity: string;
  readonly def: ApprovalFlowDef;
  /** The entry criteria, and for a flow guarding a transition the record in one of its 'from' states, over `t`. */
  readonly entry?: string;
  readonly steps: readonly CompiledStep[];
  /** The guarded transition's state field and the states a record may be submitted from. */
  readonly guards?: { readonly field: string; readonly from: readonly string[]; readonly to: string };
  readonly onApproved: Readonly<Record<string, unknown>>;
  readonly onRejected: Readonly<Record<string, unknown>>;
}

export interface ApprovalFlows {
  /** The flows of each entity that has any, in declaration order. */
  readonly byEntity: ReadonlyMap<string, readonly CompiledFlow[]>;
  readonly problems: readonly MetadataProblem[];
}

type Report = (p: { pointer: string; rule: string; message: string }) => void;

function transitionOf(entity: EntityDef, name: string): { field: string; from: readonly string[]; to: string } | undefined {
  for (const f of entity.fields) {
    const t = f.transitions?.allowed.find((x) => x.name === name);
    if (t) return { field: f.name, from: t.from, to: t.to };
  }
  return undefined;
}

export function compileApprovalFlows(model: Model, rules: KindsAndOperators): ApprovalFlows {
  const allowed = kindOperators(rules);
  const env: RuleEnv = { model, kinds: rules.kinds, operators: rules.operators, operatorsFor: (kind) => allowed.get(kind) ?? [] };
  const ajv = addDecimalKeywords(createAjv());
  const problems: MetadataProblem[] = [];
  const byEntity = new Map<string, CompiledFlow[]>();
  for (const entity of model.entities) {
    if (!entity.approvalFlows?.length) continue;
    const report: Report = (p) => problems.push({ file: entity.file, pack: entity.pack, entity: entity.name, ...p });
    const condition = (logic: unknown, at: string): string | undefined => {
      const scope = ruleScope({ ...env, entity, allowCollections: true });
      return catching(at, report, () => compileConditionSql(logic, scope.context, env.operators, { allowVolatile: true }));
    };
    const patch = (effects: ApprovalEffects | undefined, at: string, guarded?: string): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(effects?.set ?? {})) {
        const field = entity.fields.find((f) => f.name === name);
        if (!field) continue;
        const valid = ajv.compile(kindOf(env.kinds, field).valueSchema(field));
        if (value === null ? field.required : !valid(value)) {
          const why = value === null ? 'is required' : (valid.errors?.[0]?.message ?? 'is invalid');
          report({
            pointer: `${at}/set/${name}`,
            rule: 'approval.effect_type',
            message: `${JSON.stringify(value)} is not a ${field.kind} value: ${why}`,
          });
        }
        out[name] = value;
      }
      for (const name of [effects?.transition, guarded]) {
        const t = name === undefined ? undefined : transitionOf(entity, name);
        if (t) out[t.field] = t.to;
      }
      return out;
    };
    const flows: CompiledFlow[] = entity.approvalFlows.map((def, i) => {
      const at = `/approvalFlows/${i}`;
      const criteria = def.entry === undefined ? undefined : condition(def.entry, `${at}/entry`);
      const steps = def.steps.map((step, j): CompiledStep => {
        const when = step.when === undefined ? undefined : condition(step.when, `${at}/steps/${j}/when`);
        const escalateMs = step.escalateAfter === undefined ? undefined : durationMs(step.escalateAfter);
        if (step.escalateAfter !== undefined && !escalateMs) {
          report({
            pointer: `${at}/steps/${j}/escalateAfter`,
            rule: 'approval.bad_duration',
            message: `'${step.escalateAfter}' is not a duration above zero`,
          });
        }
        return { def: step, index: j, ...(when !== undefined ? { when } : {}), ...(escalateMs ? { escalateMs } : {}) };
      });
      const guards = def.transition === undefined ? undefined : transitionOf(entity, def.transition);
      const stateColumn = guards && entity.fields.find((f) => f.name === guards.field)?.columns[0]?.name;
      const inState = stateColumn && guards ? `t.${q(stateColumn)} IN (${guards.from.map(sqlLiteral).join(', ')})` : undefined;
      const entry =
        [criteria, inState]
          .filter((c): c is string => c !== undefined)
          .map((c) => `(${c})`)
          .join(' AND ') || undefined;
      return {
        entity: entity.name,
        def,
        ...(entry !== undefined ? { entry } : {}),
        steps,
        ...(guards ? { guards } : {}),
        onApproved: patch(def.onApproved, `${at}/onApproved`, def.transition),
        onRejected: patch(def.onRejected, `${at}/onRejected`),
      };
    });
    byEntity.set(entity.name, flows);
  }
  return { byEntity, problems };
}
