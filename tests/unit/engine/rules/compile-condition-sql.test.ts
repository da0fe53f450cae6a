import { describe, expect, it } from 'vitest';
import { compileConditionSql } from '../../../../engine/src/rules/compile-condition-sql.js';
import { SqlParams } from '../../../../engine/src/sql/sql-params.js';
import { createOperatorRegistry } from '../../../../engine/src/rules/operator-registry.js';
import { EngineError } from '../../../../engine/src/shared/engine-error.js';
import { fakeContext } from './fake-context.js';

const registry = createOperatorRegistry();
registry.freeze();

function compile(logic: unknown): { sql: string; values: unknown[] } {
  const params = new SqlParams();
  return {
    sql: compileConditionSql(
      logic,
      fakeContext((value) => params.add(value)),
      registry,
    ),
    values: params.values,
  };
}

function failure(logic: unknown): EngineError {
  try {
    compile(logic);
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
  throw new Error('expected the condition to be rejected');
}

const v = (path: string) => ({ var: path });
const FOLD = (sql: string) => `translate(${sql}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')`;

describe('compileConditionSql: SQL shape and parameters', () => {
  it.each([
    ['== text', { '==': [v('name'), 'Acme'] }, '(t."name" = $1::text)', ['Acme']],
    ['== null is IS NULL', { '==': [v('name'), null] }, '(t."name" IS NULL)', []],
    ['!= null is IS NOT NULL', { '!=': [v('name'), null] }, '(t."name" IS NOT NULL)', []],
    ['!= is IS DISTINCT FROM', { '!=': [v('status'), 'won'] }, '(t."status" IS DISTINCT FROM $1::text)', ['won']],
    ['text order is byte order', { '<': [v('name'), 'm'] }, '(t."name" COLLATE "C" < $1::text)', ['m']],
    ['integer', { '>=': [v('qty'), -3] }, '(t."qty" >= $1::bigint)', [-3]],
    ['decimal number bound as a string', { '>': [v('amount'), 12.5] }, '(t."amount" > $1::numeric)', ['12.5']],
    [
      'decimal string kept exact',
      { '<=': [v('price.amount'), '0.10000000000000000001'] },
      '(t."price" <= $1::numeric)',
      ['0.10000000000000000001'],
    ],
    ['boolean', { '==': [v('active'), false] }, '(t."active" = $1::boolean)', [false]],
    [
      'date between',
      { between: [v('due'), '2024-01-01', '2024-12-31'] },
      '(t."due" BETWEEN $1::date AND $2::date)',
      ['2024-01-01', '2024-12-31'],
    ],
    ['datetime', { '<': [v('at'), '2024-03-31T08:00:00+02:00'] }, '(t."at" < $1::timestamptz)', ['2024-03-31T06:00:00.000000Z']],
    ['in is one array parameter', { in: [v('status'), ['open', 'won']] }, '(t."status" = ANY($1::text[]))', [['open', 'won']]],
    [
      'id compares lower-cased uuids',
      { '==': [v('customer'), 'AAAAAAAA-0000-4000-8000-00000000000F'] },
      '(t."customer_id" = $1::uuid)',
      ['aaaaaaaa-0000-4000-8000-00000000000f'],
    ],
    [
      'contains on text folds ASCII case',
      { contains: [v('name'), 'AC%'] },
      `(strpos(${FOLD('t."name"')}, ${FOLD('$1::text')}) > 0)`,
      ['AC%'],
    ],
    ['contains on multienum', { contains: [v('tags'), 'vip'] }, '($1::text = ANY(t."tags"))', ['vip']],
    [
      'startsWith folds ASCII case and has no wildcards',
      { startsWith: [v('name'), '50%_'] },
      `(starts_with(${FOLD('t."name"')}, ${FOLD('$1::text')}))`,
      ['50%_'],
    ],
    ['isNull', { isNull: [v('name')] }, '(t."name" IS NULL)', []],
    ['isNull on json counts a JSON null', { isNull: v('meta') }, `((t."meta" IS NULL OR jsonb_typeof(t."meta") = 'null'))`, []],
    ['belongsTo path', { '==': [v('customer.name'), 'x'] }, '(c1."name" = $1::text)', ['x']],
    ['! is IS NOT TRUE', { '!': { '==': [v('qty'), 1] } }, '(((t."qty" = $1::bigint)) IS NOT TRUE)', [1]],
    ['! with a list', { '!': [true] }, '((TRUE) IS NOT TRUE)', []],
    ['and', { and: [{ '==': [v('qty'), 1] }, false] }, '((t."qty" = $1::bigint) AND FALSE)', [1]],
    ['or', { or: [{ '==': [v('qty'), 1] }, { isNull: [v('qty')] }, true] }, '((t."qty" = $1::bigint) OR (t."qty" IS NULL) OR TRUE)', [1]],
    ['a var may be a one-element list', { '==': [{ var: ['name'] }, 'a'] }, '(t."name" = $1::text)', ['a']],
    ['constant', true, 'TRUE', []],
  ])('%s', (_label, logic, sql, values) => {
    expect(compile(logic)).toEqual({ sql, values });
  });

  it('compiles some and none with the collection context', () => {
    const open = 'EXISTS (SELECT 1 FROM "contact" k1 WHERE k1."customer_id" = t."id" AND ';
    expect(compile({ some: [v('contacts'), { '==': [v('primary'), true] }] })).toEqual({
      sql: `${open}((k1."primary" = $1::boolean)))`,
      values: [true],
    });
    expect(compile({ none: [v('contacts'), { startsWith: [v('email'), 'a'] }] }).sql).toBe(
      `NOT (${open}((starts_with(${FOLD('k1."email"')}, ${FOLD('$1::text')})))))`,
    );
  });

  it('continues the numbering of an existing parameter list', () => {
    const params = new SqlParams(['already']);
    const sql = compileConditionSql(
      { '==': [v('name'), 'x'] },
      fakeContext((value) => params.add(value)),
      registry,
    );
    expect(sql).toBe('(t."name" = $2::text)');
    expect(params.values).toEqual(['already', 'x']);
  });

  it('never puts a literal into the SQL text', () => {
    const hostile = "x'); DROP TABLE t; --";
    const { sql, values } = compile({
      or: [{ '==': [v('name'), hostile] }, { in: [v('status'), [hostile]] }, { contains: [v('name'), hostile] }],
    });
    expect(sql).not.toContain('DROP');
    expect(values).toEqual([hostile, [hostile], hostile]);
  });
});

describe('compileConditionSql: rejecting conditions', () => {
  const deep = (levels: number): unknown => {
    let logic: unknown = { '==': [v('qty'), 1] };
    for (let i = 1; i < levels; i++) logic = { '!': logic };
    return logic;
  };

  it.each([
    ['unknown operator', { and: [true, { like: [v('name'), 'a'] }] }, 'filter.unknown_operator', '/and/1/like'],
    ['json-logic operators we do not offer', { '===': [v('name'), 'a'] }, 'filter.unknown_operator', '/==='],
    ['operator not allowed on the field', { and: [true, { '<': [v('tags'), 'x'] }] }, 'filter.operator_not_allowed', '/and/1/</0'],
    ['ordering on longtext', { '>': [v('body'), 'x'] }, 'filter.operator_not_allowed', '/>/0'],
    ['startsWith on a number', { startsWith: [v('qty'), 1] }, 'filter.operator_not_allowed', '/startsWith/0'],
    ['text against integer', { '==': [v('qty'), 'abc'] }, 'filter.invalid_value', '/==/1'],
    ['fraction against integer', { '==': [v('qty'), 1.5] }, 'filter.invalid_value', '/==/1'],
    ['numeric string against integer', { '==': [v('qty'), '1'] }, 'filter.invalid_value', '/==/1'],
    ['non-decimal string', { '<': [v('amount'), '1,5'] }, 'filter.invalid_value', '/</1'],
    ['exponent string for decimal', { '<': [v('amount'), '1e5'] }, 'filter.invalid_value', '/</1'],
    ['non-ISO date', { '==': [v('due'), '31/12/2024'] }, 'filter.invalid_value', '/==/1'],
    ['impossible date', { '==': [v('due'), '2023-02-29'] }, 'filter.invalid_value', '/==/1'],
    ['year zero', { '==': [v('due'), '0000-01-01'] }, 'filter.invalid_value', '/==/1'],
    ['datetime without offset', { '>': [v('at'), '2024-03-31T08:00:00'] }, 'filter.invalid_value', '/>/1'],
    ['date for a datetime', { '>': [v('at'), '2024-03-31'] }, 'filter.invalid_value', '/>/1'],
    ['string for boolean', { '==': [v('active'), 'true'] }, 'filter.invalid_value', '/==/1'],
    ['not a uuid', { '==': [v('customer'), '42'] }, 'filter.invalid_value', '/==/1'],
    ['NUL in text', { '==': [v('name'), 'a\u0000b'] }, 'filter.invalid_value', '/==/1'],
    ['null where a value is needed', { '<': [v('qty'), null] }, 'filter.invalid_value', '/</1'],
    ['bad element of an in list', { in: [v('qty'), [1, 'x']] }, 'filter.invalid_value', '/in/1/1'],
    ['null in an in list', { in: [v('qty'), [null]] }, 'filter.invalid_value', '/in/1/0'],
    ['in list too long', { in: [v('qty'), Array.from({ length: 1001 }, (_, i) => i)] }, 'filter.too_many_values', '/in/1'],
    ['nested deeper than 32', deep(33), 'filter.too_deep', `${'/!'.repeat(32)}`],
    ['wrong arity', { '==': [v('name')] }, 'filter.malformed', '/=='],
    ['between with one bound', { between: [v('qty'), 1] }, 'filter.malformed', '/between'],
    ['var not a string', { '==': [{ var: 5 }, 1] }, 'filter.malformed', '/==/0'],
    ['var with a default', { '==': [{ var: ['name', 'x'] }, 'x'] }, 'filter.malformed', '/==/0'],
    ['empty var', { '==': [{ var: '' }, 'x'] }, 'filter.malformed', '/==/0'],
    ['literal first', { '==': ['x', v('name')] }, 'filter.malformed', '/==/0'],
    ["json-logic's substring in", { in: ['abc', v('name')] }, 'filter.malformed', '/in/0'],
    ['text compared with a number', { '==': [v('name'), { '+': [v('qty'), 1] }] }, 'filter.type_mismatch', '/=='],
    ['a function as a condition', { '+': [v('qty'), 1] }, 'filter.malformed', '/+'],
    ['in without a list', { in: [v('status'), 'open'] }, 'filter.malformed', '/in/1'],
    ['object with two operators', { '==': [v('name'), 'a'], '!=': [v('name'), 'b'] }, 'filter.malformed', ''],
    ['two operators nested', { or: [{ '==': [v('name'), 'a'], '!=': [v('name'), 'b'] }] }, 'filter.malformed', '/or/0'],
    ['empty and', { and: [] }, 'filter.malformed', '/and'],
    ['and without a list', { and: true }, 'filter.malformed', '/and'],
    ['! with two arguments', { '!': [true, false] }, 'filter.malformed', '/!'],
    ['some without a condition', { some: [v('contacts')] }, 'filter.malformed', '/some'],
    ['string as a condition', 'name', 'filter.malformed', ''],
    ['null as a condition', null, 'filter.malformed', ''],
    ['number inside and', { and: [1] }, 'filter.malformed', '/and/0'],
    ['a var alone', { var: 'active' }, 'filter.malformed', ''],
    ['unknown field (from the context)', { '==': [v('nope'), 1] }, 'filter.unknown_field', '/==/0'],
    ['unknown collection', { some: [v('orders'), true] }, 'filter.unknown_field', '/some/0'],
    ['unknown field inside some', { some: [v('contacts'), { '==': [v('name'), 'x'] }] }, 'filter.unknown_field', '/some/1/==/0'],
    ['pointer tokens are escaped', { 'a/b~c': [] }, 'filter.unknown_operator', '/a~1b~0c'],
  ])('%s', (_label, logic, code, pointer) => {
    const error = failure(logic);
    expect(error.status).toBe(400);
    expect(error.code).toBe(code);
    expect(error.fieldErrors).toEqual([expect.objectContaining({ code, pointer })]);
  });

  it('accepts exactly 32 levels and 1000 values', () => {
    expect(() => compile(deep(32))).not.toThrow();
    expect(compile({ in: [v('qty'), Array.from({ length: 1000 }, (_, i) => i)] }).values).toHaveLength(1);
  });

  it('names the operator and the field path when an operator is not allowed', () => {
    expect(failure({ contains: [v('qty'), 1] }).fieldErrors[0]?.message).toBe('Operator "contains" is not allowed on field "qty"');
  });

  it('collects every problem into one error', () => {
    const error = failure({ and: [{ '==': [v('qty'), 'x'] }, { nope: 1 }, { '<': [v('tags'), 'a'] }] });
    expect(error.code).toBe('filter.invalid_value');
    expect(error.fieldErrors.map((e) => [e.code, e.pointer])).toEqual([
      ['filter.invalid_value', '/and/0/==/1'],
      ['filter.unknown_operator', '/and/1/nope'],
      ['filter.operator_not_allowed', '/and/2/</0'],
    ]);
  });

  it('keeps SQL out of error messages', () => {
    const error = failure({ and: [{ '==': [v('qty'), 'x'] }, { '<': [v('tags'), 'a'] }, { '==': [v('customer.name'), 5] }] });
    for (const text of [error.detail, ...error.fieldErrors.map((e) => e.message)]) {
      expect(text).not.toMatch(/\$\d|t\."|c1\.|::|SELECT|strpos|COLLATE/);
    }
  });
});
