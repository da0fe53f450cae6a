import { describe, expect, it } from 'vitest';
import { sqlLiteral } from '../../../../engine/src/sql/sql-literal.js';
import { EngineError } from '../../../../engine/src/shared/engine-error.js';

describe('sqlLiteral', () => {
  it.each([
    ['plain string', 'abc', "'abc'"],
    ['quotes are doubled', "O'Brien''s", "'O''Brien''''s'"],
    ['backslashes stay (standard_conforming_strings)', 'a\\b\\', "'a\\b\\'"],
    ['unicode', '客户😀', "'客户😀'"],
    ['empty string', '', "''"],
    ['integer', 42, '42'],
    ['negative numbers are parenthesised for the cast', -1.5, '(-1.5)'],
    ['bigint', -5n, '(-5)'],
    ['booleans', true, 'true'],
    ['null', null, 'NULL'],
    ['arrays', ['a', "b'c"], "ARRAY['a', 'b''c']"],
    ['empty arrays take the following cast', [], "'{}'"],
    ['a ? is written as a Unicode escape (knex.raw would take it for a binding)', '^a\\?b$', "U&'^a\\\\\\003Fb$'"],
    ['objects are jsonb', { a: "it's" }, `'{"a":"it''s"}'::jsonb`],
  ])('%s', (_label, value, sql) => {
    expect(sqlLiteral(value)).toBe(sql);
  });

  it.each([
    ['NUL', 'a\u0000'],
    ['lone surrogate', '\uDC00'],
    ['a function', () => 1],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('refuses %s', (_label, value) => {
    expect(() => sqlLiteral(value)).toThrow(EngineError);
  });
});
