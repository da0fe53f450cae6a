// A transition's runAction must name a plugin action of its entity that runs with no input: the metadata names the
// action, the plugins registered it. Checked when a Model is prepared (served-model.ts) and by `tessera validate`.
import type { MetadataProblem } from '../metadata/metadata-problem.js';
import type { Model } from '../metadata/model.js';
import { createAjv } from '../shared/create-ajv.js';
import type { ActionDef } from './plugin-api.js';

export function checkTransitionActions(model: Model, actions: ReadonlyMap<string, ActionDef>): MetadataProblem[] {
  const ajv = createAjv();
  const problems: MetadataProblem[] = [];
  for (const entity of model.entities) {
    entity.fields.forEach((field, i) => {
      (field.transitions?.allowed ?? []).forEach((t, j) => {
        if (t.runAction === undefined) return;
        const at = {
          file: entity.file,
          pack: entity.pack,
          entity: entity.name,
          field: field.name,
          pointer: `/fields/${i}/transitions/allowed/${j}/runAction`,
        };
        const def = actions.get(`${entity.name}/${t.runAction}`);
        if (!def) {
          const known = [...actions.values()].filter((a) => a.entity === entity.name).map((a) => a.name);
          problems.push({
            ...at,
            rule: 'transition.unknown_action',
            message: `${entity.name} has no plugin action '${t.runAction}'${known.length ? ` (it has ${known.join(', ')})` : ''}`,
          });
        } else if (!ajv.validate(def.input, {})) {
          problems.push({
            ...at,
            rule: 'transition.action_needs_input',
            message: `action '${t.runAction}' needs input, and a transition runs it with none`,
          });
        }
      });
    });
  }
  return problems;
}
