// A scheduled action must name a plugin action of its entity, and its input must be what that action accepts: the
// metadata names the action, the plugins registered it. Checked when a Model is prepared (served-model.ts) and by
// `tessera validate`, next to checkTransitionActions.
import type { MetadataProblem } from '../metadata/metadata-problem.js';
import type { Model } from '../metadata/model.js';
import { createAjv } from '../shared/create-ajv.js';
import type { ActionDef } from './plugin-api.js';

export function checkScheduledActions(model: Model, actions: ReadonlyMap<string, ActionDef>): MetadataProblem[] {
  const ajv = createAjv();
  const problems: MetadataProblem[] = [];
  for (const entity of model.entities) {
    (entity.scheduledActions ?? []).forEach((s, i) => {
      const at = { file: entity.file, pack: entity.pack, entity: entity.name };
      const def = actions.get(`${entity.name}/${s.action}`);
      if (!def) {
        const known = [...actions.values()].filter((a) => a.entity === entity.name).map((a) => a.name);
        problems.push({
          ...at,
          pointer: `/scheduledActions/${i}/action`,
          rule: 'schedule.unknown_action',
          message: `${entity.name} has no plugin action '${s.action}'${known.length ? ` (it has ${known.join(', ')})` : ''}`,
        });
      } else if (!ajv.validate(def.input, s.input)) {
        const first = ajv.errors?.[0];
        problems.push({
          ...at,
          pointer: `/scheduledActions/${i}/input${first?.instancePath ?? ''}`,
          rule: 'schedule.invalid_input',
          message: `not an input action '${s.action}' accepts: ${first?.message ?? 'invalid'}`,
        });
      }
    });
  }
  return problems;
}
