// The one "storable text" check: every string a request carries to PostgreSQL (record values, action inputs,
// login fields, filter and cursor literals) passes it, so none fails in the database instead of answering 4xx.
// Walks run on an explicit stack: a request body nested thousands of levels deep must not exhaust the call stack.
import type { FieldError } from './engine-error.js';
import { escapePointerToken } from './json-pointer.js';

// PostgreSQL text cannot hold NUL. With the `u` flag a surrogate pair is one code point, so only a lone
// half matches the class: it is not a character, and the driver would replace it silently.
const UNSTORABLE = /\u0000|[\uD800-\uDFFF]/u;

export const UNSTORABLE_MESSAGE = 'contains a NUL character or half of a surrogate pair';

export function isStorableText(value: string): boolean {
  return !UNSTORABLE.test(value);
}

/** Up to `limit` problems, one per string (or key) in `value` that PostgreSQL cannot store, each at its pointer. */
export function unstorableTexts(value: unknown, at = '', limit = 20): FieldError[] {
  const out: FieldError[] = [];
  const stack: Array<[unknown, string]> = [[value, at]];
  while (stack.length > 0 && out.length < limit) {
    const [v, pointer] = stack.pop() as [unknown, string];
    if (typeof v === 'string') {
      if (!isStorableText(v)) out.push({ pointer, code: 'validation.invalid_characters', message: UNSTORABLE_MESSAGE });
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${pointer}/${i}`]);
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, child] = entries[i] as [string, unknown];
        if (!isStorableText(k)) out.push({ pointer, code: 'validation.invalid_characters', message: `a key ${UNSTORABLE_MESSAGE}` });
        stack.push([child, `${pointer}/${escapePointerToken(k)}`]);
      }
    }
  }
  return out.slice(0, limit);
}

/** True when arrays and objects nest deeper than `max` levels in `value` (a scalar is depth 0). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}
