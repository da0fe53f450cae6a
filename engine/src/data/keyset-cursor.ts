// Opaque keyset cursors: the last row's sort values, bound to the entity and the sort they were made for.
// Paging by keyset returns every row once even while rows are inserted, unlike offsets.
import { EngineError } from '../shared/engine-error.js';
import type { SqlParams } from '../sql/sql-params.js';
import type { OperandType } from '../metadata/field-kinds.js';
import { operandValues } from '../rules/operand-values.js';

export interface SortKeySql {
  readonly sql: string;
  readonly descending: boolean;
  /** SQL type to cast a cursor value back to. */
  readonly cast: string;
  /** What the key's values are, to check values coming back in a cursor. */
  readonly operand: OperandType;
}

type CursorValue = string | number | boolean | null;

interface CursorBody { e: string; s: string; v: CursorValue[] }

export function encodeCursor(entity: string, sortSignature: string, values: readonly unknown[]): string {
  const v = values.map((x) => (x instanceof Date ? x.toISOString() : (x as CursorValue) ?? null));
  return Buffer.from(JSON.stringify({ e: entity, s: sortSignature, v } satisfies CursorBody)).toString('base64url');
}

function invalid(why: string): EngineError {
  return new EngineError('query.invalid_cursor', 400, `the cursor is not valid for this query: ${why}`, { fieldErrors: [{ pointer: '/cursor', code: 'query.invalid_cursor', message: why }] });
}

export function decodeCursor(cursor: string, entity: string, sortSignature: string, keys: readonly SortKeySql[]): CursorValue[] {
  const keyCount = keys.length;
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('it is not a cursor this API issued');
  }
  const b = body as Partial<CursorBody> | null;
  if (!b || typeof b !== 'object') throw invalid('it is not a cursor this API issued');
  // Another entity's cursor could carry values of the same types (the id key always fits): refuse it by name.
  if (b.e !== entity) throw invalid('it was issued for another entity');
  if (b.s !== sortSignature) throw invalid('it was issued for another sort order');
  if (!Array.isArray(b.v) || b.v.length !== keyCount) throw invalid('its values do not match the sort keys');
  // A cursor comes back from the client: every value must be a valid value of its key before SQL sees it.
  return b.v.map((x, i) => {
    if (x === null) return null;
    const key = keys[i];
    const check = key ? operandValues[key.operand].literal(x) : undefined;
    if (!check?.ok) throw invalid('its values are malformed');
    return check.value;
  });
}

/**
 * Rows strictly after `values` in the order of `keys` (the last key is the unique id).
 * ASC sorts put NULLs last and DESC sorts put them first, as PostgreSQL does by default.
 */
export function keysetCondition(keys: readonly SortKeySql[], values: readonly CursorValue[], params: SqlParams): string {
  const build = (i: number): string => {
    const key = keys[i];
    if (!key) return 'false';
    const v = values[i] ?? null;
    const last = i === keys.length - 1;
    if (v === null) {
      if (last) return 'false';
      return key.descending
        ? `(${key.sql} IS NOT NULL OR (${key.sql} IS NULL AND ${build(i + 1)}))`
        : `(${key.sql} IS NULL AND ${build(i + 1)})`;
    }
    const p = params.add(v, key.cast);
    const beyond = key.descending ? `${key.sql} < ${p}` : `${key.sql} > ${p}`;
    if (last) return beyond;
    const nulls = key.descending ? '' : ` OR ${key.sql} IS NULL`;
    return `(${beyond}${nulls} OR (${key.sql} = ${p} AND ${build(i + 1)}))`;
  };
  return build(0);
}
