// The built-in functions of the expression language, each with its memory half next to its SQL half.
// One rule for missing values in both: arithmetic, round and daysBetween give no value (NULL) when an
// argument has none and `/` gives none for a zero divisor; min and max skip missing values (as GREATEST
// and LEAST do); coalesce picks the first value; cat reads a missing text as ''. No Node APIs here.
import type { OperandType } from '../metadata/field-kinds.js';
import { parseInstant } from '../shared/instant.js';
import { add, compareExact, decimalText, divide, multiply, roundTo, subtract, toExact } from './decimal-math.js';
import type { FunctionOperatorDef } from './operator-defs.js';

type Signature = ReturnType<FunctionOperatorDef['signature']>;

const NUMERIC: readonly OperandType[] = ['integer', 'decimal'];
const isNumeric = (t: OperandType): boolean => NUMERIC.includes(t);

/** The common type of values that may stand in for each other (integer widens to decimal, enum to text). */
export function unifyTypes(types: readonly OperandType[]): OperandType | undefined {
  const [first, ...rest] = types;
  if (first === undefined) return undefined;
  if (types.every(isNumeric)) return types.includes('decimal') ? 'decimal' : 'integer';
  if (types.every((t) => t === 'text' || t === 'enum')) return rest.every((t) => t === first) ? first : 'text';
  return rest.every((t) => t === first) ? first : undefined;
}

const numericResult = (args: readonly OperandType[], name: string): Signature =>
  args.every(isNumeric) ? { type: args.includes('decimal') ? 'decimal' : 'integer' } : { error: `"${name}" takes numbers` };

/** A numeric SQL argument as numeric, so integer columns cannot overflow int4 arithmetic. */
const num = (sql: string): string => `(${sql})::numeric`;

function arithmetic(
  name: '+' | '-' | '*',
  minArgs: number,
  apply: (
    a: NonNullable<ReturnType<typeof toExact>>,
    b: NonNullable<ReturnType<typeof toExact>>,
  ) => NonNullable<ReturnType<typeof toExact>>,
): FunctionOperatorDef {
  return {
    kind: 'function',
    name,
    minArgs,
    maxArgs: name === '-' ? 2 : null,
    literalType: () => 'decimal',
    signature: (args) => numericResult(args, name),
    memory(args) {
      const values = args.map(toExact);
      const [first, ...rest] = values;
      if (first === undefined || first === null || rest.some((v) => v === null)) return null;
      // One argument to `-` negates, as in json-logic-js.
      if (rest.length === 0) return decimalText(name === '-' ? first.negated() : first);
      return decimalText(rest.reduce<typeof first>((acc, v) => apply(acc, v ?? acc), first));
    },
    sql: (args) => (args.length === 1 && name === '-' ? `(-${num(args[0] ?? 'NULL')})` : `(${args.map(num).join(` ${name} `)})`),
  };
}

const divideFn: FunctionOperatorDef = {
  kind: 'function',
  name: '/',
  minArgs: 2,
  maxArgs: 2,
  literalType: () => 'decimal',
  signature: (args) => (args.every(isNumeric) ? { type: 'decimal' } : { error: '"/" takes numbers' }),
  memory([a, b]) {
    const x = toExact(a);
    const y = toExact(b);
    if (x === null || y === null) return null;
    const q = divide(x, y);
    return q === null ? null : decimalText(q);
  },
  sql: ([a, b]) => `tessera_div(${num(a ?? 'NULL')}, ${num(b ?? 'NULL')})`,
};

const MAX_ROUND_PLACES = 100;

const round: FunctionOperatorDef = {
  kind: 'function',
  name: 'round',
  minArgs: 1,
  maxArgs: 2,
  literalType: (index) => (index === 0 ? 'decimal' : 'integer'),
  // round(x) is a whole number, so it may fill an integer field; round(x, places) stays a decimal.
  signature: (args) =>
    isNumeric(args[0] ?? 'text') && (args[1] === undefined || args[1] === 'integer')
      ? { type: args.length === 1 ? 'integer' : 'decimal' }
      : { error: '"round" takes a number and optionally a whole number of decimal places' },
  memory([value, places]) {
    const x = toExact(value);
    const p = places === undefined ? 0 : Number(toExact(places) ?? NaN);
    if (x === null || !Number.isInteger(p) || p < 0 || p > MAX_ROUND_PLACES) return null;
    return decimalText(roundTo(x, p));
  },
  sql: ([value, places]) =>
    places === undefined
      ? `round(${num(value ?? 'NULL')})`
      : `(CASE WHEN (${places}) BETWEEN 0 AND ${MAX_ROUND_PLACES} THEN round(${num(value ?? 'NULL')}, (${places})::integer) END)`,
};

const ORDERED_VALUES: readonly OperandType[] = ['integer', 'decimal', 'date', 'datetime'];

/** Days since 0001-01-01 in the proleptic Gregorian calendar (Date.UTC maps years below 100 to 19xx). */
function dayNumber(year: number, month: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return Math.round(d.getTime() / 86_400_000);
}

/** A date or an instant as a UTC calendar day number; null for no value. */
function utcDay(value: unknown, type: OperandType): number | null {
  if (typeof value !== 'string') return null;
  if (type === 'date') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    return m ? dayNumber(Number(m[1]), Number(m[2]), Number(m[3])) : null;
  }
  const micros = parseInstant(value);
  return micros === null ? null : Number((micros - (((micros % 86_400_000_000n) + 86_400_000_000n) % 86_400_000_000n)) / 86_400_000_000n);
}

