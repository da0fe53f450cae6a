// The field kinds every engine has, one entry each (see field-kinds.ts for what an entry says).
import { formatInstant } from '../shared/instant.js';
import { DECIMAL_SHAPE } from '../shared/decimal-keywords.js';
import { EQUALITY, ORDERED, USER_ENTITY, type FieldKind, type FieldSpec, type JsonSchema } from './field-kinds.js';
import type { ColumnDef, ColumnDefault, SqlType, ValueRules } from './model.js';
import { moneyFromCell } from './cell-text.js';
import { fileFieldKind } from './file-field-kind.js';

const TEXTUAL = [...ORDERED, 'contains', 'startsWith'] as const;

function literalDefault(field: FieldSpec): ColumnDefault | undefined {
  if (field.default === undefined || field.default === null) return undefined;
  return { kind: 'literal', value: field.default as string | number | boolean };
}

/** Only the rules that are set, so a field without any has none in its column (and its tag). */
function rules(r: ValueRules): { rules?: ValueRules } {
  const set = Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as ValueRules;
  return Object.keys(set).length ? { rules: set } : {};
}

const bounds = (f: FieldSpec): ValueRules => ({
  ...(f.min !== undefined ? { min: String(f.min) } : {}),
  ...(f.max !== undefined ? { max: String(f.max) } : {}),
});

