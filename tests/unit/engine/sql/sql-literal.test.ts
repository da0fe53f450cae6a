import { describe, expect, it } from 'vitest';
import { inlineLiteral } from '../../../../engine/src/rules/inline-literal.js';
import { EngineError } from '../../../../engine/src/shared/engine-error.js';

describe('inlineLiteral', () => {
  it.each([
    ['plain string', 'abc', "'abc'"],
    ['quotes are doubled', "O'Brien''s", "'O''Brien''''s'"],
    ['backslashes stay (standard_conforming_strings)', 'a\\b\\', "'a\\b\\'"],
    ['unicode', '客户😀', "'客户😀'"],
    ['empty string', '', "''"],
    ['integer', 42, '42'],
    ['negative numbers are parenthesised for the cast', -1.5, '(-1.5)'],
    ['bigint', -5n, '(-5)'],
    ['booleans', true, 'TRUE'],
    ['null', null, 'NULL'],
    ['arrays', ['a', "b'c"], "ARRAY['a', 'b''c']"],
    ['empty arrays take the following cast', [], "'{}'"],
  ])('%s', (_label, value, sql) => {
    expect(inlineLiteral(value)).toBe(sql);
  });

  it.each([['NUL', 'a\u0000'], ['lone surrogate', '\uDC00'], ['object', { a: 1 }], ['NaN', Number.NaN], ['Infinity', Number.POSITIVE_INFINITY]])(
    'refuses %s',
    (_label, value) => {
      expect(() => inlineLiteral(value)).toThrow(EngineError);
    },
  );
});
