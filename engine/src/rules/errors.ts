// Error codes of the condition language. Conditions arrive from URLs and designer drafts, so every problem
// with one is a 400 carrying a JSON pointer into the expression; mistakes in operator code are 500s.
import { EngineError, type FieldError } from '../shared/engine-error.js';

/** A condition supplied by a user is not acceptable (status 400). */
export type ConditionProblemCode =
  | 'filter.unknown_operator'
  | 'filter.operator_not_allowed'
  | 'filter.invalid_value'
  | 'filter.too_deep'
  | 'filter.too_many_values'
  | 'filter.type_mismatch'
  | 'filter.volatile'
  | 'filter.malformed';

/** Code that registers or runs operators broke a rule (status 500). */
export type RuleErrorCode = 'rules.operator_exists' | 'rules.registry_frozen' | 'rules.invalid_operator';

export function conditionProblem(code: ConditionProblemCode, pointer: string, message: string): FieldError {
  return { pointer, code, message };
}

/** One error for every problem found in a condition; its code is the first problem's. */
export function conditionError(problems: readonly FieldError[]): EngineError {
  const first = problems[0];
  if (first === undefined) throw new Error('conditionError needs at least one problem');
  const detail =
    problems.length === 1
      ? `Invalid condition: ${first.message}`
      : `Invalid condition (${problems.length} problems); first: ${first.message}`;
  return new EngineError(first.code, 400, detail, { fieldErrors: [...problems] });
}

export function ruleError(code: RuleErrorCode, detail: string): EngineError {
  return new EngineError(code, 500, detail);
}
