// The compiled Model: the one deep-frozen description every artefact (DDL plan, API, forms, Cube) is derived from.
import type { PublicFormDef } from './public-form.js';
import type { ApprovalFlowDef } from './approval-flow.js';
import type { AssignmentDef } from './assignment.js';
import type { ReminderDef } from './reminder.js';
import type { AnalyticsDef } from './analytics.js';
import type { UiModel } from './ui-model.js';
import type { Label } from './label.js';
import type { ScheduleDef } from './schedule-def.js';

export type { Label } from './label.js';
export type { ScheduleDef } from './schedule-def.js';

export type SqlBaseType =
  'text' | 'varchar' | 'integer' | 'bigint' | 'numeric' | 'boolean' | 'date' | 'timestamptz' | 'jsonb' | 'uuid' | 'text[]' | 'char';

export interface SqlType {
  readonly base: SqlBaseType;
  /** varchar and char length. */
  readonly length?: number;
  readonly precision?: number;
  readonly scale?: number;
}

/** A literal default as PostgreSQL should store it; raw expressions never come from packs. */
export type ColumnDefault =
  | { readonly kind: 'literal'; readonly value: string | number | boolean | readonly string[] | Readonly<Record<string, unknown>> }
  | { readonly kind: 'now' };

export interface ForeignKeyDef {
  readonly table: string;
  readonly column: string;
  readonly onDelete: 'restrict' | 'cascade' | 'setNull';
}

/**
 * What a column's values must satisfy beyond its SQL type, as the field's options say. The API enforces
 * these through the kind's JSON Schema; the planner counts the stored rows that break them when they change.
 */
export interface ValueRules {
  /** Allowed values (for a text[] column: of each element). */
  readonly values?: readonly string[];
  readonly minLength?: number;
  readonly maxLength?: number;
  /** ECMAScript regex, as the JSON Schema has it. */
  readonly pattern?: string;
  /** Bounds as literals of the column's type ('12.50', '2024-01-01'). */
  readonly min?: string;
  readonly max?: string;
}

export interface ColumnDef {
  readonly name: string;
  readonly type: SqlType;
  readonly nullable: boolean;
  readonly default?: ColumnDefault;
  /** Stable identity of the column: the owning field's id plus the part of the field it stores. */
  readonly key: string;
  readonly references?: ForeignKeyDef;
  readonly rules?: ValueRules;
  /** Stored values to rewrite when the Model is applied (an enum's valueMap). */
  readonly valueMap?: Readonly<Record<string, string>>;
}

export interface EnumValue {
  readonly value: string;
  readonly label: Label;
  readonly color?: string;
}

export type Cardinality = 'belongsTo' | 'manyToMany';

/** A value aggregated over a hasMany relation's live records, kept up to date by every write to them. */
export interface RollupSpec {
  /** The hasMany (inverse) relation's name on this entity. */
  readonly relation: string;
  readonly aggregate: 'count' | 'sum' | 'min' | 'max' | 'avg';
  /** The child field aggregated (all but count). */
  readonly field?: string;
  /** JSON Logic over the child's own fields: only matching children count. */
  readonly filter?: unknown;
}

/** Points a record earns: for a condition that holds, or by bands of a computed number. */
export interface ScoreCriterion {
  readonly id: string;
  readonly label: Label;
  readonly when?: unknown;
  readonly points?: number;
  /** A numeric expression whose value picks the first band it reaches (bands ordered by `min`, highest first). */
  readonly value?: unknown;
  readonly bands?: readonly { readonly min: number | string; readonly points: number }[];
}

export interface ScoreBand {
  readonly band: string;
  readonly label?: Label;
  /** The least points of the band; the band without `min` takes every score below the others. */
  readonly min?: number;
}

export interface ScoringSpec {
  readonly criteria: readonly ScoreCriterion[];
  readonly bands?: readonly ScoreBand[];
}

/**
 * A text field the engine fills on create from a pattern such as `CT-{YYYY}-{seq:5}` (numbering-pattern.ts
 * says what a pattern may hold; numbering-reserved.ts what a reserved entry is).
 */
export interface NumberingRule {
  readonly pattern: string;
  /** Sequence numbers automatic numbering skips: `888` (that number), `*888` (ending in 888), `9000-9099` (a range). */
  readonly reserved?: readonly string[];
  /** IANA time zone the date parts are read in; UTC when absent. */
  readonly timeZone?: string;
}

