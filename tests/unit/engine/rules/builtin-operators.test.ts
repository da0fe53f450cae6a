import { describe, expect, it } from 'vitest';
import { builtinOperators, foldAscii } from '../../../../engine/src/rules/builtin-operators.js';

describe('builtinOperators', () => {
  it('folds only ASCII letters, as translate() does in SQL', () => {
    expect(foldAscii('AbZ ÄÉİΣ')).toBe('abz ÄÉİΣ');
  });

  it('makes ! mean IS NOT TRUE in both halves', () => {
    const not = builtinOperators.find((d) => d.name === '!');
    if (not?.kind !== 'logical') throw new Error('no ! operator');
    expect(not.memory([false])).toBe(true);
    expect(not.memory([true])).toBe(false);
    expect(not.sql(['x'])).toBe('((x) IS NOT TRUE)');
  });

  it('only offers a comparison on operand types it has a meaning for', () => {
    const operands = Object.fromEntries(builtinOperators.flatMap((d) => (d.kind === 'compare' ? [[d.name, d.operands]] : [])));
    expect(operands.contains).toEqual(['text', 'multienum']);
    expect(operands.startsWith).toEqual(['text']);
    expect(operands['<']).not.toContain('boolean');
    expect(operands['==']).not.toContain('multienum');
  });
});