type OrderKey = NonNullable<ReturnType<typeof toExact>> | number | bigint;

/** A value of an ordered type as something comparable: an exact decimal, a day number or microseconds. */
function orderKey(value: unknown, type: OperandType): OrderKey | null {
  if (isNumeric(type)) return toExact(value);
  if (type === 'date') return utcDay(value, type);
  return typeof value === 'string' ? parseInstant(value) : null;
}

function compareKeys(a: OrderKey, b: OrderKey): number {
  if (typeof a === 'object' && typeof b === 'object') return compareExact(a, b);
  return a < b ? -1 : a > b ? 1 : 0;
}

function extreme(name: 'min' | 'max'): FunctionOperatorDef {
  return {
    kind: 'function',
    name,
    minArgs: 1,
    maxArgs: null,
    literalType: (_index, others) => unifyTypes(others),
    signature(args) {
      const type = unifyTypes(args);
      return type !== undefined && ORDERED_VALUES.includes(type)
        ? { type }
        : { error: `"${name}" takes numbers, dates or date-times of one type` };
    },
    memory(args, types) {
      const type = unifyTypes(types) ?? 'decimal';
      let best: { value: unknown; key: OrderKey } | undefined;
      for (const value of args) {
        const key = orderKey(value, type);
        if (key === null) continue;
        if (best === undefined || (name === 'max' ? compareKeys(key, best.key) > 0 : compareKeys(key, best.key) < 0)) best = { value, key };
      }
      if (best === undefined) return null;
      return typeof best.key === 'object' ? decimalText(best.key) : best.value;
    },
    sql: (args, types) => {
      const type = unifyTypes(types) ?? 'decimal';
      const cast = isNumeric(type) ? num : (s: string): string => s;
      return `${name === 'max' ? 'GREATEST' : 'LEAST'}(${args.map(cast).join(', ')})`;
    },
  };
}

const coalesce: FunctionOperatorDef = {
  kind: 'function',
  name: 'coalesce',
  minArgs: 1,
  maxArgs: null,
  literalType: (_index, others) => unifyTypes(others),
  signature(args) {
    const type = unifyTypes(args);
    return type !== undefined && type !== 'json' && type !== 'multienum' ? { type } : { error: '"coalesce" takes values of one type' };
  },
  memory(args, types) {
    const type = unifyTypes(types);
    for (const value of args) {
      if (value === null || value === undefined) continue;
      if (type !== undefined && isNumeric(type)) {
        const x = toExact(value);
        if (x !== null) return decimalText(x);
        continue;
      }
      return value;
    }
    return null;
  },
  sql: (args, types) => {
    const type = unifyTypes(types);
    return `COALESCE(${args.map(type !== undefined && isNumeric(type) ? num : (s: string): string => s).join(', ')})`;
  },
};

const daysBetween: FunctionOperatorDef = {
  kind: 'function',
  name: 'daysBetween',
  minArgs: 2,
  maxArgs: 2,
  literalType: () => 'date',
  signature: (args) =>
    args.every((t) => t === 'date' || t === 'datetime') ? { type: 'integer' } : { error: '"daysBetween" takes two dates or date-times' },
  memory([from, to], [fromType = 'date', toType = 'date']) {
    const a = utcDay(from, fromType);
    const b = utcDay(to, toType);
    return a === null || b === null ? null : String(b - a);
  },
  // Date-times count in UTC calendar days, whatever the session's time zone.
  sql: ([from, to], [fromType, toType]) => {
    const day = (sql: string | undefined, type: OperandType | undefined): string =>
      type === 'datetime' ? `((${sql ?? 'NULL'}) AT TIME ZONE 'UTC')::date` : `(${sql ?? 'NULL'})::date`;
    return `(${day(to, toType)} - ${day(from, fromType)})`;
  },
};

function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

const today: FunctionOperatorDef = {
  kind: 'function',
  name: 'today',
  minArgs: 0,
  maxArgs: 0,
  volatile: true,
  literalType: () => 'date',
  signature: () => ({ type: 'date' }),
  memory: () => todayUtc(),
  sql: () => `((now() AT TIME ZONE 'UTC')::date)`,
};

/** The current instant; in SQL the transaction's start, so every row a statement writes gets the same one. */
const now: FunctionOperatorDef = {
  kind: 'function',
  name: 'now',
  minArgs: 0,
  maxArgs: 0,
  volatile: true,
  literalType: () => 'datetime',
  signature: () => ({ type: 'datetime' }),
  memory: () => new Date().toISOString(),
  sql: () => 'now()',
};

const cat: FunctionOperatorDef = {
  kind: 'function',
  name: 'cat',
  minArgs: 1,
  maxArgs: null,
  literalType: () => 'text',
  // Text only: numbers print differently in SQL (scale kept) and in memory.
  signature: (args) => (args.every((t) => t === 'text' || t === 'enum') ? { type: 'text' } : { error: '"cat" joins texts' }),
  memory: (args) => args.map((v) => (typeof v === 'string' ? v : '')).join(''),
  sql: (args) => `concat(${args.join(', ')})`,
};

export const builtinFunctions: readonly FunctionOperatorDef[] = [
  arithmetic('+', 2, add),
  arithmetic('-', 1, subtract),
  arithmetic('*', 2, multiply),
  divideFn,
  round,
  extreme('min'),
  extreme('max'),
  coalesce,
  daysBetween,
  today,
  now,
  cat,
];
