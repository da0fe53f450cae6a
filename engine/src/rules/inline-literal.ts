// SQL literals for compiled conditions where PostgreSQL takes no parameters (DDL: partial-index
// predicates). Passed as the `param` of a SqlCompileContext; the compiler adds the cast after it.
import { ruleError } from './errors.js';
import { isStorableText } from '../shared/storable-text.js';

/**
 * Assumes standard_conforming_strings (PostgreSQL's default since 9.1): doubling quotes is then the only
 * escaping a string needs, and backslashes are ordinary characters.
 */
export function inlineLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  // Parenthesised so that a following cast applies to the negative number, not only to its digits.
  if (typeof value === 'number' && Number.isFinite(value)) return value < 0 ? `(${value})` : String(value);
  if (typeof value === 'bigint') return value < 0n ? `(${value})` : String(value);
  if (typeof value === 'string') {
    if (!isStorableText(value)) throw ruleError('rules.unsupported_literal', 'A string with NUL or an unpaired surrogate cannot be inlined');
    return `'${value.replace(/'/g, "''")}'`;
  }
  if (Array.isArray(value)) {
    // ARRAY[] has no element type of its own; '{}' takes the type of the cast that follows.
    return value.length === 0 ? `'{}'` : `ARRAY[${value.map((v: unknown) => inlineLiteral(v)).join(', ')}]`;
  }
  throw ruleError('rules.unsupported_literal', `A ${typeof value} cannot be inlined as a SQL literal`);
}
