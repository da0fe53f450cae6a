// How values read in cells and headers, per kind and locale.
import { describe, expect, it } from 'vitest';
import { formatValue } from '../../../runtime-ui/src/list/cell-format.js';

describe('formatValue', () => {
  const stage = { kind: 'enum', values: [{ value: 'new', label: '新客户' }] };
  it.each([
    [stage, 'new', 'zh-CN', '新客户'],
    [stage, 'gone', 'zh-CN', 'gone'],
    [
      {
        kind: 'multienum',
        values: [
          { value: 'a', label: 'A' },
          { value: 'b', label: 'B' },
        ],
      },
      ['a', 'b'],
      'en',
      'A, B',
    ],
    [{ kind: 'integer' }, 1234567, 'en', '1,234,567'],
    [{ kind: 'decimal' }, '1234.50', 'en', '1,234.50'],
    [{ kind: 'decimal' }, '0.12345678', 'en', '0.1235'],
    [{ kind: 'currency' }, { amount: '1234.5', currency: 'CNY' }, 'zh-CN', '¥1,234.50'],
    [{ kind: 'currency' }, { amount: '99', currency: 'USD' }, 'en', '$99.00'],
    [{ kind: 'date' }, '2026-03-01', 'zh-CN', '2026/03/01'],
    [{ kind: 'date' }, '2026-03-01', 'en', '03/01/2026'],
    [{ kind: 'score' }, { points: '45.00', band: 'B' }, 'en', '45.00 · B'],
    [{ kind: 'user', titleField: 'display_name' }, { id: 'u1', display_name: '蒋涛' }, 'zh-CN', '蒋涛'],
    [{ kind: 'relation', titleField: 'name' }, '0193e2a0-0001-7000-8000-000000000001', 'en', '0193e2a0'],
    [{ kind: 'text' }, null, 'en', ''],
  ])('%j of %j in %s', (field, value, locale, expected) => {
    expect(formatValue(field, value, locale)).toBe(expected);
  });

  it('says yes and no in the words given', () => {
    expect(formatValue({ kind: 'boolean' }, true, 'zh-CN', new Map(), ['是', '否'])).toBe('是');
    expect(formatValue({ kind: 'boolean' }, false, 'zh-CN', new Map(), ['是', '否'])).toBe('否');
  });

  it('names a related record by a known title', () => {
    expect(formatValue({ kind: 'relation' }, 'abc', 'en', new Map([['abc', 'Acme']]))).toBe('Acme');
  });
});
