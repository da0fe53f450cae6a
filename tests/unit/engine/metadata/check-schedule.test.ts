// Schedules a pack declares (#20 part 6): a pool's returnSchedule and an entity's recomputeSchedule. Bad ones are
// metadata problems with file, pointer and rule; a stored value may read the clock only where a schedule recomputes it.
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../../../engine/src/metadata/load-model.js';
import { MetadataError, type MetadataProblem } from '../../../../engine/src/metadata/metadata-problem.js';
import { recordRuleProblems } from '../../../../engine/src/record-rules/compile-record-rules.js';
import { makeTempDir, readPack, removeDir, writePackSource } from '../../../support/pack-builder.js';
import { BUILTIN_RULES } from '../../../support/builtin-rules.js';

const CORE = resolve('metadata/packs/core');
const FIXTURE = resolve('tests/fixtures/packs/schedule-demo');
const root = makeTempDir('tessera-schedule-');
afterAll(() => removeDir(root));

let counter = 0;
/** Core + the fixture after `mutate` changed its ticket: the loader's problems, else the rules' problems. */
function problemsAfter(mutate: (ticket: any) => void): { problems: readonly MetadataProblem[]; file: string } {
  const pack = readPack(FIXTURE);
  const ticket = pack.entities.find((e) => e.name === 'ticket');
  if (!ticket) throw new Error('the fixture has no ticket');
  mutate(ticket);
  const dir = writePackSource(join(root, `${++counter}`, 'schedule_demo'), pack);
  const file = join(dir, 'entities', 'ticket.json');
  try {
    return { problems: recordRuleProblems(loadModel([CORE, dir], { kinds: BUILTIN_RULES.kinds }), BUILTIN_RULES), file };
  } catch (e) {
    if (e instanceof MetadataError) return { problems: e.problems, file };
    throw e;
  }
}

const brief = (p: MetadataProblem) => ({ file: p.file, pointer: p.pointer, rule: p.rule });

describe('schedule metadata', () => {
  it('the fixture loads, with the time zone defaulted to UTC', () => {
    const model = loadModel([CORE, FIXTURE], { kinds: BUILTIN_RULES.kinds });
    const ticket = model.entitiesByName.ticket;
    expect(ticket?.recomputeSchedule).toEqual({ cron: '0 3 * * *', tz: 'Asia/Shanghai' });
    expect(ticket?.assignment?.pool.returnSchedule).toEqual({ cron: '*/10 * * * *', tz: 'UTC' });
    expect(recordRuleProblems(model, BUILTIN_RULES)).toEqual([]);
  });

  it.each([
    ['0 3 * *', /must have 5 fields/],
    ['0 25 * * *', /not valid/],
    ['every day', /must have 5 fields/],
  ])('a cron that does not parse: %s', (cron, message) => {
    const { problems, file } = problemsAfter((t) => (t.recomputeSchedule.cron = cron));
    expect(problems.map(brief)).toEqual([{ file, pointer: '/recomputeSchedule/cron', rule: 'schedule.invalid_cron' }]);
    expect(problems[0]?.message).toMatch(message);
  });

  it('a time zone that does not exist', () => {
    const { problems, file } = problemsAfter((t) => (t.assignment.pool.returnSchedule.timeZone = 'Mars/Olympus'));
    expect(problems.map(brief)).toEqual([
      { file, pointer: '/assignment/pool/returnSchedule/timeZone', rule: 'schedule.unknown_time_zone' },
    ]);
  });

  it('a return schedule without returnAfterDays', () => {
    const { problems, file } = problemsAfter((t) => delete t.assignment.pool.returnAfterDays);
    expect(problems.map(brief)).toEqual([{ file, pointer: '/assignment/pool/returnSchedule', rule: 'assignment.schedule_without_days' }]);
  });

  it('a schedule that is not an object with a cron', () => {
    const { problems, file } = problemsAfter((t) => (t.recomputeSchedule = { timeZone: 'UTC' }));
    expect(problems.map(brief)).toEqual([{ file, pointer: '/recomputeSchedule/cron', rule: 'schema.required' }]);
  });

  it('a recompute schedule on an entity with nothing to recompute', () => {
    const { problems, file } = problemsAfter((t) => (t.fields = t.fields.filter((f: any) => f.name !== 'age_days')));
    expect(problems.map(brief)).toEqual([{ file, pointer: '/recomputeSchedule', rule: 'rules.nothing_to_recompute' }]);
  });

  it('a stored value that reads the clock without a recompute schedule', () => {
    const { problems, file } = problemsAfter((t) => delete t.recomputeSchedule);
    expect(problems.map(brief)).toEqual([{ file, pointer: '/fields/3/computed/daysBetween/1/today', rule: 'filter.volatile' }]);
    expect(problems[0]?.message).toMatch(/unless its entity declares a recomputeSchedule/);
  });
});
