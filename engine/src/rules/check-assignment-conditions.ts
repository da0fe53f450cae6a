// Assignment conditions (each rule's `when`, the cap's `openWhen`) parsed against the entity's own fields with
// the engine's kinds and operators, the way the write step and the open-record counts will run them: a bad field,
// an operator a field's kind does not allow or a malformed value is a metadata problem (file, pointer, rule) at
// validate time, never a failed create. Called by `tessera validate|plan|apply` and before a Model is served.
import { conditionProblems, type MetadataProblem } from '../metadata/metadata-problem.js';
import type { EntityDef, Model } from '../metadata/model.js';
import type { KindsAndOperators } from './operator-registry.js';
import { ownFieldContext } from './own-field-context.js';
import { parseCondition } from './parse-condition.js';

/** Every condition of the entity's assignment block with the pointer it sits at in the entity file. */
function conditionsOf(entity: EntityDef): Array<{ at: string; logic: unknown }> {
  const a = entity.assignment;
  if (!a) return [];
  const out = a.rules.flatMap((r, i) => (r.when === undefined ? [] : [{ at: `/assignment/rules/${i}/when`, logic: r.when }]));
  if (a.cap?.openWhen !== undefined) out.push({ at: '/assignment/cap/openWhen', logic: a.cap.openWhen });
  return out;
}

export function checkAssignmentConditions(model: Model, rules: KindsAndOperators): MetadataProblem[] {
  const problems: MetadataProblem[] = [];
  for (const entity of model.entities) {
    const ctx = ownFieldContext(entity, rules, { param: () => 'NULL', what: 'an assignment condition' });
    for (const { at, logic } of conditionsOf(entity)) {
      try {
        parseCondition(logic, ctx, rules.operators);
      } catch (err) {
        problems.push(...conditionProblems(entity, at, err));
      }
    }
  }
  return problems;
}
