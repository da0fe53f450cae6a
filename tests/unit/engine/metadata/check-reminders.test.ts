// Reminder rules (#20 part 4) as metadata: the reminder-demo fixture expresses the seeds' reminders (a)-(k), and each
// bad input is a problem naming the file, the JSON pointer and the rule — the pack's own checks (fields, kinds,
// cron, recipients, template variables) and the condition compiled with the rules.
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../../../engine/src/metadata/load-model.js';
import { MetadataError, type MetadataProblem } from '../../../../engine/src/metadata/metadata-problem.js';
import { recordRuleProblems } from '../../../../engine/src/record-rules/compile-record-rules.js';
import { BUILTIN_RULES } from '../../../support/builtin-rules.js';
import { makeTempDir, removeDir, writePack } from '../../../support/pack-builder.js';

const ROOT = resolve(import.meta.dirname, '../../../..');
const FIXTURE = join(ROOT, 'tests/fixtures/packs/reminder-demo');
const CORE = join(ROOT, 'metadata/packs/core');

type Json = Record<string, any>;

function load(change: (entities: Record<string, Json>) => void = () => undefined) {
  const manifest = JSON.parse(readFileSync(join(FIXTURE, 'pack.json'), 'utf8')) as Json;
  const entities = readdirSync(join(FIXTURE, 'entities')).map(
    (f) => JSON.parse(readFileSync(join(FIXTURE, 'entities', f), 'utf8')) as Json,
  );
  change(Object.fromEntries(entities.map((e) => [e.name, e])));
  const dir = makeTempDir('tessera-reminders-');
  try {
    writePack(dir, { ...manifest, plugins: [] }, entities);
    const model = loadModel([CORE, dir], { kinds: BUILTIN_RULES.kinds });
    return { model, problems: recordRuleProblems(model, BUILTIN_RULES) };
  } catch (e) {
    if (e instanceof MetadataError) return { model: undefined, problems: e.problems };
    throw e;
  } finally {
    removeDir(dir);
  }
}

const brief = (problems: readonly MetadataProblem[]) =>
  problems.map((p) => ({ file: p.file.split('/').pop(), pointer: p.pointer, rule: p.rule }));

describe('reminder rules as metadata', () => {
  it('expresses the seeds’ reminders on leads and customers', () => {
    const { model, problems } = load();
    expect(problems).toEqual([]);
    expect(model?.entitiesByName.lead?.reminders?.map((r) => r.name)).toEqual([
      'not_qualified',
      'no_rep',
      'not_contacted',
      'no_action',
      'first_contact',
      'stage_stale',
      'qualified_no_opportunity',
      'many_opportunities',
    ]);
    const birthday = model?.entitiesByName.customer?.reminders?.find((r) => r.name === 'birthday');
    expect(birthday?.schedule).toEqual({
      kind: 'dateOffset',
      dateField: 'birthday',
      offsetDays: -3,
      yearly: true,
      lateDays: 7,
      cron: '0 6 * * *',
      timeZone: 'UTC',
    });
    expect(birthday?.recipients).toEqual([{ field: 'account_manager' }]);
  });

  it('names file, pointer and rule for each bad input', () => {
    const { problems } = load((e) => {
      const [notQualified, noRep, notContacted, noAction, firstContact, stageStale] = e.lead!.reminders;
      firstContact.schedule.dateField = 'first_contact_date'; // unknown field
      stageStale.schedule = { dateField: 'name', offsetDays: 1 }; // a text field is no date
      notQualified.schedule.cron = '0 25 * * *'; // hour 25
      noRep.schedule.timeZone = 'Mars/Olympus';
      notContacted.message.en = 'No contact with {{customer_name}}'; // not a field
      noAction.recipients = [{ field: 'assistant' }, { field: 'name' }]; // unknown, and not a user field
      e.customer!.reminders[1].repeatEveryDays = 3; // only for cron rules
      e.customer!.reminders[2].id = e.customer!.reminders[1].id;
    });
    expect(brief(problems)).toEqual(
      expect.arrayContaining([
        { file: 'lead.json', pointer: '/reminders/4/schedule/dateField', rule: 'reminder.unknown_field' },
        { file: 'lead.json', pointer: '/reminders/5/schedule/dateField', rule: 'reminder.date_field_kind' },
        { file: 'lead.json', pointer: '/reminders/0/schedule/cron', rule: 'reminder.invalid_cron' },
        { file: 'lead.json', pointer: '/reminders/1/schedule/timeZone', rule: 'reminder.invalid_time_zone' },
        { file: 'lead.json', pointer: '/reminders/2/message/en', rule: 'reminder.unknown_variable' },
        { file: 'lead.json', pointer: '/reminders/3/recipients/0/field', rule: 'reminder.unknown_field' },
        { file: 'lead.json', pointer: '/reminders/3/recipients/1/field', rule: 'reminder.recipient_not_user' },
        { file: 'customer.json', pointer: '/reminders/1/repeatEveryDays', rule: 'reminder.repeat_with_date' },
        { file: 'customer.json', pointer: '/reminders/2/id', rule: 'reminder.duplicate' },
      ]),
    );
    expect(problems).toHaveLength(9);
    const message = problems.find((p) => p.rule === 'reminder.invalid_cron')?.message;
    expect(message).toMatch(/0 25 \* \* \*/);
  });

  it('reports a condition over an unknown field with the rules', () => {
    const { problems } = load((e) => {
      e.customer!.reminders[0].condition = { '==': [{ var: 'acount_manager' }, null] };
    });
    expect(brief(problems)).toEqual([{ file: 'customer.json', pointer: '/reminders/0/condition/==/0', rule: 'filter.unknown_field' }]);
  });

  it('checks the shape of recipients and schedules against the meta-schema', () => {
    const { problems } = load((e) => {
      e.customer!.reminders[0].recipients = [{ owner: true, role: 'x' }];
      e.customer!.reminders[1].schedule = { dateField: 'birthday' };
    });
    expect(brief(problems).map((p) => p.pointer)).toEqual(expect.arrayContaining(['/reminders/0/recipients/0', '/reminders/1/schedule']));
  });

  it('needs an owner field for owner recipients', () => {
    const { problems } = load((e) => {
      delete e.customer!.ownership;
      e.customer!.reminders = [e.customer!.reminders[2]];
    });
    expect(brief(problems)).toEqual([{ file: 'customer.json', pointer: '/reminders/0/recipients/0', rule: 'reminder.no_owner_field' }]);
  });
});
