// Partial-index conditions compiled the way planSchema will compile them, with the engine's kinds and
// operators, so a condition that cannot be planned is a metadata problem (file, pointer, rule) at validate
// time rather than a failed apply. Called by `tessera validate|plan|apply` after loadModel.
import { conditionProblems, type MetadataProblem } from '../metadata/metadata-problem.js';
import type { Model } from '../metadata/model.js';
import type { KindsAndOperators } from '../rules/operator-registry.js';
import { indexConditionSql } from './index-condition-sql.js';

/** Declared indexes keep their file order after the implied ones (compile-model.ts), under keys 'index#<id>'. */
const DECLARED = 'index#';

export function checkIndexConditions(model: Model, rules: KindsAndOperators): MetadataProblem[] {
  const problems: MetadataProblem[] = [];
  for (const entity of model.entities) {
    entity.indexes
      .filter((i) => i.key.startsWith(DECLARED))
      .forEach((index, i) => {
        if (index.where === undefined) return;
        try {
          indexConditionSql(entity, index.where, rules);
        } catch (err) {
          problems.push(...conditionProblems(entity, `/indexes/${i}/where`, err));
        }
      });
  }
  return problems;
}
