// Field kinds as data: one entry per kind says how it is stored, validated, filtered and shown.
// Adding a kind is one entry here (or a plugin registration) plus its tests; nothing else switches on kinds.
import type { ColumnDef, ColumnDefault, FieldDef, SqlType } from './model.js';

/** What a kind's values are to the condition language (both evaluators) and to sorting. */
export type OperandType =
  | 'text' | 'integer' | 'decimal' | 'boolean' | 'date' | 'datetime' | 'enum' | 'multienum' | 'json' | 'id';

/** Options a field may carry; each kind lists the ones that mean something for it. */
export type FieldOption =
  | 'minLength' | 'maxLength' | 'pattern' | 'min' | 'max' | 'precision' | 'scale' | 'currencies'
  | 'values' | 'target' | 'cardinality' | 'onDelete' | 'inverse' | 'unique' | 'default';

export type JsonSchema = Record<string, unknown>;

/** The entity a `user` field points to; it is provided by the core pack. */
export const USER_ENTITY = 'app_user';

/** A field as the kind sees it while the Model is compiled (columns not derived yet). */
export type FieldSpec = Omit<FieldDef, 'columns' | 'junction'>;

export interface FieldKind {
  readonly name: string;
  readonly options: readonly FieldOption[];
  readonly operand: OperandType;
  /** Filter operators allowed on this kind (logical and/or/! are always allowed). */
  readonly operators: readonly string[];
  /** Default rjsf widget (undefined: rjsf's own choice for the JSON type). */
  readonly widget?: string;
  /** Cube dimension type, or null when the kind is not a dimension. */
  readonly cubeType: 'string' | 'number' | 'time' | 'boolean' | null;
  /** Physical columns on the entity's table. */
  columns(field: FieldSpec): ColumnDef[];
  /** JSON Schema of the value as the API reads and writes it. */
  valueSchema(field: FieldSpec): JsonSchema;
}

export const EQUALITY = ['==', '!=', 'in', 'isNull'] as const;
export const ORDERED = [...EQUALITY, '<', '<=', '>', '>=', 'between'] as const;
const TEXTUAL = [...ORDERED, 'contains', 'startsWith'] as const;

function literalDefault(field: FieldSpec): ColumnDefault | undefined {
  if (field.default === undefined || field.default === null) return undefined;
  return { kind: 'literal', value: field.default as string | number | boolean };
}

function single(field: FieldSpec, type: SqlType, extra: Partial<ColumnDef> = {}): ColumnDef[] {
  const def = extra.default ?? literalDefault(field);
  return [{
    name: field.name,
    type,
    nullable: !field.required,
    key: `${field.id}#value`,
    ...(def ? { default: def } : {}),
    ...extra,
  }];
}

function textType(field: FieldSpec): SqlType {
  return field.maxLength !== undefined ? { base: 'varchar', length: field.maxLength } : { base: 'text' };
}

function textSchema(field: FieldSpec, format?: string): JsonSchema {
  return {
    type: 'string',
    ...(format ? { format } : {}),
    ...(field.minLength !== undefined ? { minLength: field.minLength } : {}),
    ...(field.maxLength !== undefined ? { maxLength: field.maxLength } : {}),
    ...(field.pattern !== undefined ? { pattern: field.pattern } : {}),
  };
}

/** Decimals travel as strings so no value ever passes through a float. */
export function decimalPattern(precision: number, scale: number): string {
  const intDigits = precision - scale;
  const frac = scale > 0 ? `(\\.\\d{1,${scale}})?` : '';
  return `^-?(0|[1-9]\\d{0,${Math.max(intDigits - 1, 0)}})${frac}$`;
}

const DEFAULT_PRECISION = 18;
const DEFAULT_SCALE = 2;

function numericType(field: FieldSpec): SqlType {
  return { base: 'numeric', precision: field.precision ?? DEFAULT_PRECISION, scale: field.scale ?? DEFAULT_SCALE };
}