function single(field: FieldSpec, type: SqlType, extra: Partial<ColumnDef> = {}): ColumnDef[] {
  const def = extra.default ?? literalDefault(field);
  return [
    {
      name: field.name,
      type,
      nullable: !field.required,
      key: `${field.id}#value`,
      ...(def ? { default: def } : {}),
      ...extra,
    },
  ];
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

const DEFAULT_PRECISION = 18;
/** A score's points: sums of criterion points as packs write them (e.g. 12.5). */
const SCORE_PRECISION = 12;
const SCORE_SCALE = 2;
const DEFAULT_SCALE = 2;
/** A decimal bound or default in a pack: a JSON number or an exact decimal string. */
const DECIMAL_OPTION: JsonSchema = { type: ['number', 'string'], pattern: '^-?\\d+(\\.\\d+)?$' };

function numericType(field: FieldSpec): SqlType {
  return { base: 'numeric', precision: field.precision ?? DEFAULT_PRECISION, scale: field.scale ?? DEFAULT_SCALE };
}

function decimalSchema(f: FieldSpec): JsonSchema {
  return {
    type: 'string',
    // Decimals travel as strings so no value ever passes through a float; the pattern tells clients the shape,
    // decimalDigits what the column holds (with a message in words).
    pattern: DECIMAL_SHAPE,
    decimalDigits: { precision: f.precision ?? DEFAULT_PRECISION, scale: f.scale ?? DEFAULT_SCALE },
    ...(f.min !== undefined ? { decimalMin: String(f.min) } : {}),
    ...(f.max !== undefined ? { decimalMax: String(f.max) } : {}),
  };
}

const PHONE_PATTERN = '^\\+?[0-9][0-9 ()./-]{2,31}$';

const textKind = (name: string, format: string | undefined, widget?: string, pattern?: string): FieldKind => ({
  name,
  options: ['minLength', 'maxLength', 'pattern', 'unique', 'default', 'computed'],
  operand: 'text',
  operators: TEXTUAL,
  widget,
  cubeType: 'string',
  columns: (f) => single(f, textType(f), rules({ minLength: f.minLength, maxLength: f.maxLength, pattern: f.pattern ?? pattern })),
  valueSchema: (f) => ({ ...textSchema(f, format), ...((f.pattern ?? pattern) ? { pattern: f.pattern ?? pattern } : {}) }),
});

function relationColumns(field: FieldSpec): ColumnDef[] {
  const target = field.target ?? USER_ENTITY;
  return [
    {
      name: `${field.name}_id`,
      type: { base: 'uuid' },
      nullable: !field.required,
      key: `${field.id}#ref`,
      references: { table: target, column: 'id', onDelete: field.onDelete ?? (field.required ? 'restrict' : 'setNull') },
    },
  ];
}

const ID_SCHEMA: JsonSchema = { type: 'string', format: 'uuid' };

const enumValues = (f: FieldSpec): string[] => (f.values ?? []).map((v) => v.value);

const CHOICE: Pick<FieldKind, 'options' | 'requiredOptions' | 'cubeType' | 'uiOptions'> = {
  options: ['values', 'valueMap', 'default'],
  requiredOptions: ['values'],
  cubeType: 'string',
  uiOptions: (f, locale) => ({ 'ui:enumNames': (f.values ?? []).map((v) => v.label[locale] ?? v.label.en) }),
};

const referenceUi = (f: FieldSpec) => ({ 'ui:options': { target: f.target ?? USER_ENTITY, cardinality: f.cardinality ?? 'belongsTo' } });

const builtinKinds: FieldKind[] = [
  // Only plain text is numbered: email, phone and url values have formats of their own.
  { ...textKind('text', undefined), options: ['minLength', 'maxLength', 'pattern', 'unique', 'default', 'computed', 'numbering'] },
  {
    ...textKind('longtext', undefined, 'textarea'),
    options: ['minLength', 'maxLength', 'default'],
    operators: [...EQUALITY, 'contains', 'startsWith'],
  },
  textKind('email', 'email', 'email'),
  textKind('phone', undefined, undefined, PHONE_PATTERN),
  textKind('url', 'uri', 'uri'),
  {
    name: 'integer',
    options: ['min', 'max', 'unique', 'default', 'computed', 'rollup'],
    boundSchema: { type: 'integer', minimum: -2147483648, maximum: 2147483647 },
    operand: 'integer',
    operators: ORDERED,
    widget: 'updown',
    cubeType: 'number',
    columns: (f) => single(f, { base: 'integer' }, rules(bounds(f))),
    valueSchema: (f) => ({
      type: 'integer',
      minimum: f.min !== undefined ? Number(f.min) : -2147483648,
      maximum: f.max !== undefined ? Number(f.max) : 2147483647,
    }),
  },
  {
    name: 'decimal',
    options: ['precision', 'scale', 'min', 'max', 'unique', 'default', 'computed', 'rollup'],
    boundSchema: DECIMAL_OPTION,
    operand: 'decimal',
    operators: ORDERED,
    cubeType: 'number',
    columns: (f) => single(f, numericType(f), rules(bounds(f))),
    valueSchema: decimalSchema,
  },
  {
    name: 'currency',
    options: ['precision', 'scale', 'min', 'max', 'currencies', 'default', 'computed'],
    boundSchema: DECIMAL_OPTION,
    operand: 'decimal',
    operators: ORDERED,
    cubeType: 'number',
    subPaths: { amount: { column: 0, operand: 'decimal' }, currency: { column: 1, operand: 'text', operators: EQUALITY } },
    measureParts: { value: 'amount', unit: 'currency' },
    columns: (f) => {
      const dflt = f.default as { amount?: string; currency?: string } | undefined;
      const amount: ColumnDef = {
        name: f.name,
        type: numericType(f),
        nullable: !f.required,
        key: `${f.id}#amount`,
        ...(dflt?.amount !== undefined ? { default: { kind: 'literal', value: dflt.amount } } : {}),
        ...rules(bounds(f)),
      };
      const currency: ColumnDef = {
        name: `${f.name}_currency`,
        type: { base: 'char', length: 3 },
        nullable: !f.required,
        key: `${f.id}#currency`,
        ...(dflt?.currency !== undefined ? { default: { kind: 'literal', value: dflt.currency } } : {}),
        ...rules({ values: f.currencies ? [...f.currencies] : undefined }),
      };
      return [amount, currency];
    },
    valueSchema: (f) => ({
      type: 'object',
      required: ['amount', 'currency'],
      additionalProperties: false,
      properties: {
        amount: decimalSchema(f),
        currency: f.currencies ? { type: 'string', enum: [...f.currencies] } : { type: 'string', pattern: '^[A-Z]{3}$' },
      },
    }),
    fromCell: moneyFromCell,
    // Money reads as { amount, currency } with the amount as exact decimal text.
    selectSql: ([amount = 'NULL', currency = 'NULL']) =>
      `CASE WHEN ${amount} IS NULL THEN NULL ELSE json_build_object('amount', ${amount}::text, 'currency', ${currency}) END`,
    toColumns: (value) => {
      const money = value as { amount: string; currency: string } | null | undefined;
      return [money?.amount ?? null, money?.currency ?? null];
    },
  },
  {
    name: 'boolean',
    options: ['default', 'computed'],
    operand: 'boolean',
    operators: ['==', '!=', 'isNull'],
    widget: 'checkbox',
    cubeType: 'boolean',
    columns: (f) => single(f, { base: 'boolean' }),
    valueSchema: () => ({ type: 'boolean' }),
  },
  {
    name: 'date',
    options: ['min', 'max', 'unique', 'default', 'computed', 'rollup'],
    boundSchema: { type: 'string', format: 'date' },
    operand: 'date',
    operators: ORDERED,
    widget: 'date',
    cubeType: 'time',
    columns: (f) => single(f, { base: 'date' }, rules(bounds(f))),
    valueSchema: (f) => ({
      type: 'string',
      format: 'date',
      ...(f.min !== undefined ? { formatMinimum: String(f.min) } : {}),
      ...(f.max !== undefined ? { formatMaximum: String(f.max) } : {}),
    }),
  },
  {
    name: 'datetime',
    options: ['min', 'max', 'default', 'computed', 'rollup'],
    boundSchema: { type: 'string', format: 'date-time' },
    operand: 'datetime',
    operators: ORDERED,
    widget: 'date-time',
    cubeType: 'time',
    columns: (f) =>
      single(f, { base: 'timestamptz' }, { ...(f.default === 'now' ? { default: { kind: 'now' } } : {}), ...rules(bounds(f)) }),
    valueSchema: (f) => ({
      type: 'string',
      format: 'date-time',
      ...(f.min !== undefined ? { formatMinimum: String(f.min) } : {}),
      ...(f.max !== undefined ? { formatMaximum: String(f.max) } : {}),
    }),
    defaultValue: (f) => (f.default === 'now' ? formatInstant(BigInt(Date.now()) * 1000n) : f.default),
    // 'now' is the moment of the write; it is checked against no bounds.
    defaultSchema: (f) => ({
      anyOf: [
        { const: 'now' },
        {
          type: 'string',
          format: 'date-time',
          ...(f.min !== undefined ? { formatMinimum: String(f.min) } : {}),
          ...(f.max !== undefined ? { formatMaximum: String(f.max) } : {}),
        },
      ],
    }),
  },
  {
    name: 'enum',
    ...CHOICE,
    // One value at a time is a state: only a single-valued choice can have a state machine.
    options: [...CHOICE.options, 'transitions'],
    operand: 'enum',
    operators: EQUALITY,
    widget: 'select',
    columns: (f) => single(f, { base: 'text' }, { ...rules({ values: enumValues(f) }), ...(f.valueMap ? { valueMap: f.valueMap } : {}) }),
    valueSchema: (f) => ({ type: 'string', enum: enumValues(f) }),
  },
  {
    name: 'multienum',
    ...CHOICE,
    operand: 'multienum',
    operators: ['contains', 'isNull'],
    widget: 'checkboxes',
    indexable: false,
    columns: (f) => single(f, { base: 'text[]' }, { ...rules({ values: enumValues(f) }), ...(f.valueMap ? { valueMap: f.valueMap } : {}) }),
    valueSchema: (f) => ({ type: 'array', uniqueItems: true, items: { type: 'string', enum: enumValues(f) } }),
  },
  {
    name: 'json',
    options: ['default'],
    operand: 'json',
    operators: ['isNull'],
    widget: 'textarea',
    cubeType: null,
    indexable: false,
    // JSON text: a bare `true` or `1` would not be a jsonb default, '...'::jsonb always is.
    columns: (f) =>
      single(f, { base: 'jsonb' }, f.default === undefined ? {} : { default: { kind: 'literal', value: JSON.stringify(f.default) } }),
    valueSchema: () => ({}),
    // pg would turn a JS array into a PostgreSQL array literal; jsonb wants JSON text.
    toColumns: (value) => [value === null || value === undefined ? null : JSON.stringify(value)],
  },
  {
    name: 'score',
    options: ['scoring'],
    requiredOptions: ['scoring'],
    operand: 'decimal',
    operators: ORDERED,
    cubeType: 'number',
    derived: true,
    subPaths: { points: { column: 0, operand: 'decimal' }, band: { column: 1, operand: 'text', operators: EQUALITY } },
    // A score sorts (and is indexed) by its points; the band follows them and the explanation is JSON.
    indexColumns: [0],
    columns: (f) => [
      { name: f.name, type: { base: 'numeric', precision: SCORE_PRECISION, scale: SCORE_SCALE }, nullable: true, key: `${f.id}#points` },
      { name: `${f.name}_band`, type: { base: 'text' }, nullable: true, key: `${f.id}#band` },
      { name: `${f.name}_explanation`, type: { base: 'jsonb' }, nullable: true, key: `${f.id}#explanation` },
    ],
    valueSchema: () => ({
      type: 'object',
      readOnly: true,
      properties: { points: { type: 'string' }, band: { type: ['string', 'null'] }, explanation: { type: 'array' } },
    }),
    // A score reads as { points, band, explanation }: which criteria matched and what each earned.
    selectSql: ([points = 'NULL', band = 'NULL', explanation = 'NULL']) =>
      `CASE WHEN ${points} IS NULL THEN NULL ELSE json_build_object('points', ${points}::text, 'band', ${band}, 'explanation', ${explanation}) END`,
  },
  {
    name: 'relation',
    options: ['target', 'cardinality', 'onDelete', 'inverse'],
    requiredOptions: ['target'],
    operand: 'id',
    operators: EQUALITY,
    widget: 'relation',
    cubeType: 'string',
    reference: { hasInverse: true },
    implied: (f) => ({ cardinality: f.cardinality ?? 'belongsTo' }),
    columns: (f) => (f.cardinality === 'manyToMany' ? [] : relationColumns(f)),
    valueSchema: (f) =>
      f.cardinality === 'manyToMany' ? { type: 'array', uniqueItems: true, maxItems: 1000, items: ID_SCHEMA } : ID_SCHEMA,
    uiOptions: referenceUi,
  },
  {
    name: 'user',
    options: ['onDelete', 'inverse'],
    operand: 'id',
    operators: EQUALITY,
    widget: 'user',
    cubeType: 'string',
    reference: { target: USER_ENTITY, hasInverse: false },
    implied: () => ({ target: USER_ENTITY, cardinality: 'belongsTo' }),
    columns: (f) => relationColumns({ ...f, target: USER_ENTITY }),
    valueSchema: () => ID_SCHEMA,
    uiOptions: referenceUi,
  },
  fileFieldKind,
];

export function builtinFieldKinds(): Map<string, FieldKind> {
  return new Map(builtinKinds.map((k) => [k.name, k]));
}
