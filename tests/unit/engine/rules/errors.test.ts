import { describe, expect, it } from 'vitest';
import { conditionError, conditionProblem, ruleError } from '../../../../engine/src/rules/errors.js';

describe('rules errors', () => {
  it('makes one 400 from all problems, coded after the first', () => {
    const error = conditionError([
      conditionProblem('filter.malformed', '/and/0', 'bad shape'),
      conditionProblem('filter.too_deep', '/and/1', 'too deep'),
    ]);
    expect([error.status, error.code, error.fieldErrors.length]).toEqual([400, 'filter.malformed', 2]);
    expect(error.detail).toContain('2 problems');
  });

  it('makes 500s for operator code mistakes', () => {
    expect(ruleError('rules.operator_exists', 'x').status).toBe(500);
  });
});
