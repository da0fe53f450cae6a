// The two evaluators of the condition language must agree: for generated records and conditions, the rows
// PostgreSQL returns for the compiled SQL are exactly the records the in-memory evaluator accepts.
// Runs on embedded PGlite, or on PostgreSQL when DATABASE_URL is set.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinFieldKinds } from '../../../engine/src/metadata/builtin-field-kinds.js';
import type { OperandType } from '../../../engine/src/metadata/field-kinds.js';
import { EngineError } from '../../../engine/src/shared/engine-error.js';
import {
  compileConditionSql,
  type SqlCollection,
  type SqlCompileContext,
  type SqlOperand,
} from '../../../engine/src/rules/compile-condition-sql.js';
import { SqlParams } from '../../../engine/src/sql/sql-params.js';
import { compileConditionMemory, compileExpressionMemory } from '../../../engine/src/rules/evaluate-condition.js';
import { compileExpressionSql } from '../../../engine/src/rules/compile-condition-sql.js';
import { DIVIDE_SQL_FUNCTION } from '../../../engine/src/rules/decimal-math.js';
import { Decimal } from 'decimal.js';
import { sqlLiteral } from '../../../engine/src/sql/sql-literal.js';
import { createOperatorRegistry } from '../../../engine/src/rules/operator-registry.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

const RECORD_SEED = 20_240_611;
const CONDITION_SEED = 424_242;
const RECORDS = 80;
const CONDITIONS = 400;

// ---- values: small pools, so that generated literals often hit generated record values ----

const TEXT_PARTS = [
  '',
  'a',
  'A',
  'ab',
  'Ab',
  'z',
  'Z',
  ' ',
  'é',
  'É',
  'ß',
  'İ',
  'i',
  'ı',
  'σ',
  'Σ',
  'ä',
  'Ä',
  '%',
  '_',
  '\\',
  "'",
  '"',
  '😀',
  '\uFF21',
  '\uE000',
];
const text = fc.array(fc.constantFrom(...TEXT_PARTS), { maxLength: 4 }).map((parts) => parts.join(''));
const integer = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(-2147483648, 2147483647));

function decimalString(cents: number, short: boolean): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const whole = String(Math.floor(abs / 100));
  const frac = String(abs % 100).padStart(2, '0');
  // "1.50" and "1.5" and "1" are the same number; records and literals use all three spellings.
  if (short && frac === '00') return `${sign}${whole}`;
  if (short && frac.endsWith('0')) return `${sign}${whole}.${frac[0]}`;
  return `${sign}${whole}.${frac}`;
}
const cents = fc.oneof(fc.integer({ min: -300, max: 300 }), fc.constantFrom(999_999_999_999, -999_999_999_999, 1, -1));
const decimal = fc.tuple(cents, fc.boolean()).map(([c, short]) => decimalString(c, short));
const decimalLiteral = fc.oneof(
  decimal,
  cents.filter((c) => Math.abs(c) < 1e6).map((c) => c / 100),
);

const date = fc.constantFrom(
  '0001-01-01',
  '1969-12-31',
  '1970-01-01',
  '2000-02-29',
  '2024-03-30',
  '2024-03-31',
  '2024-04-01',
  '9999-12-31',
);

// Instants (µs since the epoch) close together, written in several offsets: equal instants look different.
const INSTANTS = [
  -86_400_000_000n,
  0n,
  1n,
  1_711_843_200_000_000n,
  1_711_843_200_000_001n,
  1_711_846_800_000_000n,
  1_711_846_800_123_456n,
  4_102_444_800_000_000n,
];
const OFFSETS = [0, 330, -480, 840, -720, 60];

