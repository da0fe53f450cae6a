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

/** Four hex digits per kind of seeded row, inside its ids. */
const KIND_CODES: Record<string, string> = {
  cu: '0001',
  ct: '0002',
  ad: '0003',
  brand: '0004',
  rp: '0005',
  ld: '0006',
  op: '0007',
  'ac-c': '0008',
  'ac-o': '0009',
  'ac-l': '000a',
  mp: '000b',
  mb: '000c',
  mf: '000d',
  pu: '000e',
  pe: '000f',
};

/**
 * The id of the n-th seeded row of a kind: shaped like a UUIDv7 of one fixed instant, counting up, so every
 * index on it is appended to in order (random ids made the primary keys of millions of rows a random walk).
 */
export const uid = (kind: string, n: string): string => {
  const code = KIND_CODES[kind];
  if (code === undefined) throw new Error(`crm-demo: no id code for '${kind}'`);
  return `('0193e2a0-${code}-7000-8000-' || lpad(to_hex(${n}), 12, '0'))::uuid`;
};

/** The n-th (1-based) of a block of numbers drawn for a numbered field. */
export function numberSql(p: Params, drawn: DrawnNumbers, n: string): string {
  const seq = drawn.sequence ? `(${p.add(drawn.sequence, 'bigint[]')})[${n}]::text` : `(${p.add(drawn.first, 'bigint')} + ${n} - 1)::text`;
  return `${p.add(drawn.head, 'text')} || CASE WHEN length(${seq}) < ${drawn.width} THEN lpad(${seq}, ${drawn.width}, '0') ELSE ${seq} END || ${p.add(drawn.tail, 'text')}`;
}

/** now() shifted by a number of days (an SQL expression). */
export const daysAgo = (days: string): string => `(now() - (${days}) * interval '1 day')`;
