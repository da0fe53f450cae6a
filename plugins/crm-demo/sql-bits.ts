// Pieces of the set-based statements: deterministic choices by hashing the row number (hashint8extended is the
// hash PostgreSQL's hash partitioning relies on, so it is stable across versions), stable ids, and parameters.
// The word lists travel as bound array parameters; only numbers and constant names are written into the text.
import type { DrawnNumbers } from '../../engine/src/plugins/plugin-api.js';

/** A statement's parameters: add() returns the placeholder, cast. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown, cast: string): string {
    this.values.push(value);
    return `($${this.values.length}::${cast})`;
  }
}

/** A non-negative pseudo-random bigint for row `n` (a bigint expression) and a salt naming the choice. */
export const hash = (n: string, salt: number): string => `(hashint8extended(${n}, ${salt}) & 9223372036854775807)`;

/** 0 <= value < k. */
export const below = (n: string, salt: number, k: number | string): string => `(${hash(n, salt)} % ${k})::int`;

/** One element of a text[] expression. */
export const pick = (array: string, n: string, salt: number): string => `(${array})[1 + ${hash(n, salt)} % cardinality(${array})]`;

/** The id demoId(kind, n) gives in Node: md5 of the same text. */
export const uid = (kind: string, n: string): string => `md5('crm-demo:${kind}:' || ${n})::uuid`;

/** The n-th (1-based) of a block of numbers drawn for a numbered field. */
export function numberSql(p: Params, drawn: DrawnNumbers, n: string): string {
  const seq = `(${p.add(drawn.first, 'bigint')} + ${n} - 1)::text`;
  return `${p.add(drawn.head, 'text')} || CASE WHEN length(${seq}) < ${drawn.width} THEN lpad(${seq}, ${drawn.width}, '0') ELSE ${seq} END || ${p.add(drawn.tail, 'text')}`;
}

/** now() shifted by a number of days (an SQL expression). */
export const daysAgo = (days: string): string => `(now() - (${days}) * interval '1 day')`;
