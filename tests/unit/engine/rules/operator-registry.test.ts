import { describe, expect, it } from 'vitest';
import { compileConditionSql } from '../../../../engine/src/rules/compile-condition-sql.js';
import { createOperatorRegistry } from '../../../../engine/src/rules/operator-registry.js';
import { EngineError } from '../../../../engine/src/shared/engine-error.js';
import { endsWithOperator, fakeContext } from './fake-context.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof EngineError) return `${error.status} ${error.code}`;
    throw error;
  }
  return 'no error';
}

describe('createOperatorRegistry', () => {
  it('has the builtins, each with both halves', () => {
    const registry = createOperatorRegistry();
    expect(registry.list().map((d) => d.name)).toEqual([
      '==',
      '!=',
      '<',
      '<=',
      '>',
      '>=',
      'between',
      'in',
      'contains',
      'startsWith',
      'isNull',
      '!',
      'and',
      'or',
      'some',
      'none',
      '+',
      '-',
      '*',
      '/',
      'round',
      'min',
      'max',
      'coalesce',
      'daysBetween',
      'today',
      'now',
      'cat',
    ]);
    for (const def of registry.list()) {
      expect(typeof def.memory).toBe('function');
      expect(typeof def.sql).toBe('function');
    }
  });

  it('adds an operator that both evaluators then use', () => {
    const registry = createOperatorRegistry();
    registry.register(endsWithOperator);
    expect(registry.get('endsWith')).toMatchObject({ name: 'endsWith', kind: 'compare' });
    const base = fakeContext((value) => `'${String(value)}'`);
    const ctx = {
      ...base,
      resolveVar: (path: string, pointer: string) => ({ ...base.resolveVar(path, pointer), operators: ['endsWith'] }),
    };
    expect(compileConditionSql({ endsWith: [{ var: 'name' }, 'x'] }, ctx, registry)).toBe(
      `(right(t."name", char_length('x'::text)) = 'x'::text)`,
    );
  });

  it('refuses duplicates, bad names and late registrations', () => {
    const registry = createOperatorRegistry();
    expect(codeOf(() => registry.register({ ...endsWithOperator, name: '==' }))).toBe('500 rules.operator_exists');
    expect(codeOf(() => registry.register({ ...endsWithOperator, name: 'var' }))).toBe('500 rules.invalid_operator');
    expect(codeOf(() => registry.register({ ...endsWithOperator, name: 'a.b' }))).toBe('500 rules.invalid_operator');
    expect(codeOf(() => registry.register({ ...endsWithOperator, name: 'tessera:x' }))).toBe('500 rules.invalid_operator');
    registry.freeze();
    expect(registry.isFrozen).toBe(true);
    expect(codeOf(() => registry.register(endsWithOperator))).toBe('500 rules.registry_frozen');
  });

  it('throws a typed 400 for unknown names', () => {
    const registry = createOperatorRegistry();
    expect(registry.has('like')).toBe(false);
    expect(codeOf(() => registry.get('like'))).toBe('400 filter.unknown_operator');
  });

  it('gives each call its own registry', () => {
    const a = createOperatorRegistry();
    a.register(endsWithOperator);
    expect(createOperatorRegistry().has('endsWith')).toBe(false);
  });
});
