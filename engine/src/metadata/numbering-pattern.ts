// A numbering rule's pattern (`CT-{YYYY}-{seq:5}`, `{branch.code}-{seq:6}`) as tokens, and the pure pieces
// that turn tokens into text. Read by check-numbering.ts (metadata problems) and by the data layer's numbering.
//
// The sequence restarts whenever the text around `{seq}` changes: the counter is keyed by that text, so the
// finest date part in the pattern is the period and each distinct field value has a sequence of its own.

export type DatePart = 'YYYY' | 'YY' | 'MM' | 'DD';

export type PatternToken =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'date'; readonly part: DatePart }
  /** `{seq}` is width 1 (no padding); a number wider than `width` is written in full, never cut. */
  | { readonly kind: 'seq'; readonly width: number }
  /** `{region}` is ['region']; `{branch.code}` is ['branch', 'code']. */
  | { readonly kind: 'field'; readonly path: readonly string[] };

export interface PatternProblem {
  readonly rule: string;
  readonly message: string;
}

/** Widest `{seq:N}`: a sequence number is a PostgreSQL bigint, at most 19 digits. */
export const MAX_SEQ_WIDTH = 18;

const DATE_PARTS: ReadonlySet<string> = new Set<DatePart>(['YYYY', 'YY', 'MM', 'DD']);
const SEQ = /^seq(?::(\d+))?$/;
const FIELD_PATH = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;

function parseToken(body: string, problems: PatternProblem[]): PatternToken | undefined {
  if (DATE_PARTS.has(body)) return { kind: 'date', part: body as DatePart };
  const seq = SEQ.exec(body);
  if (seq) {
    const width = seq[1] === undefined ? 1 : Number(seq[1]);
    if (width < 1 || width > MAX_SEQ_WIDTH) {
      problems.push({ rule: 'numbering.invalid_width', message: `{${body}}: the width must be 1 to ${MAX_SEQ_WIDTH} digits` });
    }
    return { kind: 'seq', width };
  }
  if (FIELD_PATH.test(body)) return { kind: 'field', path: body.split('.') };
  problems.push({
    rule: 'numbering.unknown_token',
    message: `{${body}} is not a part of a number: use {YYYY}, {YY}, {MM}, {DD}, {seq}, {seq:N}, {field} or {relation.field}`,
  });
  return undefined;
}

/** The pattern's tokens and every problem with it; tokens are only meaningful when there are no problems. */
export function parseNumberingPattern(pattern: string): { tokens: PatternToken[]; problems: PatternProblem[] } {
  const tokens: PatternToken[] = [];
  const problems: PatternProblem[] = [];
  let literal = '';
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern.charAt(i);
    if (ch === '}') {
      problems.push({ rule: 'numbering.malformed_pattern', message: `'}' at position ${i} closes nothing` });
      i += 1;
    } else if (ch === '{') {
      const end = pattern.indexOf('}', i);
      const nextOpen = pattern.indexOf('{', i + 1);
      if (end < 0 || (nextOpen >= 0 && nextOpen < end)) {
        problems.push({ rule: 'numbering.malformed_pattern', message: `'{' at position ${i} is never closed` });
        i += 1;
        continue;
      }
      const body = pattern.slice(i + 1, end);
      if (body === '') problems.push({ rule: 'numbering.malformed_pattern', message: `'{}' at position ${i} names nothing` });
      else {
        const token = parseToken(body, problems);
        if (token) {
          if (literal) tokens.push({ kind: 'literal', text: literal });
          literal = '';
          tokens.push(token);
        }
      }
      i = end + 1;
    } else {
      literal += ch;
      i += 1;
    }
  }
  if (literal) tokens.push({ kind: 'literal', text: literal });
  const seqs = tokens.filter((t) => t.kind === 'seq').length;
  if (seqs === 0) {
    problems.push({ rule: 'numbering.missing_seq', message: 'a numbering pattern needs one {seq} or {seq:N}, the part that counts' });
  } else if (seqs > 1) {
    problems.push({ rule: 'numbering.duplicate_seq', message: `a numbering pattern has one {seq}; this one has ${seqs}` });
  }
  const parts = new Set(tokens.flatMap((t) => (t.kind === 'date' ? [t.part] : [])));
  const hasYear = parts.has('YYYY') || parts.has('YY');
  // The sequence restarts each month (or day): without the year (and month) in the number, May of two years
  // would both give 05-0001.
  if (parts.has('MM') && !hasYear) {
    problems.push({
      rule: 'numbering.ambiguous_period',
      message: '{MM} restarts the sequence every month, so the pattern needs {YYYY} or {YY} too',
    });
  }
  if (parts.has('DD') && !(hasYear && parts.has('MM'))) {
    problems.push({
      rule: 'numbering.ambiguous_period',
      message: '{DD} restarts the sequence every day, so the pattern needs {MM} and {YYYY} or {YY} too',
    });
  }
  return { tokens, problems };
}

/** The pattern's date parts at `at`, as read on a wall clock in `timeZone`. */
export function dateParts(at: Date, timeZone: string): Readonly<Record<DatePart, string>> {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const year = get('year').padStart(4, '0');
  return { YYYY: year, YY: year.slice(-2), MM: get('month'), DD: get('day') };
}

/** True when `timeZone` is one this runtime can read dates in. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** A sequence number (decimal digits, no sign) zero-padded to `width`; a wider number is written in full. */
export function formatSequence(digits: string | bigint, width: number): string {
  return String(digits).padStart(width, '0');
}