function formatInstant(micros: bigint, offsetMinutes: number, zulu: boolean): string {
  const local = micros + BigInt(offsetMinutes) * 60_000_000n;
  const micro = ((local % 1000n) + 1000n) % 1000n;
  const iso = new Date(Number((local - micro) / 1000n)).toISOString().slice(0, -1);
  const fraction = micro === 0n ? iso.replace(/\.000$/, '') : `${iso}${String(micro).padStart(3, '0')}`;
  if (offsetMinutes === 0 && zulu) return `${fraction}Z`;
  const abs = Math.abs(offsetMinutes);
  const hhmm = `${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${fraction}${offsetMinutes < 0 ? '-' : '+'}${hhmm}`;
}
const datetime = fc
  .tuple(fc.constantFrom(...INSTANTS), fc.constantFrom(...OFFSETS), fc.boolean())
  .map(([micros, offset, zulu]) => formatInstant(micros, offset, zulu));

const enumValue = fc.constantFrom('open', 'won', 'lost');
const TAGS = ['x', 'y', 'z'];
const UUIDS = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-00000000000a', 'ffffffff-ffff-4fff-bfff-ffffffffffff'];
const uuidLiteral = fc.tuple(fc.constantFrom(...UUIDS), fc.boolean()).map(([u, upper]) => (upper ? u.toUpperCase() : u));

// ---- records ----

interface Parent {
  id: string;
  name: string | null;
  score: number | null;
}
interface Child {
  label: string | null;
  qty: number | null;
  amount: string | null;
  at: string | null;
}
interface Row {
  id: number;
  txt: string | null;
  num: number | null;
  dec: string | null;
  flag: boolean | null;
  day: string | null;
  at: string | null;
  kind: string | null;
  tags: string[] | null;
  ref: string | null;
  parent: Parent | null;
  children: Child[];
}

const PARENTS: Parent[] = [
  { id: UUIDS[0] as string, name: 'Acme', score: 3 },
  { id: UUIDS[1] as string, name: null, score: null },
  { id: UUIDS[2] as string, name: 'äb%', score: -1 },
];

const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(arb, { nil: null, freq: 4 });

const child: fc.Arbitrary<Child> = fc.record({ label: maybe(text), qty: maybe(integer), amount: maybe(decimal), at: maybe(datetime) });

const row = fc.record({
  txt: maybe(text),
  num: maybe(integer),
  dec: maybe(decimal),
  flag: maybe(fc.boolean()),
  day: maybe(date),
  at: maybe(datetime),
  kind: maybe(enumValue),
  tags: maybe(fc.subarray(TAGS)),
  ref: maybe(fc.constantFrom(...UUIDS)),
  parent: maybe(fc.constantFrom(...PARENTS)),
  children: fc.array(child, { maxLength: 3 }),
});

function edgeRows(): Omit<Row, 'id'>[] {
  const empty = {
    txt: null,
    num: null,
    dec: null,
    flag: null,
    day: null,
    at: null,
    kind: null,
    tags: null,
    ref: null,
    parent: null,
    children: [],
  };
  return [
    empty,
    { ...empty, txt: '', dec: '0', flag: false, tags: [], children: [{ label: '', qty: 0, amount: '0.00', at: null }] },
    // Unicode case mapping differs between JS, glibc and PGlite's libc (final sigma, dotted I, ß).
    { ...empty, txt: 'aΣ' },
    { ...empty, txt: 'İx' },
    { ...empty, txt: 'ẞ' },
    {
      ...empty,
      txt: 'ABC',
      num: 0,
      dec: '-0.01',
      flag: true,
      day: '2024-03-31',
      at: '2024-03-31T00:00:00Z',
      kind: 'open',
      tags: ['x', 'y'],
    },
  ];
}

// ---- the fields both evaluators see ----

const kinds = builtinFieldKinds();
function operatorsOf(kind: string): readonly string[] {
  const found = kinds.get(kind);
  if (found === undefined) throw new Error(`no field kind ${kind}`);
  return found.operators;
}

interface FieldSpec {
  readonly sql: string;
  readonly operand: OperandType;
  readonly kind: string;
  readonly literal: fc.Arbitrary<unknown>;
}

