// SQL literals, for the places PostgreSQL takes no parameters: DDL (column defaults, comments, value checks,
// partial-index predicates). Every other value reaches SQL as a bound parameter (sql-params.ts).
import { EngineError } from '../shared/engine-error.js';
import { isStorableText } from '../shared/storable-text.js';

function unsupported(detail: string): EngineError {
  return new EngineError('sql.unsupported_literal', 422, detail);
}

/**
 * Assumes standard_conforming_strings (PostgreSQL's default since 9.1): doubling quotes is then the only
 * escaping a string needs, and backslashes are ordinary characters.
 */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  // Parenthesised so that a following cast applies to the negative number, not only to its digits.
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw unsupported(`${value} cannot be written as a SQL literal`);
    return value < 0 ? `(${value})` : String(value);
  }
  if (typeof value === 'bigint') return value < 0n ? `(${value})` : String(value);
  if (typeof value === 'string') {
    if (!isStorableText(value)) throw unsupported('A string with NUL or an unpaired surrogate cannot be written as a SQL literal');
    // Statements run through knex.raw, which takes every `?` for a binding (and eats the backslashes before it):
    // a string holding one is written as a Unicode-escape literal instead, where `?` is \003F.
    if (value.includes('?')) return `U&'${value.replace(/\\/g, '\\\\').replace(/'/g, "''").replace(/\?/g, '\\003F')}'`;
    return `'${value.replace(/'/g, "''")}'`;
  }
  if (Array.isArray(value)) {
    // ARRAY[] has no element type of its own; '{}' takes the type of the cast or column it meets.
    return value.length === 0 ? `'{}'` : `ARRAY[${value.map((v: unknown) => sqlLiteral(v)).join(', ')}]`;
  }
  if (typeof value === 'object') return `${sqlLiteral(JSON.stringify(value))}::jsonb`;
  throw unsupported(`A ${typeof value} cannot be written as a SQL literal`);
}
