import { describe, expect, it } from 'vitest';
import { SqlParams } from '../../../../engine/src/sql/sql-params.js';

describe('SqlParams', () => {
  it('numbers placeholders in order, casts when asked, and keeps the values', () => {
    const params = new SqlParams();
    expect([params.add('a'), params.add(['b'], 'text[]'), params.add(3)]).toEqual(['$1', '$2::text[]', '$3']);
    expect(params.values).toEqual(['a', ['b'], 3]);
  });

  it('continues after values a statement already has, without changing them', () => {
    const bound: unknown[] = [1, 2];
    const params = new SqlParams(bound);
    expect(params.add('x')).toBe('$3');
    expect(params.values).toEqual([1, 2, 'x']);
    expect(bound).toEqual([1, 2]);
  });
});
