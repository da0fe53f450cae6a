// What a value is, per operand type, for both evaluators: how a filter literal is checked and normalised,
// the SQL type it is bound as, and how record values compare in memory. Operator halves build on this so
// that memory and SQL cannot disagree about a value. No Node APIs: the memory evaluator runs in browsers.
import { Decimal } from 'decimal.js';
import type { OperandType } from '../metadata/field-kinds.js';
import { formatInstant, isValidDate, parseInstant } from '../shared/instant.js';
import { isStorableText } from '../shared/storable-text.js';

/** A literal after checking: decimals as canonical strings, uuids lower-case, everything JSON. */
export type LiteralValue = string | number | boolean;

export type LiteralCheck = { readonly ok: true; readonly value: LiteralValue } | { readonly ok: false; readonly reason: string };

/** The operand-type-specific behaviour operators use; values are record values or normalised literals. */
export interface OperandValues {
  /** SQL type literals are bound as (`$1::numeric`); null when the type takes no literals. */
  readonly sqlType: string | null;
  literal(value: unknown): LiteralCheck;
  /** True when the record value is missing, null, or not a value of this type. */
  isNull(value: unknown): boolean;
  /** Order of two values; null when either is null or the type has no order. */
  compare(a: unknown, b: unknown): number | null;
  /** The SQL expression, made to order the way `compare` does. */
  orderSql(sql: string): string;
  /** The SQL test for "no value". */
  isNullSql(sql: string): string;
}

interface Semantics<T> {
  readonly sqlType: string | null;
  literal(value: unknown): LiteralCheck;
  read(value: unknown): T | null;
  compare?(a: T, b: T): number;
  orderSql?(sql: string): string;
  isNullSql?(sql: string): string;
}

function erase<T>(s: Semantics<T>): OperandValues {
  const { compare } = s;
  return {
    sqlType: s.sqlType,
    literal: s.literal,
    isNull: (value) => s.read(value) === null,
    compare(a, b) {
      if (compare === undefined) return null;
      const x = s.read(a);
      const y = s.read(b);
      return x === null || y === null ? null : compare(x, y);
    },
    orderSql: s.orderSql ?? ((sql) => sql),
    isNullSql: s.isNullSql ?? ((sql) => `${sql} IS NULL`),
  };
}

const ok = (value: LiteralValue): LiteralCheck => ({ ok: true, value });
const bad = (reason: string): LiteralCheck => ({ ok: false, reason });

function checkString(value: unknown): LiteralCheck {
  if (typeof value !== 'string') return bad('expected a string');
  if (!isStorableText(value)) return bad('the string contains a NUL character or an unpaired surrogate');
  return ok(value);
}