const ROOT_FIELDS: Record<string, FieldSpec> = {
  txt: { sql: 't.txt', operand: 'text', kind: 'text', literal: text },
  num: { sql: 't.num', operand: 'integer', kind: 'integer', literal: integer },
  dec: { sql: 't.dec', operand: 'decimal', kind: 'decimal', literal: decimalLiteral },
  flag: { sql: 't.flag', operand: 'boolean', kind: 'boolean', literal: fc.boolean() },
  day: { sql: 't.day', operand: 'date', kind: 'date', literal: date },
  at: { sql: 't.at', operand: 'datetime', kind: 'datetime', literal: datetime },
  kind: { sql: 't.kind', operand: 'enum', kind: 'enum', literal: enumValue },
  tags: { sql: 't.tags', operand: 'multienum', kind: 'multienum', literal: fc.constantFrom(...TAGS, 'w') },
  ref: { sql: 't.ref', operand: 'id', kind: 'relation', literal: uuidLiteral },
  parent: { sql: 't.parent_id', operand: 'id', kind: 'relation', literal: uuidLiteral },
  'parent.name': { sql: 'p.name', operand: 'text', kind: 'text', literal: text },
  'parent.score': { sql: 'p.score', operand: 'integer', kind: 'integer', literal: integer },
};

const CHILD_FIELDS: Record<string, FieldSpec> = {
  label: { sql: 'c.label', operand: 'text', kind: 'text', literal: text },
  qty: { sql: 'c.qty', operand: 'integer', kind: 'integer', literal: integer },
  amount: { sql: 'c.amount', operand: 'decimal', kind: 'decimal', literal: decimalLiteral },
  at: { sql: 'c.at', operand: 'datetime', kind: 'datetime', literal: datetime },
};

function unknownPath(path: string, pointer: string): EngineError {
  const message = `Unknown field "${path}"`;
  return new EngineError('filter.unknown_field', 400, message, { fieldErrors: [{ pointer, code: 'filter.unknown_field', message }] });
}

function scopeOf(fields: Record<string, FieldSpec>, param: (value: unknown) => string, withChildren: boolean): SqlCompileContext {
  const context: SqlCompileContext = {
    resolveVar(path, pointer): SqlOperand {
      const field = fields[path];
      if (field === undefined) throw unknownPath(path, pointer);
      return { sql: field.sql, operand: field.operand, operators: operatorsOf(field.kind), path };
    },
    resolveCollection(path, pointer): SqlCollection {
      if (!withChildren || path !== 'children') throw unknownPath(path, pointer);
      return {
        open: 'EXISTS (SELECT 1 FROM child c WHERE c.t_id = t.id AND ',
        close: ')',
        context: scopeOf(CHILD_FIELDS, param, false),
        path,
      };
    },
    param,
  };
  return context;
}

// ---- conditions ----

function comparisonFor(op: string, path: string, field: FieldSpec): fc.Arbitrary<unknown> {
  const v = { var: path };
  switch (op) {
    case '==':
    case '!=':
      return fc.option(field.literal, { nil: null, freq: 5 }).map((l) => ({ [op]: [v, l] }));
    case 'between':
      return fc.tuple(field.literal, field.literal).map(([lo, hi]) => ({ between: [v, lo, hi] }));
    case 'in':
      return fc.array(field.literal, { maxLength: 4 }).map((list) => ({ in: [v, list] }));
    case 'isNull':
      return fc.constant({ isNull: [v] });
    default:
      return field.literal.map((l) => ({ [op]: [v, l] }));
  }
}

/** Operator first, then a field that allows it, so rarely allowed operators (startsWith) are tested as often. */
function comparison(fields: Record<string, FieldSpec>): fc.Arbitrary<unknown> {
  const entries = Object.entries(fields);
  const ops = [...new Set(entries.flatMap(([, f]) => operatorsOf(f.kind)))];
  return fc.oneof(
    ...ops.map((op) =>
      fc.oneof(...entries.filter(([, f]) => operatorsOf(f.kind).includes(op)).map(([path, f]) => comparisonFor(op, path, f))),
    ),
  );
}

