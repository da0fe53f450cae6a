import jsonLogic from 'json-logic-js';
import { describe, expect, it } from 'vitest';
import { compileConditionSql } from '../../../../engine/src/rules/compile-condition-sql.js';
import { compileConditionMemory, evaluateCondition } from '../../../../engine/src/rules/evaluate-condition.js';
import { createOperatorRegistry } from '../../../../engine/src/rules/operator-registry.js';
import { EngineError } from '../../../../engine/src/shared/engine-error.js';
import { endsWithOperator, fakeContext } from './fake-context.js';

const registry = createOperatorRegistry();
registry.freeze();
const scope = fakeContext();
const v = (path: string) => ({ var: path });
const run = (logic: unknown, record: unknown): boolean => evaluateCondition(logic, record, scope, registry);

const CUSTOMER = 'aaaaaaaa-0000-4000-8000-00000000000f';

describe('evaluateCondition: SQL-compatible semantics', () => {
  it.each([
    ['== with a missing value is false', { '==': [v('name'), 'x'] }, {}, false],
    ['== null is IS NULL', { '==': [v('name'), null] }, { name: null }, true],
    ['== null on a missing field', { '==': [v('name'), null] }, {}, true],
    ['an empty string is not null', { '==': [v('name'), null] }, { name: '' }, false],
    ['!= is IS DISTINCT FROM', { '!=': [v('name'), 'x'] }, { name: null }, true],
    ['!= null is IS NOT NULL', { '!=': [v('name'), null] }, { name: 'a' }, true],
    ['no loose equality', { '==': [v('qty'), 0] }, { qty: '' }, false],
    ['< with null is false', { '<': [v('qty'), 5] }, { qty: null }, false],
    ['! of a null comparison is true', { '!': { '<': [v('qty'), 5] } }, { qty: null }, true],
    ['decimals compare as numbers', { '==': [v('amount'), '12.5'] }, { amount: '12.50' }, true],
    ['decimal number literal', { '==': [v('amount'), 12.5] }, { amount: '12.50' }, true],
    ['decimals compare exactly', { '<': [v('amount'), '0.30000000000000000001'] }, { amount: '0.3' }, true],
    ['negative decimals', { '<': [v('amount'), '-1.5'] }, { amount: '-10.00' }, true],
    ['currency amount path', { '>=': [v('price.amount'), 100] }, { price: { amount: '100.00', currency: 'EUR' } }, true],
    ['currency code path', { '==': [v('price.currency'), 'EUR'] }, { price: { amount: '1', currency: 'EUR' } }, true],
    ['datetimes compare as instants', { '==': [v('at'), '2024-03-31T10:00:00+02:00'] }, { at: '2024-03-31T08:00:00.000Z' }, true],
    ['datetimes to the microsecond', { '<': [v('at'), '2024-03-31T08:00:00.000001Z'] }, { at: '2024-03-31T08:00:00Z' }, true],
    ['dates', { between: [v('due'), '2024-01-01', '2024-12-31'] }, { due: '2024-12-31' }, true],
    ['between is inclusive and ordered', { between: [v('qty'), 5, 1] }, { qty: 3 }, false],
    ['boolean', { '==': [v('active'), false] }, { active: false }, true],
    ['in', { in: [v('status'), ['open', 'won']] }, { status: 'won' }, true],
    ['in an empty list', { in: [v('status'), []] }, { status: 'won' }, false],
    ['in with null', { in: [v('status'), ['open']] }, { status: null }, false],
    [
      'a belongsTo object compares by id',
      { '==': [v('customer'), CUSTOMER.toUpperCase()] },
      { customer: { id: CUSTOMER, name: 'A' } },
      true,
    ],
    ['a belongsTo id string', { in: [v('customer'), [CUSTOMER]] }, { customer: CUSTOMER }, true],
    ['a missing belongsTo is null', { isNull: [v('customer')] }, { customer: null }, true],
    ['through a belongsTo', { '==': [v('customer.name'), 'A'] }, { customer: { id: CUSTOMER, name: 'A' } }, true],
    ['through a missing belongsTo', { '!=': [v('customer.name'), 'A'] }, { customer: null }, true],
    ['contains folds ASCII case', { contains: [v('name'), 'CME'] }, { name: 'Acme' }, true],
    ['contains leaves non-ASCII case alone', { contains: [v('name'), 'É'] }, { name: 'café' }, false],
    ['contains has no wildcards', { contains: [v('name'), '%'] }, { name: 'abc' }, false],
    ['contains on null', { contains: [v('name'), ''] }, { name: null }, false],
    ['contains on multienum', { contains: [v('tags'), 'vip'] }, { tags: ['new', 'vip'] }, true],
    ['contains on an empty multienum', { contains: [v('tags'), 'vip'] }, { tags: [] }, false],
    ['startsWith ignores ASCII case, as contains does', { startsWith: [v('name'), 'aC'] }, { name: 'Acme' }, true],
    ['startsWith folds ASCII only', { startsWith: [v('name'), 'é'] }, { name: 'École' }, false],
    ['startsWith has no wildcards', { startsWith: [v('name'), '_'] }, { name: 'x_' }, false],
    ['text order is code point order', { '<': [v('name'), '\uE000'] }, { name: '😀' }, false],
    ['isNull on json null', { isNull: [v('meta')] }, { meta: null }, true],
    ['isNull on json', { isNull: [v('meta')] }, { meta: { a: 1 } }, false],
    ['some', { some: [v('contacts'), { '==': [v('primary'), true] }] }, { contacts: [{ primary: false }, { primary: true }] }, true],
    ['some of none', { some: [v('contacts'), true] }, { contacts: [] }, false],
    ['none of none', { none: [v('contacts'), true] }, {}, true],
    ['none', { none: [v('contacts'), { startsWith: [v('email'), 'a'] }] }, { contacts: [{ email: 'ab' }] }, false],
    ['and with one argument', { and: [{ '==': [v('qty'), 1] }] }, { qty: 1 }, true],
    ['or', { or: [false, { '==': [v('qty'), 1] }] }, { qty: 1 }, true],
    ['constants', false, {}, false],
  ])('%s', (_label, logic, record, expected) => {
    expect(run(logic, record)).toBe(expected);
  });

  it('rejects what the SQL compiler rejects, with the same problems', () => {
    const bad = { and: [{ '==': [v('qty'), 'x'] }, { in: ['abc', v('name')] }] };
    const errorOf = (fn: () => unknown): EngineError => {
      try {
        fn();
      } catch (error) {
        if (error instanceof EngineError) return error;
      }
      throw new Error('expected an EngineError');
    };
    const memory = errorOf(() => run(bad, {}));
    const sql = errorOf(() => compileConditionSql(bad, fakeContext(), registry));
    expect(memory.fieldErrors).toEqual(sql.fieldErrors);
    expect(memory.code).toBe('filter.invalid_value');
  });

  it('checks a condition once and reuses it for many records', () => {
    const matches = compileConditionMemory({ '>': [v('qty'), 1] }, scope, registry);
    expect([0, 1, 2, 3].map((qty) => matches({ qty }))).toEqual([false, false, true, true]);
  });

  it('refuses to run the standard json-logic form with our operators installed', () => {
    run(true, {});
    expect(() => jsonLogic.apply({ '==': [1, 1] })).toThrow(EngineError);
  });

  it('uses the halves of the registry it is given', () => {
    const other = createOperatorRegistry();
    other.register(endsWithOperator);
    const ctx = {
      ...scope,
      resolveVar: (path: string, pointer: string) => ({ ...scope.resolveVar(path, pointer), operators: ['endsWith'] }),
    };
    expect(evaluateCondition({ endsWith: [v('name'), 'me'] }, { name: 'Acme' }, ctx, other)).toBe(true);
    expect(run({ '==': [v('qty'), 1] }, { qty: 1 })).toBe(true);
  });
});