/**
 * Code point order, which is UTF-8 byte order and so PostgreSQL's `COLLATE "C"`; plain `<` on JS strings
 * compares UTF-16 units, which puts supplementary characters before U+E000..U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a.charCodeAt(i) !== b.charCodeAt(i)) return (a.codePointAt(i) ?? 0) - (b.codePointAt(i) ?? 0);
  }
  return a.length - b.length;
}

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

const text: Semantics<string> = {
  sqlType: 'text',
  literal: checkString,
  read: (v) => (typeof v === 'string' ? v : null),
  compare: compareCodePoints,
  // Database collations differ between deployments (C.UTF-8 on a server, C in PGlite); bytes do not.
  orderSql: (sql) => `${sql} COLLATE "C"`,
};

const INT_LIMIT = 2 ** 53;

const integer: Semantics<number> = {
  // bigint so that any safe integer literal compares with an int4 column instead of failing the cast.
  sqlType: 'bigint',
  literal: (v) => (typeof v === 'number' && Number.isSafeInteger(v) ? ok(v) : bad('expected an integer')),
  read: (v) => (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < INT_LIMIT ? v : null),
  compare: (a, b) => sign(a - b),
};

const DECIMAL = /^-?\d{1,100}(\.\d{1,100})?$/;

function readDecimal(v: unknown): Decimal | null {
  if (typeof v === 'string') return DECIMAL.test(v) ? new Decimal(v) : null;
  if (typeof v === 'number' && Number.isFinite(v)) return new Decimal(v);
  return null;
}

const decimal: Semantics<Decimal> = {
  sqlType: 'numeric',
  literal(v) {
    const d = readDecimal(v);
    // toFixed() without arguments is exact and never uses exponent notation, which ::numeric would also accept.
    return d === null ? bad('expected a decimal number or a decimal string like "12.50"') : ok(d.toFixed());
  },
  read: readDecimal,
  compare: (a, b) => a.cmp(b),
};

const boolean: Semantics<boolean> = {
  sqlType: 'boolean',
  literal: (v) => (typeof v === 'boolean' ? ok(v) : bad('expected true or false')),
  read: (v) => (typeof v === 'boolean' ? v : null),
  compare: (a, b) => Number(a) - Number(b),
};

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function readDate(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const m = DATE.exec(v);
  return m !== null && isValidDate(Number(m[1]), Number(m[2]), Number(m[3])) ? v : null;
}

const date: Semantics<string> = {
  sqlType: 'date',
  literal: (v) => (readDate(v) === null ? bad('expected a date like "2024-03-31"') : ok(String(v))),
  read: readDate,
  // Four-digit years make string order the calendar order.
  compare: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
};

function readInstant(v: unknown): bigint | null {
  if (typeof v === 'string') return parseInstant(v);
  if (v instanceof Date && !Number.isNaN(v.getTime())) return BigInt(v.getTime()) * 1000n;
  return null;
}

const datetime: Semantics<bigint> = {
  sqlType: 'timestamptz',
  // Literals take the printed form, so both evaluators and the SQL see one spelling of each instant.
  literal(v) {
    const micros = typeof v === 'string' ? parseInstant(v) : null;
    return micros === null
      ? bad('expected an ISO 8601 date-time with an offset between years 1 and 9999, like "2024-03-31T08:00:00Z"')
      : ok(formatInstant(micros));
  },
  read: readInstant,
  compare: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
};

const multienum: Semantics<readonly string[]> = {
  // Literals are single values (for `contains`), so they bind as text.
  sqlType: 'text',
  literal: checkString,
  read: (v) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : null),
};

const json: Semantics<unknown> = {
  sqlType: null,
  literal: () => bad('JSON fields can only be tested with isNull'),
  read: (v) => v ?? null,
  // A JSON null read from a jsonb column is null in memory, so it must be "no value" in SQL too.
  isNullSql: (sql) => `(${sql} IS NULL OR jsonb_typeof(${sql}) = 'null')`,
};

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function readId(v: unknown): string | null {
  // A loaded belongsTo relation is an object; it stands for its id.
  const raw = typeof v === 'object' && v !== null && 'id' in v ? v.id : v;
  return typeof raw === 'string' && UUID.test(raw) ? raw.toLowerCase() : null;
}

const id: Semantics<string> = {
  sqlType: 'uuid',
  literal: (v) => (typeof v === 'string' && UUID.test(v) ? ok(v.toLowerCase()) : bad('expected a UUID')),
  read: readId,
  compare: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
};

/** Behaviour per operand type; `Record` makes a new OperandType a compile error here until it is described. */
export const operandValues: Readonly<Record<OperandType, OperandValues>> = Object.freeze({
  text: erase(text),
  enum: erase(text),
  integer: erase(integer),
  decimal: erase(decimal),
  boolean: erase(boolean),
  date: erase(date),
  datetime: erase(datetime),
  multienum: erase(multienum),
  json: erase(json),
  id: erase(id),
});

export function isOperandType(value: unknown): value is OperandType {
  return typeof value === 'string' && Object.hasOwn(operandValues, value);
}