function conditions(fields: Record<string, FieldSpec>, inner: fc.Arbitrary<unknown> | null): fc.Arbitrary<unknown> {
  return fc.letrec<{ cond: unknown }>((tie) => ({
    cond: fc.oneof(
      { depthSize: 'small', maxDepth: 3 },
      comparison(fields),
      comparison(fields),
      fc.boolean(),
      tie('cond').map((c) => ({ '!': c })),
      fc.array(tie('cond'), { minLength: 1, maxLength: 3 }).map((cs) => ({ and: cs })),
      fc.array(tie('cond'), { minLength: 1, maxLength: 3 }).map((cs) => ({ or: cs })),
      ...(inner === null
        ? []
        : [inner.map((c) => ({ some: [{ var: 'children' }, c] })), inner.map((c) => ({ none: [{ var: 'children' }, c] }))]),
    ),
  })).cond;
}

const condition = conditions(ROOT_FIELDS, conditions(CHILD_FIELDS, null));

// ---- expressions (#19): arithmetic with NULLs, zero divisors and large values, dates, texts, if ----

const v = (path: string): { var: string } => ({ var: path });
const numberLeaf = fc.oneof(
  fc.constantFrom(v('num'), v('dec'), v('parent.score')),
  integer,
  decimal,
  fc.constantFrom(0, '0', '0.005', '-0.005', 100, 0.1, 3, -7, '123456789012345678.123456789'),
);
const numberExpression = fc
  .letrec<{ e: unknown }>((tie) => ({
    e: fc.oneof(
      { depthSize: 'small', maxDepth: 3 },
      numberLeaf,
      numberLeaf,
      fc.tuple(fc.constantFrom('+', '-', '*', '/'), tie('e'), tie('e')).map(([op, a, b]) => ({ [op]: [a, b] })),
      tie('e').map((a) => ({ '-': [a] })),
      fc.tuple(tie('e'), fc.integer({ min: 0, max: 3 }), fc.boolean()).map(([a, p, whole]) => ({ round: whole ? [a] : [a, p] })),
      fc
        .tuple(fc.constantFrom('min', 'max', 'coalesce'), fc.array(tie('e'), { minLength: 1, maxLength: 3 }))
        .map(([op, as]) => ({ [op]: as })),
      fc.tuple(comparison(ROOT_FIELDS), tie('e'), tie('e')).map(([c, a, b]) => ({ if: [c, a, b] })),
    ),
  }))
  .e.filter((e) => typeof e === 'object');
// A bare var on the left is an ordinary comparison, whose literal must fit the field (tested above).
const computedNumber = numberExpression.filter((e) => !Object.hasOwn(e as object, 'var'));
const dateExpression = fc.oneof(
  fc.constantFrom(v('day'), v('at')),
  fc.constantFrom({ coalesce: [v('day'), '2024-03-31'] }, { coalesce: [v('at'), '2024-03-31T23:30:00-02:00'] }),
);
const daysExpression = fc.tuple(dateExpression, fc.oneof(dateExpression, date)).map(([a, b]) => ({ daysBetween: [a, b] }));
const textExpression = fc.oneof(
  fc.tuple(fc.constantFrom(v('txt'), v('kind'), v('parent.name')), text).map(([a, b]) => ({ cat: [a, b] })),
  fc.tuple(fc.constantFrom(v('txt'), v('kind')), text).map(([a, b]) => ({ coalesce: [a, b] })),
);
const computedComparison = fc.oneof(
  fc
    .tuple(fc.constantFrom('==', '!=', '<', '>='), computedNumber, fc.oneof(numberExpression, decimal, integer))
    .map(([op, a, b]) => ({ [op]: [a, b] })),
  fc.tuple(fc.constantFrom('==', '<', '>'), fc.constantFrom(v('num'), v('dec')), numberExpression).map(([op, a, b]) => ({ [op]: [a, b] })),
  fc.tuple(fc.constantFrom('==', '<', '>='), daysExpression, integer).map(([op, a, b]) => ({ [op]: [a, b] })),
  fc.tuple(fc.constantFrom('==', '!=', '<', 'startsWith', 'contains'), textExpression, text).map(([op, a, b]) => ({ [op]: [a, b] })),
  fc.tuple(fc.constantFrom('==', '<'), fc.constant(v('txt')), textExpression).map(([op, a, b]) => ({ [op]: [a, b] })),
  computedNumber.map((e) => ({ isNull: [e] })),
);
const computedCondition = fc.letrec<{ cond: unknown }>((tie) => ({
  cond: fc.oneof(
    { depthSize: 'small', maxDepth: 2 },
    computedComparison,
    computedComparison,
    comparison(ROOT_FIELDS),
    tie('cond').map((c) => ({ '!': c })),
    fc.array(tie('cond'), { minLength: 1, maxLength: 3 }).map((cs) => ({ and: cs })),
    fc.array(tie('cond'), { minLength: 1, maxLength: 3 }).map((cs) => ({ or: cs })),
  ),
})).cond;