/**
 * One allowed change of an enum field (a state machine's edge). `roles` are role codes: roles are data, so they are
 * matched against the caller's roles when the write runs; absent or empty, anyone who may update may take it.
 */
export interface TransitionDef {
  readonly id: string;
  readonly name: string;
  readonly label?: Label;
  readonly from: readonly string[];
  readonly to: string;
  readonly roles?: readonly string[];
  /** JSON Logic over the record as stored before the change: the transition is taken only while it holds. */
  readonly when?: unknown;
  /** Fields the transition sets in the same write: a literal, or an expression over the stored record. */
  readonly set?: Readonly<Record<string, unknown>>;
  /** An approval flow of the entity (by name) the record is submitted to by taking the transition. */
  readonly startFlow?: string;
  /** A plugin action of the entity run in the same write (workflow effects a plugin implements). */
  readonly runAction?: string;
}

/** An enum field's state machine: the states a record may start in, and the only changes it may go through. */
export interface TransitionsSpec {
  /** Absent: the field's default, else any state. */
  readonly initial?: readonly string[];
  readonly allowed: readonly TransitionDef[];
}

/**
 * Options a pack may give a field; which ones apply depends on its kind (FieldKind.options). The one list:
 * pack files (pack-spec.ts), the Model and the kind table derive from it, and a unit test holds
 * metadata/schema/field.schema.json to it.
 */
export interface FieldOptions {
  readonly unique?: boolean;
  readonly default?: unknown;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly min?: number | string;
  readonly max?: number | string;
  readonly precision?: number;
  readonly scale?: number;
  readonly currencies?: readonly string[];
  readonly values?: readonly EnumValue[];
  /** Stored values that are no longer among `values`, mapped to the value they become when the pack is applied. */
  readonly valueMap?: Readonly<Record<string, string>>;
  /** Entity name a relation or user field points to. */
  readonly target?: string;
  readonly cardinality?: Cardinality;
  readonly onDelete?: 'restrict' | 'cascade' | 'setNull';
  readonly inverse?: { readonly name: string; readonly label: Label };
  /** JSON Logic expression over the record and its belongsTo chain: the stored, read-only value. */
  readonly computed?: unknown;
  readonly rollup?: RollupSpec;
  readonly scoring?: ScoringSpec;
  readonly numbering?: NumberingRule;
  readonly transitions?: TransitionsSpec;
}

export type FieldOption = keyof FieldOptions;

// A mapped type with every key required: adding an option to FieldOptions fails to compile until it is here.
const OPTION_SET: { readonly [K in FieldOption]-?: true } = {
  unique: true,
  default: true,
  minLength: true,
  maxLength: true,
  pattern: true,
  min: true,
  max: true,
  precision: true,
  scale: true,
  currencies: true,
  values: true,
  valueMap: true,
  target: true,
  cardinality: true,
  onDelete: true,
  inverse: true,
  computed: true,
  rollup: true,
  scoring: true,
  numbering: true,
  transitions: true,
};

export const FIELD_OPTIONS: readonly FieldOption[] = Object.keys(OPTION_SET) as FieldOption[];

/** Conditions (JSON Logic over the record) under which a field of any kind is shown, required or read-only. */
export const FIELD_RULE_KEYS = ['visibleWhen', 'requiredWhen', 'readOnlyWhen'] as const;
export type FieldRuleKey = (typeof FIELD_RULE_KEYS)[number];

/** Keys every field has whatever its kind. */
export const GENERIC_FIELD_KEYS = ['id', 'name', 'kind', 'label', 'description', 'required', ...FIELD_RULE_KEYS] as const;

export interface FieldDef extends FieldOptions {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly label: Label;
  readonly description?: Label;
  readonly required: boolean;
  readonly unique: boolean;
  readonly visibleWhen?: unknown;
  readonly requiredWhen?: unknown;
  readonly readOnlyWhen?: unknown;
  /** Physical columns on the entity's own table (none for manyToMany). */
  readonly columns: readonly ColumnDef[];
  /** For manyToMany: the junction table. */
  readonly junction?: JunctionDef;
}

export interface JunctionDef {
  readonly key: string;
  readonly table: string;
  readonly sourceColumn: string;
  readonly targetColumn: string;
  readonly sourceTable: string;
  readonly targetTable: string;
}

