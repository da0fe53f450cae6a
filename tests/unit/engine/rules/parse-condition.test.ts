import { describe, expect, it } from 'vitest';
import type { SqlCompileContext } from '../../../../engine/src/rules/compile-condition-sql.js';
import { createOperatorRegistry } from '../../../../engine/src/rules/operator-registry.js';
import { MAX_DEPTH, MAX_LIST_LENGTH, parseCondition } from '../../../../engine/src/rules/parse-condition.js';
import { EngineError } from '../../../../engine/src/shared/engine-error.js';
import { fakeContext } from './fake-context.js';

const registry = createOperatorRegistry();

describe('parseCondition', () => {
  it('resolves vars through the scope and keeps the normalised literals', () => {
    const tree = parseCondition({ and: [{ '==': [{ var: 'amount' }, 12.5] }, true] }, fakeContext(), registry);
    expect(tree).toMatchObject({
      kind: 'logical',
      args: [
        {
          kind: 'compare',
          operand: 'decimal',
          left: { kind: 'var', path: 'amount', operand: { operand: 'decimal', sql: 't."amount"' } },
          args: [{ static: '12.5' }],
        },
        { kind: 'constant', value: true },
      ],
    });
  });

  it('resolves vars inside some/none in the collection scope', () => {
    const tree = parseCondition({ some: [{ var: 'contacts' }, { '==': [{ var: 'primary' }, true] }] }, fakeContext(), registry);
    expect(tree).toMatchObject({ kind: 'quantifier', path: 'contacts', inner: { left: { operand: { sql: 'k1."primary"' } } } });
  });

  // #18: the messages say what to write instead.
  it.each([
    ['a bare var as the whole filter suggests a comparison', { var: 'active' }, '', 'like {"==": [{"var":"active"}, true]}'],
    ['null inside in suggests isNull', { in: [{ var: 'qty' }, [1, null]] }, '/in/1/1', '{"isNull": [{"var": "qty"}]}'],
  ])('%s', (_label, logic, pointer, hint) => {
    try {
      parseCondition(logic, fakeContext(), registry);
      expect.unreachable();
    } catch (error) {
      const [problem] = (error as EngineError).fieldErrors;
      expect(problem?.pointer).toBe(pointer);
      expect(problem?.message).toContain(hint);
    }
  });

  it('has the documented limits', () => {
    expect([MAX_DEPTH, MAX_LIST_LENGTH]).toEqual([32, 1000]);
  });

  it('reports at most 50 problems', () => {
    try {
      parseCondition({ in: [{ var: 'qty' }, Array.from({ length: 500 }, () => 'x')] }, fakeContext(), registry);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EngineError);
      expect((error as EngineError).fieldErrors).toHaveLength(50);
    }
  });

  it('lets errors that are not EngineErrors through', () => {
    const ctx: SqlCompileContext = {
      ...fakeContext(),
      resolveVar: () => {
        throw new TypeError('bug');
      },
    };
    expect(() => parseCondition({ isNull: [{ var: 'x' }] }, ctx, registry)).toThrow(TypeError);
  });
});
