// Bad assignment blocks are metadata problems naming the file, the JSON pointer and the rule, found by the loader
// (and so by `tessera validate`) before anything is published: the assignment-demo fixture broken one rule at a time.
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../../../engine/src/metadata/load-model.js';
import { MetadataError, type MetadataProblem } from '../../../../engine/src/metadata/metadata-problem.js';
import type { EntityFileSpec } from '../../../../engine/src/metadata/pack-spec.js';
import { makeTempDir, readPack, removeDir, writePackSource } from '../../../support/pack-builder.js';
import { BUILTIN_RULES } from '../../../support/builtin-rules.js';

const CORE = resolve('metadata/packs/core');
const FIXTURE = resolve('tests/fixtures/packs/assignment-demo');
const root = makeTempDir('tessera-assignment-');
afterAll(() => removeDir(root));

let counter = 0;
/** Loads core + the fixture after `mutate` changes its lead entity; returns the problems and the lead's file. */
function problemsAfter(mutate: (lead: any) => void): { problems: MetadataProblem[]; file: string } {
  const pack = readPack(FIXTURE);
  const lead = pack.entities.find((e) => e.name === 'lead');
  if (!lead) throw new Error('the fixture has no lead');
  mutate(lead);
  const dir = writePackSource(join(root, `${++counter}`, 'assignment_demo'), pack);
  const file = join(dir, 'entities', 'lead.json');
  try {
    loadModel([CORE, dir], { kinds: BUILTIN_RULES.kinds });
    return { problems: [], file };
  } catch (e) {
    if (e instanceof MetadataError) return { problems: [...e.problems], file };
    throw e;
  }
}

const brief = (p: MetadataProblem) => ({ file: p.file, pointer: p.pointer, rule: p.rule });

describe('assignment metadata', () => {
  it('loads the fixture into the Model with defaults filled in', () => {
    const model = loadModel([CORE, FIXTURE], { kinds: BUILTIN_RULES.kinds });
    const a = model.entitiesByName.lead?.assignment;
    expect(a?.ownerField).toBe('owner');
    expect(a?.rules.map((r) => [r.name, r.strategy, r.to])).toEqual([
      ['east_it', 'roundRobin', { role: 'sales_east' }],
      ['west', 'leastLoaded', { orgUnit: 'WEST' }],
      ['north_nobody', 'roundRobin', { role: 'north_team' }],
      ['north_named', 'roundRobin', { users: ['n1'] }],
    ]);
    expect(model.entitiesByName.inquiry?.assignment?.pool).toEqual({
      returnAfterDays: 7,
      activityField: 'updated_at',
      returnSchedule: { cron: '0 * * * *', tz: 'UTC' },
    });
    expect(model.entitiesByName.app_user?.assignment).toBeUndefined();
  });

  it('a strategy that does not exist', () => {
    const { problems, file } = problemsAfter((lead) => (lead.assignment.rules[1].strategy = 'random'));
    expect(problems.map(brief)).toEqual([{ file, pointer: '/assignment/rules/1/strategy', rule: 'schema.enum' }]);
  });

  it.each([[{ group: 'sales' }], [{ role: '' }], [{ users: [] }], [{ users: ['a', 3] }], [{ role: 'a', orgUnit: 'b' }], [{}]])(
    'an unknown target form: %j',
    (to) => {
      const { problems, file } = problemsAfter((lead) => (lead.assignment.rules[2].to = to));
      expect(problems.map(brief)).toEqual([{ file, pointer: '/assignment/rules/2/to', rule: 'assignment.unknown_target' }]);
    },
  );

  it('needs an owner field that holds a user and may be empty', () => {
    expect(problemsAfter((lead) => delete lead.ownership).problems.map((p) => [p.pointer, p.rule])).toEqual([
      ['/assignment', 'assignment.no_owner_field'],
    ]);
    const required = problemsAfter(
      (lead) => (lead.fields.find((f: EntityFileSpec['fields'][number]) => f.name === 'owner')!.required = true),
    );
    expect(required.problems.map((p) => [p.pointer, p.rule])).toEqual([['/ownership/ownerField', 'assignment.owner_required']]);
    const unit = problemsAfter((lead) => {
      lead.fields.push({ id: 'asgdemo.lead.unit', name: 'unit', kind: 'relation', target: 'org_unit', label: { en: 'Unit' } });
      lead.ownership = { ownerField: 'unit' };
    });
    expect(unit.problems.map((p) => [p.pointer, p.rule])).toEqual([['/ownership/ownerField', 'assignment.owner_not_user']]);
  });

  it('rule ids and names are used once', () => {
    const { problems } = problemsAfter((lead) => {
      lead.assignment.rules[1].id = lead.assignment.rules[0].id;
      lead.assignment.rules[2].name = 'east_it';
    });
    expect(problems.map((p) => [p.pointer, p.rule])).toEqual([
      ['/assignment/rules/1/id', 'assignment.duplicate_rule'],
      ['/assignment/rules/2/name', 'assignment.duplicate_rule'],
    ]);
  });

  it('the activity field is a datetime field, created_at or updated_at', () => {
    expect(problemsAfter((lead) => (lead.assignment.pool.activityField = 'title')).problems.map((p) => [p.pointer, p.rule])).toEqual([
      ['/assignment/pool/activityField', 'assignment.activity_field'],
    ]);
    expect(problemsAfter((lead) => (lead.assignment.pool.activityField = 'created_at')).problems).toEqual([]);
  });
});