/** The far side of a relation declared on another entity (hasMany, or a manyToMany seen from its target). */
export interface InverseRelationDef {
  readonly name: string;
  readonly label: Label;
  readonly kind: 'hasMany' | 'manyToMany';
  /** Entity that declares the relation field. */
  readonly sourceEntity: string;
  readonly sourceField: string;
}

export interface IndexKeyDef {
  readonly column: string;
  readonly descending: boolean;
}

export interface IndexDef {
  /** Stable identity: declared index id, or derived from the field for implied indexes. */
  readonly key: string;
  /** Physical index name. */
  readonly name: string;
  readonly table: string;
  readonly keys: readonly IndexKeyDef[];
  readonly unique: boolean;
  /** Partial-index condition (JSON Logic over the entity's fields); compiled to SQL by the planner. */
  readonly where?: unknown;
  /** Soft-deleted rows never count against uniqueness. */
  readonly liveOnly: boolean;
}

/** A condition every record must meet after any write, with the message and the fields it concerns. */
export interface ValidationRuleDef {
  readonly id: string;
  readonly name: string;
  readonly condition: unknown;
  readonly message: Label;
  readonly fields: readonly string[];
}

export interface EntityDef {
  readonly id: string;
  readonly name: string;
  readonly table: string;
  readonly pack: string;
  readonly file: string;
  readonly label: Label;
  readonly pluralLabel: Label;
  readonly description?: Label;
  readonly titleField?: string;
  /** Text fields global search finds records by, when the pack names them (search/search-fields.ts has the default). */
  readonly searchFields?: readonly string[];
  /** Who owns a record; `parentField` names the belongsTo relation whose record's scope reaches this one. */
  readonly ownership?: { readonly ownerField?: string; readonly orgUnitField?: string; readonly parentField?: string };
  readonly fields: readonly FieldDef[];
  readonly inverses: readonly InverseRelationDef[];
  readonly indexes: readonly IndexDef[];
  readonly validationRules: readonly ValidationRuleDef[];
  /** Every column including system columns, in table order. */
  readonly columns: readonly ColumnDef[];
  /** Assignment rules and the public pool (metadata/assignment.ts). */
  readonly assignment?: AssignmentDef;
  /** Approval flows (metadata/approval-flow.ts). */
  readonly approvalFlows?: readonly ApprovalFlowDef[];
  /** When every record's derived fields are recomputed (rules that read today()). */
  readonly recomputeSchedule?: ScheduleDef;
  /** Reminder rules (metadata/reminder.ts); absent when the entity has none. */
  readonly reminders?: readonly ReminderDef[];
  /** Plugin actions run on a schedule for the records meeting a condition; absent when the entity has none. */
  readonly scheduledActions?: readonly ScheduledActionDef[];
  /** Forms filled in through a link, without an account (metadata/public-form.ts). */
  readonly publicForms?: readonly PublicFormDef[];
  /** Measures and segments the pack declares for the entity's cube (metadata/analytics.ts). */
  readonly analytics?: AnalyticsDef;
}

export interface ScheduledActionDef {
  readonly id: string;
  readonly name: string;
  readonly label?: Label;
  readonly action: string;
  readonly schedule: ScheduleDef;
  readonly when?: unknown;
  readonly input: Readonly<Record<string, unknown>>;
}

/** A plugin job a pack runs on a schedule (pack.json `schedules`). */
export interface PackJobScheduleDef {
  readonly id: string;
  readonly job: string;
  readonly schedule: ScheduleDef;
  readonly payload: Readonly<Record<string, unknown>>;
}

export interface PackInfo {
  readonly name: string;
  readonly version: string;
  readonly label: Label;
  readonly requires: Readonly<Record<string, string>>;
  readonly plugins: readonly string[];
  /** Absent when the pack schedules no job (so such packs keep their Model hash). */
  readonly schedules?: readonly PackJobScheduleDef[];
  readonly dir: string;
}

export interface Model {
  /** sha256 of the canonical JSON of everything below; equal packs give equal hashes. */
  readonly hash: string;
  readonly packs: readonly PackInfo[];
  readonly entities: readonly EntityDef[];
  readonly entitiesByName: Readonly<Record<string, EntityDef>>;
  /** Layouts, list views and apps; absent in Models published before the UI kinds existed. */
  readonly ui?: UiModel;
}
