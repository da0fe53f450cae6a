// The shapes of pack files once they have passed the meta-schema (metadata/schema/*.schema.json).
import type { PublicFormDef } from './public-form.js';
import type { ApprovalFlowDef } from './approval-flow.js';
import type { AssignmentSpec } from './assignment.js';
import type { ReminderSpec } from './reminder.js';
import type { AnalyticsDef } from './analytics.js';
import type { UiKindKey } from './ui-model.js';
import type { FieldOptions, Label, ValidationRuleDef } from './model.js';

export interface PackManifestSpec {
  name: string;
  version: string;
  label: Label;
  description?: Label;
  requires?: Record<string, string>;
  plugins?: string[];
  schedules?: { id: string; job: string; schedule: { cron: string; timeZone?: string }; payload?: Record<string, unknown> }[];
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** A field as its pack file gives it: the generic keys, then the options of model.ts's one list. */
export interface FieldFileSpec extends Writable<FieldOptions> {
  id: string;
  name: string;
  kind: string;
  label: Label;
  description?: Label;
  required?: boolean;
  visibleWhen?: unknown;
  requiredWhen?: unknown;
  readOnlyWhen?: unknown;
}

export interface IndexFileSpec {
  id: string;
  name: string;
  fields: string[];
  unique?: boolean;
  where?: unknown;
}

export interface ScheduledActionSpec {
  id: string;
  name: string;
  label?: Label;
  action: string;
  schedule: { cron: string; timeZone?: string };
  when?: unknown;
  input?: Record<string, unknown>;
}

export interface EntityFileSpec {
  id: string;
  name: string;
  label: Label;
  pluralLabel?: Label;
  description?: Label;
  titleField?: string;
  searchFields?: string[];
  ownership?: { ownerField?: string; orgUnitField?: string; parentField?: string };
  fields: FieldFileSpec[];
  indexes?: IndexFileSpec[];
  validationRules?: Array<Omit<ValidationRuleDef, 'fields'> & { fields?: string[] }>;
  assignment?: AssignmentSpec;
  recomputeSchedule?: { cron: string; timeZone?: string };
  reminders?: ReminderSpec[];
  scheduledActions?: ScheduledActionSpec[];
  approvalFlows?: ApprovalFlowDef[];
  publicForms?: PublicFormDef[];
  analytics?: AnalyticsDef;
}

/** A pack whose files all passed the meta-schema. */
export interface ValidPack {
  readonly dir: string;
  readonly file: string;
  readonly manifest: PackManifestSpec;
  readonly entities: ReadonlyArray<{ file: string; spec: EntityFileSpec }>;
  /** UI documents that passed their meta-schema, as written (compile-ui.ts reads them). */
  readonly ui: Readonly<Record<UiKindKey, ReadonlyArray<{ file: string; spec: unknown }>>>;
}