// ---- the test ----

const registry = createOperatorRegistry();
registry.freeze();
let db: TestDatabase;
let rows: Row[];

const QUERY = (where: string): string => `SELECT t.id FROM t LEFT JOIN parent p ON p.id = t.parent_id WHERE ${where} ORDER BY t.id`;

/** One statement per table: row-by-row inserts dominate the run time on PGlite. */
async function insertRows(table: string, values: unknown[][]): Promise<void> {
  if (values.length === 0) return;
  const params = new SqlParams();
  const tuples = values.map((tuple) => `(${tuple.map((v) => params.add(v)).join(', ')})`);
  await db.pool.query(`INSERT INTO ${table} VALUES ${tuples.join(', ')}`, params.values);
}

beforeAll(async () => {
  db = await createTestDatabase();
  await db.pool.query(DIVIDE_SQL_FUNCTION);
  await db.pool.query(`
    CREATE TABLE parent (id uuid PRIMARY KEY, name text, score integer);
    CREATE TABLE t (
      id integer PRIMARY KEY, txt text, num integer, dec numeric(12,2), flag boolean, day date, at timestamptz,
      kind text, tags text[], ref uuid, parent_id uuid REFERENCES parent (id));
    CREATE TABLE child (
      id serial PRIMARY KEY, t_id integer NOT NULL REFERENCES t (id), label text, qty integer, amount numeric(12,2), at timestamptz);
  `);
  for (const p of PARENTS) await db.pool.query('INSERT INTO parent VALUES ($1, $2, $3)', [p.id, p.name, p.score]);
  rows = [...edgeRows(), ...fc.sample(row, { seed: RECORD_SEED, numRuns: RECORDS })].map((r, i) => ({ ...r, id: i + 1 }));
  await insertRows(
    't',
    rows.map((r) => [r.id, r.txt, r.num, r.dec, r.flag, r.day, r.at, r.kind, r.tags, r.ref, r.parent?.id ?? null]),
  );
  await insertRows(
    'child (t_id, label, qty, amount, at)',
    rows.flatMap((r) => r.children.map((c) => [r.id, c.label, c.qty, c.amount, c.at])),
  );
});

afterAll(async () => {
  await db?.dispose();
});

