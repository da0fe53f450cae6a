// Assignment conditions are parsed against the entity's own fields with the engine's operators: an unknown field,
// an operator a field's kind does not allow, a bad value or a collection is a problem with file, pointer and rule.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../../../engine/src/metadata/load-model.js';
import type { Model } from '../../../../engine/src/metadata/model.js';
import { checkAssignmentConditions } from '../../../../engine/src/rules/check-assignment-conditions.js';
import { BUILTIN_RULES } from '../../../support/builtin-rules.js';

const model = loadModel([resolve('metadata/packs/core'), resolve('tests/fixtures/packs/assignment-demo')], { kinds: BUILTIN_RULES.kinds });

/** The fixture's Model with the lead's first rule condition (or the cap's) replaced. */
function withConditions(when: unknown, openWhen?: unknown): Model {
  const lead = model.entitiesByName.lead!;
  const a = lead.assignment!;
  const changed = {
    ...lead,
    assignment: { ...a, rules: [{ ...a.rules[0]!, when }, ...a.rules.slice(1)], cap: { max: 3, ...(openWhen ? { openWhen } : {}) } },
  };
  return { ...model, entities: model.entities.map((e) => (e.name === 'lead' ? changed : e)) };
}

const brief = (m: Model) => checkAssignmentConditions(m, BUILTIN_RULES).map((p) => [p.pointer, p.rule]);

describe('checkAssignmentConditions', () => {
  it('accepts the fixture', () => {
    expect(checkAssignmentConditions(model, BUILTIN_RULES)).toEqual([]);
  });

  it('names the file, pointer and rule of each problem', () => {
    const problems = checkAssignmentConditions(withConditions({ '==': [{ var: 'regoin' }, 'east'] }), BUILTIN_RULES);
    expect(problems).toEqual([
      expect.objectContaining({
        file: model.entitiesByName.lead!.file,
        pack: 'assignment_demo',
        entity: 'lead',
        pointer: '/assignment/rules/0/when/==/0',
        rule: 'filter.unknown_field',
      }),
    ]);
  });

  it.each([
    [{ startsWith: [{ var: 'last_activity_at' }, 'x'] }, '/assignment/rules/0/when/startsWith/0', 'filter.operator_not_allowed'],
    [{ '==': [{ var: 'last_activity_at' }, 'yesterday'] }, '/assignment/rules/0/when/==/1', 'filter.invalid_value'],
    [{ '>': [{ var: 'owner' }, 'x'] }, '/assignment/rules/0/when/>/0', 'filter.operator_not_allowed'],
    [{ '==': [{ var: 'owner.username' }, 'x'] }, '/assignment/rules/0/when/==/0', 'filter.unknown_field'],
    [{ some: [{ var: 'members' }, true] }, '/assignment/rules/0/when/some/0', 'filter.unknown_field'],
    [{ frobnicate: [] }, '/assignment/rules/0/when/frobnicate', 'filter.unknown_operator'],
  ])('%j', (when, pointer, rule) => {
    expect(brief(withConditions(when))).toEqual([[pointer, rule]]);
  });

  it('checks the cap condition too', () => {
    expect(brief(withConditions(true, { in: [{ var: 'status' }, [null]] }))).toEqual([
      ['/assignment/cap/openWhen/in/1/0', 'filter.invalid_value'],
    ]);
  });
});
