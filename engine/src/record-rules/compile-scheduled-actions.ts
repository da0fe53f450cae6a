// An entity's scheduled actions compiled once per Model: each one's `when` as SQL over the stored row `t`, with the
// occurrence's clock as the statement's $1 (so today() means the day the occurrence fell due). The job that runs them
// (jobs/scheduled-actions.ts) lists the matching records with it. Called by compileRecordRules, so `tessera
// validate` reports a bad condition with the other rule problems.
import type { EntityDef, ScheduledActionDef } from '../metadata/model.js';
import { clockedOperators } from '../rules/clocked-operators.js';
import { compileConditionSql } from '../rules/compile-condition-sql.js';
import { catching, type FieldProblem, type RuleEnv } from './derived-fields.js';
import { ruleScope } from './rule-scope.js';

/** The occurrence's clock: the first parameter of a scheduled action's record list. */
export const SCHEDULED_NOW = '$1::timestamptz';

export interface CompiledScheduledAction {
  readonly def: ScheduledActionDef;
  /** `<entity id>/<scheduled action id>`: stable across renames; keys each occurrence's job. */
  readonly key: string;
  /** TRUE for the records to run the action on, as of $1; absent: every live record. */
  readonly condition?: string;
}

export function compileScheduledActions(
  env: RuleEnv,
  entity: EntityDef,
  report: (problem: FieldProblem) => void,
): CompiledScheduledAction[] {
  const operators = clockedOperators(env.operators, SCHEDULED_NOW);
  const out: CompiledScheduledAction[] = [];
  (entity.scheduledActions ?? []).forEach((def, i) => {
    const key = `${entity.id}/${def.id}`;
    if (def.when === undefined) {
      out.push({ def, key });
      return;
    }
    const scope = ruleScope({ ...env, entity, allowCollections: true });
    const condition = catching(`/scheduledActions/${i}/when`, report, () =>
      compileConditionSql(def.when, scope.context, operators, { allowVolatile: true }),
    );
    if (condition !== undefined) out.push({ def, key, condition });
  });
  return out;
}