const textKind = (name: string, format: string | undefined, widget?: string): FieldKind => ({
  name,
  options: ['minLength', 'maxLength', 'pattern', 'unique', 'default'],
  operand: 'text',
  operators: TEXTUAL,
  widget,
  cubeType: 'string',
  columns: (f) => single(f, textType(f)),
  valueSchema: (f) => textSchema(f, format),
});

function relationColumns(field: FieldSpec): ColumnDef[] {
  const target = field.target ?? USER_ENTITY;
  return [{
    name: `${field.name}_id`,
    type: { base: 'uuid' },
    nullable: !field.required,
    key: `${field.id}#ref`,
    references: { table: target, column: 'id', onDelete: field.onDelete ?? (field.required ? 'restrict' : 'setNull') },
  }];
}

const ID_SCHEMA: JsonSchema = { type: 'string', format: 'uuid' };

const builtinKinds: FieldKind[] = [
  textKind('text', undefined),
  { ...textKind('longtext', undefined, 'textarea'), options: ['minLength', 'maxLength', 'default'], operators: [...EQUALITY, 'contains', 'startsWith'] },
  textKind('email', 'email', 'email'),
  { ...textKind('phone', undefined), valueSchema: (f) => ({ ...textSchema(f), pattern: f.pattern ?? '^\\+?[0-9][0-9 ()./-]{2,31}$' }) },
  textKind('url', 'uri', 'uri'),
  {
    name: 'integer',
    options: ['min', 'max', 'unique', 'default'],
    operand: 'integer',
    operators: ORDERED,
    widget: 'updown',
    cubeType: 'number',
    columns: (f) => single(f, { base: 'integer' }),
    valueSchema: (f) => ({
      type: 'integer',
      minimum: f.min !== undefined ? Number(f.min) : -2147483648,
      maximum: f.max !== undefined ? Number(f.max) : 2147483647,
    }),
  },
  {
    name: 'decimal',
    options: ['precision', 'scale', 'min', 'max', 'unique', 'default'],
    operand: 'decimal',
    operators: ORDERED,
    cubeType: 'number',
    columns: (f) => single(f, numericType(f)),
    valueSchema: (f) => ({
      type: 'string',
      pattern: decimalPattern(f.precision ?? DEFAULT_PRECISION, f.scale ?? DEFAULT_SCALE),
      ...(f.min !== undefined ? { decimalMin: String(f.min) } : {}),
      ...(f.max !== undefined ? { decimalMax: String(f.max) } : {}),
    }),
  },
  {
    name: 'currency',
    options: ['precision', 'scale', 'min', 'max', 'currencies', 'default'],
    operand: 'decimal',
    operators: ORDERED,
    cubeType: 'number',
    columns: (f) => {
      const dflt = f.default as { amount?: string; currency?: string } | undefined;
      const amount: ColumnDef = {
        name: f.name,
        type: numericType(f),
        nullable: !f.required,
        key: `${f.id}#amount`,
        ...(dflt?.amount !== undefined ? { default: { kind: 'literal', value: dflt.amount } } : {}),
      };
      const currency: ColumnDef = {
        name: `${f.name}_currency`,
        type: { base: 'char', length: 3 },
        nullable: !f.required,
        key: `${f.id}#currency`,
        ...(dflt?.currency !== undefined ? { default: { kind: 'literal', value: dflt.currency } } : {}),
      };
      return [amount, currency];
    },
    valueSchema: (f) => ({
      type: 'object',
      required: ['amount', 'currency'],
      additionalProperties: false,
      properties: {
        amount: {
          type: 'string',
          pattern: decimalPattern(f.precision ?? DEFAULT_PRECISION, f.scale ?? DEFAULT_SCALE),
          ...(f.min !== undefined ? { decimalMin: String(f.min) } : {}),
          ...(f.max !== undefined ? { decimalMax: String(f.max) } : {}),
        },
        currency: f.currencies ? { type: 'string', enum: [...f.currencies] } : { type: 'string', pattern: '^[A-Z]{3}$' },
      },
    }),
  },
  {
    name: 'boolean',
    options: ['default'],
    operand: 'boolean',
    operators: ['==', '!=', 'isNull'],
    widget: 'checkbox',
    cubeType: 'boolean',
    columns: (f) => single(f, { base: 'boolean' }),
    valueSchema: () => ({ type: 'boolean' }),
  },
  {
    name: 'date',
    options: ['min', 'max', 'unique', 'default'],
    operand: 'date',
    operators: ORDERED,
    widget: 'date',
    cubeType: 'time',
    columns: (f) => single(f, { base: 'date' }),
    valueSchema: (f) => ({
      type: 'string',
      format: 'date',
      ...(f.min !== undefined ? { formatMinimum: String(f.min) } : {}),
      ...(f.max !== undefined ? { formatMaximum: String(f.max) } : {}),
    }),
  },
  {
    name: 'datetime',
    options: ['min', 'max', 'default'],
    operand: 'datetime',
    operators: ORDERED,
    widget: 'date-time',
    cubeType: 'time',
    columns: (f) => single(f, { base: 'timestamptz' }, f.default === 'now' ? { default: { kind: 'now' } } : {}),
    valueSchema: (f) => ({
      type: 'string',
      format: 'date-time',
      ...(f.min !== undefined ? { formatMinimum: String(f.min) } : {}),
      ...(f.max !== undefined ? { formatMaximum: String(f.max) } : {}),
    }),
  },
  {
    name: 'enum',
    options: ['values', 'default'],
    operand: 'enum',
    operators: EQUALITY,
    widget: 'select',
    cubeType: 'string',
    columns: (f) => single(f, { base: 'text' }),
    valueSchema: (f) => ({ type: 'string', enum: (f.values ?? []).map((v) => v.value) }),
  },
  {
    name: 'multienum',
    options: ['values', 'default'],
    operand: 'multienum',
    operators: ['contains', 'isNull'],
    widget: 'checkboxes',
    cubeType: 'string',
    columns: (f) => single(f, { base: 'text[]' }),
    valueSchema: (f) => ({
      type: 'array',
      uniqueItems: true,
      items: { type: 'string', enum: (f.values ?? []).map((v) => v.value) },
    }),
  },
  {
    name: 'json',
    options: ['default'],
    operand: 'json',
    operators: ['isNull'],
    widget: 'textarea',
    cubeType: null,
    // JSON text: a bare `true` or `1` would not be a jsonb default, '...'::jsonb always is.
    columns: (f) => single(f, { base: 'jsonb' }, f.default === undefined ? {} : { default: { kind: 'literal', value: JSON.stringify(f.default) } }),
    valueSchema: () => ({}),
  },
  {
    name: 'relation',
    options: ['target', 'cardinality', 'onDelete', 'inverse'],
    operand: 'id',
    operators: EQUALITY,
    widget: 'relation',
    cubeType: 'string',
    columns: (f) => (f.cardinality === 'manyToMany' ? [] : relationColumns(f)),
    valueSchema: (f) =>
      f.cardinality === 'manyToMany' ? { type: 'array', uniqueItems: true, maxItems: 1000, items: ID_SCHEMA } : ID_SCHEMA,
  },
  {
    name: 'user',
    options: ['onDelete', 'inverse'],
    operand: 'id',
    operators: EQUALITY,
    widget: 'user',
    cubeType: 'string',
    columns: (f) => relationColumns({ ...f, target: USER_ENTITY }),
    valueSchema: () => ID_SCHEMA,
  },
];

/** Kinds by name. Plugins add theirs through the plugin host before the Model is compiled. */
export type FieldKindRegistry = ReadonlyMap<string, FieldKind>;

export function builtinFieldKinds(): Map<string, FieldKind> {
  return new Map(builtinKinds.map((k) => [k.name, k]));
}

