// Cross-reference checks of an entity's reminders that the meta-schema cannot express: ids and names used once, a
// cron that parses in a time zone that exists, a date field that is a date, recipients that can be reached (an
// owner field, a user field), and message variables that are fields. Conditions are checked with the rules
// (record-rules/compile-reminders.ts), which need the engine's operators. Called by check-entities.ts.
import { CronExpressionParser } from 'cron-parser';
import { pointer } from '../shared/json-pointer.js';
import type { Report } from './check-report.js';
import { USER_ENTITY, type FieldKindRegistry } from './field-kinds.js';
import type { EntityFileSpec } from './pack-spec.js';
import { DEFAULT_REMINDER_TZ, MESSAGE_SYSTEM_VARIABLES, parseRecipient, templateVariables, type ReminderSpec } from './reminder.js';

/** System columns a date-offset rule may count from. */
const SYSTEM_DATE_COLUMNS = new Set(['created_at', 'updated_at']);

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Why `cron` does not parse (5 fields, or 6 with seconds first, as the job queue reads them), or undefined. */
function cronProblem(cron: string, tz: string): string | undefined {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) return `cron '${cron}' must have 5 fields, or 6 with seconds first`;
  try {
    CronExpressionParser.parse(cron, { tz });
    return undefined;
  } catch (err) {
    return `cron '${cron}' is not valid: ${err instanceof Error ? err.message : String(err)}`;
  }
}

function checkSchedule(spec: EntityFileSpec, reminder: ReminderSpec, at: string, kinds: FieldKindRegistry, report: Report): void {
  const s = reminder.schedule;
  const tz = s.timeZone ?? DEFAULT_REMINDER_TZ;
  if (!isTimeZone(tz)) {
    report({ pointer: `${at}/schedule/timeZone`, rule: 'reminder.invalid_time_zone', message: `'${tz}' is not an IANA time zone` });
  } else if (s.cron !== undefined) {
    const problem = cronProblem(s.cron, tz);
    if (problem) report({ pointer: `${at}/schedule/cron`, rule: 'reminder.invalid_cron', message: problem });
  }
  if (s.dateField !== undefined) {
    if (reminder.repeatEveryDays !== undefined) {
      report({
        pointer: `${at}/repeatEveryDays`,
        rule: 'reminder.repeat_with_date',
        message: 'a date-offset reminder fires once per date; repeatEveryDays is for cron rules',
      });
    }
    if (SYSTEM_DATE_COLUMNS.has(s.dateField)) return;
    const field = spec.fields.find((f) => f.name === s.dateField);
    if (!field) {
      report({
        pointer: `${at}/schedule/dateField`,
        rule: 'reminder.unknown_field',
        message: `'${s.dateField}' is not a field of ${spec.name}`,
      });
      return;
    }
    const kind = kinds.get(field.kind);
    if (!kind || (kind.operand !== 'date' && kind.operand !== 'datetime') || kind.subPaths !== undefined) {
      report({
        pointer: `${at}/schedule/dateField`,
        rule: 'reminder.date_field_kind',
        message: `a date offset counts from a date or date-time field; '${s.dateField}' is a ${field.kind} field`,
      });
    }
  }
}

function checkRecipients(spec: EntityFileSpec, reminder: ReminderSpec, index: number, kinds: FieldKindRegistry, report: Report): void {
  reminder.recipients.forEach((raw, j) => {
    const here = pointer('reminders', index, 'recipients', j);
    const r = parseRecipient(raw);
    if (!r) {
      report({
        pointer: here,
        rule: 'reminder.unknown_recipient',
        message: `a recipient must be exactly one of owner, ownerManager, role, field`,
      });
      return;
    }
    if (('owner' in r || 'ownerManager' in r) && !spec.ownership?.ownerField) {
      report({
        pointer: here,
        rule: 'reminder.no_owner_field',
        message: `${spec.name} has no ownership.ownerField, so its records have no owner to remind`,
      });
    }
    if ('field' in r) {
      const field = spec.fields.find((f) => f.name === r.field);
      const kind = field ? kinds.get(field.kind) : undefined;
      if (!field) {
        report({ pointer: `${here}/field`, rule: 'reminder.unknown_field', message: `'${r.field}' is not a field of ${spec.name}` });
      } else if (!kind?.reference || (kind.reference.target ?? field.target) !== USER_ENTITY || field.cardinality === 'manyToMany') {
        report({
          pointer: `${here}/field`,
          rule: 'reminder.recipient_not_user',
          message: `a recipient field must hold one user; '${r.field}' is a ${field.kind} field`,
        });
      }
    }
  });
}

export function checkReminders(spec: EntityFileSpec, kinds: FieldKindRegistry, report: Report): void {
  const ids = new Map<string, number>();
  const names = new Map<string, number>();
  const variables = new Set<string>([...spec.fields.map((f) => f.name), ...MESSAGE_SYSTEM_VARIABLES]);
  (spec.reminders ?? []).forEach((reminder, i) => {
    const at = pointer('reminders', i);
    const sameId = ids.get(reminder.id);
    if (sameId !== undefined) {
      report({
        pointer: `${at}/id`,
        rule: 'reminder.duplicate',
        message: `reminder id '${reminder.id}' is also used at /reminders/${sameId}`,
      });
    }
    const sameName = names.get(reminder.name);
    if (sameName !== undefined) {
      report({
        pointer: `${at}/name`,
        rule: 'reminder.duplicate',
        message: `reminder name '${reminder.name}' is also used at /reminders/${sameName}`,
      });
    }
    ids.set(reminder.id, i);
    names.set(reminder.name, i);
    checkSchedule(spec, reminder, at, kinds, report);
    checkRecipients(spec, reminder, i, kinds, report);
    for (const [locale, template] of Object.entries(reminder.message)) {
      for (const name of templateVariables(template)) {
        if (!variables.has(name)) {
          report({
            pointer: pointer('reminders', i, 'message', locale),
            rule: 'reminder.unknown_variable',
            message: `{{${name}}} is not a field of ${spec.name}`,
          });
        }
      }
    }
  });
}
