// Reminder rules as a pack declares them and as the Model keeps them. The meta-schema is
// metadata/schema/reminder.schema.json (its description defines an occurrence); check-reminders.ts checks what it
// cannot; compile-model.ts calls compileReminder. Conditions are compiled with the rules (record-rules/compile-reminders.ts)
// and run by workflow/scan-reminders.ts.
import type { Label } from './label.js';

/** Who a reminder reaches. Roles are data, named by code and resolved when the rule runs. */
export type ReminderRecipient =
  { readonly owner: true } | { readonly ownerManager: true } | { readonly role: string } | { readonly field: string };

export interface ReminderSpec {
  id: string;
  name: string;
  label: Label;
  condition?: unknown;
  schedule: { cron?: string; timeZone?: string; dateField?: string; offsetDays?: number; yearly?: boolean; lateDays?: number };
  repeatEveryDays?: number;
  recipients: Array<Record<string, unknown>>;
  message: Label;
}

export type ReminderSchedule =
  | { readonly kind: 'cron'; readonly cron: string; readonly timeZone: string }
  | {
      readonly kind: 'dateOffset';
      readonly dateField: string;
      readonly offsetDays: number;
      readonly yearly: boolean;
      readonly lateDays: number;
      readonly cron: string;
      readonly timeZone: string;
    };

export interface ReminderDef {
  readonly id: string;
  readonly name: string;
  readonly label: Label;
  readonly condition?: unknown;
  readonly schedule: ReminderSchedule;
  readonly repeatEveryDays?: number;
  readonly recipients: readonly ReminderRecipient[];
  readonly message: Label;
}

/** Date-offset rules scan daily: early in the (UTC) morning, before a working day starts in Asia and Europe. */
export const DATE_OFFSET_CRON = '0 6 * * *';
export const DEFAULT_REMINDER_TZ = 'UTC';
export const DEFAULT_LATE_DAYS = 7;

/** Record values a message may name besides the entity's fields. */
export const MESSAGE_SYSTEM_VARIABLES = ['id', 'created_at', 'updated_at'] as const;

/** `{{ name }}` placeholders of a message template, in order of appearance. */
export const TEMPLATE_VARIABLE = /\{\{\s*([^{}]*?)\s*\}\}/g;

export function templateVariables(template: string): string[] {
  return [...template.matchAll(TEMPLATE_VARIABLE)].map((m) => m[1] ?? '');
}

/** The recipient as the Model keeps it, or undefined when it is not exactly one known form. */
export function parseRecipient(r: Record<string, unknown>): ReminderRecipient | undefined {
  const keys = Object.keys(r);
  if (keys.length !== 1) return undefined;
  if (r.owner === true) return { owner: true };
  if (r.ownerManager === true) return { ownerManager: true };
  if (typeof r.role === 'string' && r.role !== '') return { role: r.role };
  if (typeof r.field === 'string' && r.field !== '') return { field: r.field };
  return undefined;
}

/** Only called on checked packs: every recipient parses. */
export function compileReminder(spec: ReminderSpec): ReminderDef {
  const s = spec.schedule;
  const timeZone = s.timeZone ?? DEFAULT_REMINDER_TZ;
  const schedule: ReminderSchedule =
    s.dateField !== undefined
      ? {
          kind: 'dateOffset',
          dateField: s.dateField,
          offsetDays: s.offsetDays ?? 0,
          yearly: s.yearly ?? false,
          lateDays: s.lateDays ?? DEFAULT_LATE_DAYS,
          cron: s.cron ?? DATE_OFFSET_CRON,
          timeZone,
        }
      : { kind: 'cron', cron: s.cron ?? DATE_OFFSET_CRON, timeZone };
  return {
    id: spec.id,
    name: spec.name,
    label: spec.label,
    ...(spec.condition !== undefined ? { condition: spec.condition } : {}),
    schedule,
    ...(spec.repeatEveryDays !== undefined ? { repeatEveryDays: spec.repeatEveryDays } : {}),
    recipients: spec.recipients.map((r) => {
      const parsed = parseRecipient(r);
      if (!parsed) throw new Error(`reminder ${spec.id} has an unchecked recipient`);
      return parsed;
    }),
    message: spec.message,
  };
}
