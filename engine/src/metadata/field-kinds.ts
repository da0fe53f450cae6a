// Field kinds as data: one entry per kind says how it is stored, validated, read, filtered and shown.
// Adding a kind is one entry (builtin-field-kinds.ts, or a plugin registration) plus its tests: the rest of
// the engine asks the entry, it never switches on kind names.
import type { ColumnDef, FieldDef, FieldOption } from './model.js';
import type { CellResult } from './cell-text.js';

export type { FieldOption } from './model.js';

/** What a kind's values are to the condition language (both evaluators) and to sorting. */
export type OperandType = 'text' | 'integer' | 'decimal' | 'boolean' | 'date' | 'datetime' | 'enum' | 'multienum' | 'json' | 'id';

export type JsonSchema = Record<string, unknown>;

/** The entity a `user` field points to; it is provided by the core pack. */
export const USER_ENTITY = 'app_user';

/** A field as the kind sees it while the Model is compiled (columns not derived yet). */
export type FieldSpec = Omit<FieldDef, 'columns' | 'junction'>;

/** A named part of a value that conditions and sorts address as `field.part` (money's `amount`). */
export interface SubPath {
  /** Index into the field's columns. */
  readonly column: number;
  readonly operand: OperandType;
  /** Operators allowed on the part; absent: the kind's own (with plugin operators for its operand). */
  readonly operators?: readonly string[];
}

/** A kind whose value is the id of a record (of `target`, or of the entity the field names). */
export interface ReferenceTraits {
  /** Fixed target entity (a user field always points to app_user); absent: the field's `target` option. */
  readonly target?: string;
  /** The target entity sees the relation from its side (hasMany / manyToMany inverse). */
  readonly hasInverse: boolean;
}

export interface FieldKind {
  readonly name: string;
  readonly options: readonly FieldOption[];
  /** Options a field of this kind must carry. */
  readonly requiredOptions?: readonly FieldOption[];
  /** JSON Schema of a `min`/`max` option value (kinds with bounds). */
  readonly boundSchema?: JsonSchema;
  readonly operand: OperandType;
  /** Filter operators allowed on this kind (logical and/or/! are always allowed). */
  readonly operators: readonly string[];
  /** Default rjsf widget (undefined: rjsf's own choice for the JSON type). */
  readonly widget?: string;
  /** Cube dimension type, or null when the kind is not a dimension. */
  readonly cubeType: 'string' | 'number' | 'time' | 'boolean' | null;
  /** False when its column cannot be an index key (arrays, JSON); default true. */
  readonly indexable?: boolean;
  /** Which of its columns an index on the field keys on (by position); absent: all of them. */
  readonly indexColumns?: readonly number[];
  readonly reference?: ReferenceTraits;
  /** The engine computes every value (a score): clients never write it. */
  readonly derived?: boolean;
  /** Parts of the value conditions and sorts name; a field with parts cannot be used by its bare name. */
  readonly subPaths?: Readonly<Record<string, SubPath>>;
  /**
   * A value that adds up only within a unit (money: amounts per currency): aggregates sum the `value` part
   * grouped by the `unit` part, never across units. Both name subPaths.
   */
  readonly measureParts?: { readonly value: string; readonly unit: string };
  /** Options a field of this kind always has (a user field's target), filled in before anything else. */
  implied?(field: FieldSpec): Partial<FieldSpec>;
  /** Physical columns on the entity's table. */
  columns(field: FieldSpec): ColumnDef[];
  /** JSON Schema of the value as the API reads and writes it. */
  valueSchema(field: FieldSpec): JsonSchema;
  /** JSON Schema of the `default` option, when it may name something other than a value (datetime 'now'). */
  defaultSchema?(field: FieldSpec): JsonSchema;
  /** The value an omitted field takes on create; absent: a copy of its `default`. */
  defaultValue?(field: FieldSpec): unknown;
  /** SQL giving the API value from the field's column expressions; absent: the one column as it is. */
  selectSql?(columns: readonly string[]): string;
  /**
   * SQL giving the key (SHA-256) of the stored blob a value names, from the field's column expressions; absent: the
   * kind names no blob. Blob garbage collection keeps every blob some field's value names (jobs/collect-blobs.ts).
   */
  blobKeySql?(columns: readonly string[]): string;
  /** A spreadsheet cell's text as a value (imports); absent: read by the operand type (data/import-values.ts). */
  fromCell?(text: string, field: FieldDef): CellResult;
  /** Column values (in `columns` order) for an API value; absent: the value itself in the one column. */
  toColumns?(value: unknown): readonly unknown[];
  /** rjsf `ui:*` entries beyond the widget (enum labels, relation targets). */
  uiOptions?(field: FieldSpec, locale: string): Record<string, unknown>;
}

export const EQUALITY = ['==', '!=', 'in', 'isNull'] as const;
export const ORDERED = [...EQUALITY, '<', '<=', '>', '>=', 'between'] as const;

/** Kinds by name. Plugins add theirs through the plugin host before the Model is compiled. */
export type FieldKindRegistry = ReadonlyMap<string, FieldKind>;

/** The kind of a field of a checked Model; a missing one is a broken invariant, not user input. */
export function kindOf(kinds: FieldKindRegistry, field: { readonly kind: string }): FieldKind {
  const kind = kinds.get(field.kind);
  if (!kind) throw new Error(`field kind '${field.kind}' is not registered`);
  return kind;
}

/** Whether the engine computes the field's value (a derived kind, a computed or rollup field): read-only to clients. */
export function isDerivedField(kinds: FieldKindRegistry, field: FieldSpec): boolean {
  return field.computed !== undefined || field.rollup !== undefined || kindOf(kinds, field).derived === true;
}

/** A kind's value as the API sends it, split into its columns. */
export function valueColumns(kind: FieldKind, value: unknown): readonly unknown[] {
  return kind.toColumns ? kind.toColumns(value) : [value];
}