describe('the in-memory and SQL evaluators', () => {
  it('select the same records for every generated condition', async () => {
    const memoryScope = scopeOf(
      ROOT_FIELDS,
      () => {
        throw new Error('the memory evaluator binds no parameters');
      },
      true,
    );
    await fc.assert(
      fc.asyncProperty(condition, async (logic) => {
        const matches = compileConditionMemory(logic, memoryScope, registry);
        const expected = rows.filter((r) => matches(r)).map((r) => r.id);

        const params = new SqlParams();
        const bound = await db.pool.query<{ id: number }>(
          QUERY(
            compileConditionSql(
              logic,
              scopeOf(ROOT_FIELDS, (value) => params.add(value), true),
              registry,
            ),
          ),
          params.values,
        );
        expect(bound.rows.map((r) => r.id)).toEqual(expected);

        // The DDL form (values inlined) must mean the same as the bound form.
        const inlined = await db.pool.query<{ id: number }>(
          QUERY(compileConditionSql(logic, scopeOf(ROOT_FIELDS, sqlLiteral, true), registry)),
        );
        expect(inlined.rows.map((r) => r.id)).toEqual(expected);
      }),
      { seed: CONDITION_SEED, numRuns: CONDITIONS },
    );
  });

  it('agree on case folding, wildcards and code point order for non-ASCII text', async () => {
    const memoryScope = scopeOf(ROOT_FIELDS, () => '', true);
    const cases: unknown[] = [
      { contains: [{ var: 'txt' }, 'ς'] },
      { contains: [{ var: 'txt' }, 'i̇'] },
      { contains: [{ var: 'txt' }, 'ß'] },
      { contains: [{ var: 'txt' }, 'É'] },
      { contains: [{ var: 'txt' }, 'é'] },
      { contains: [{ var: 'txt' }, 'a'] },
      { contains: [{ var: 'txt' }, '%'] },
      { contains: [{ var: 'txt' }, '_'] },
      { startsWith: [{ var: 'txt' }, '\\'] },
      { startsWith: [{ var: 'txt' }, '%'] },
      { '<': [{ var: 'txt' }, '\uE000'] },
      { '>': [{ var: 'txt' }, '😀'] },
      { '==': [{ var: 'dec' }, '0.00'] },
      { '==': [{ var: 'at' }, '2024-03-31T02:00:00+02:00'] },
    ];
    for (const logic of cases) {
      const matches = compileConditionMemory(logic, memoryScope, registry);
      const params = new SqlParams();
      const result = await db.pool.query<{ id: number }>(
        QUERY(
          compileConditionSql(
            logic,
            scopeOf(ROOT_FIELDS, (value) => params.add(value), true),
            registry,
          ),
        ),
        params.values,
      );
      expect(
        result.rows.map((r) => r.id),
        JSON.stringify(logic),
      ).toEqual(rows.filter((r) => matches(r)).map((r) => r.id));
    }
  });

  it('select the same records for conditions over computed values', async () => {
    const memoryScope = scopeOf(ROOT_FIELDS, () => '', true);
    await fc.assert(
      fc.asyncProperty(computedCondition, async (logic) => {
        const matches = compileConditionMemory(logic, memoryScope, registry);
        const params = new SqlParams();
        const sql = compileConditionSql(
          logic,
          scopeOf(ROOT_FIELDS, (value) => params.add(value), true),
          registry,
        );
        const bound = await db.pool.query<{ id: number }>(QUERY(sql), params.values);
        expect(
          bound.rows.map((r) => r.id),
          JSON.stringify(logic),
        ).toEqual(rows.filter((r) => matches(r)).map((r) => r.id));
      }),
      { seed: CONDITION_SEED, numRuns: 300 },
    );
  });

  it('compute the same exact value of every numeric and day-count expression for every record', async () => {
    const memoryScope = scopeOf(ROOT_FIELDS, () => '', true);
    await fc.assert(
      fc.asyncProperty(fc.oneof(numberExpression, daysExpression), async (logic) => {
        const memory = compileExpressionMemory(logic, memoryScope, registry);
        const params = new SqlParams();
        const compiled = compileExpressionSql(
          logic,
          scopeOf(ROOT_FIELDS, (value) => params.add(value), true),
          registry,
        );
        expect(compiled.type).toBe(memory.type);
        const result = await db.pool.query<{ id: number; v: string | null }>(
          `SELECT t.id, (${compiled.sql})::text AS v FROM t LEFT JOIN parent p ON p.id = t.parent_id ORDER BY t.id`,
          params.values,
        );
        for (const r of result.rows) {
          const record = rows.find((x) => x.id === r.id);
          const value = memory.evaluate(record);
          const context = `${JSON.stringify(logic)} on ${JSON.stringify(record)}`;
          if (r.v === null) expect(value, context).toBeNull();
          // Equal as numbers: SQL keeps a scale ("1.50"), memory writes the shortest form ("1.5").
          else expect(value !== null && new Decimal(String(value)).eq(r.v), `${context}: SQL ${r.v}, memory ${String(value)}`).toBe(true);
        }
      }),
      { seed: CONDITION_SEED, numRuns: 200 },
    );
  });
});
