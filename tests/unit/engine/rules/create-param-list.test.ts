import { describe, expect, it } from 'vitest';
import { createParamList } from '../../../../engine/src/rules/create-param-list.js';

describe('createParamList', () => {
  it('numbers placeholders in order and keeps the values', () => {
    const params = createParamList();
    expect([params.param('a'), params.param(['b']), params.param(3)]).toEqual(['$1', '$2', '$3']);
    expect(params.values).toEqual(['a', ['b'], 3]);
  });

  it('continues after values a statement already has', () => {
    const values: unknown[] = [1, 2];
    expect(createParamList(values).param('x')).toBe('$3');
    expect(values).toEqual([1, 2, 'x']);
  });
});
