// Reserved sequence numbers of a numbering rule: what an entry means, which numbers it holds back, and the next
// number automatic numbering may give. The database's tessera_next_number (db/number-counters.ts) mirrors
// nextUnreserved; the numbering integration test holds the two to each other.
//
// Entries are compared with the sequence number as plain decimal digits, without the pattern's zero padding:
// padding is how a number is shown and a sequence outgrows it, while '888' should keep meaning 888 when the
// pattern goes from {seq:5} to {seq:6}. So in CT-{YYYY}-{seq:5}:
//   '888'        reserves sequence 888 (CT-2026-00888);
//   '*888'       reserves every sequence number whose digits end in 888: 888, 1888, 10888, ...;
//   '*0888'      reserves those ending in 0888: 10888, 20888, ... (not 888, whose digits are just '888');
//   '9000-9099'  reserves 9000 to 9099, both included.

export interface ReservedSet {
  /** Exact numbers are ranges of one. */
  readonly ranges: ReadonlyArray<{ readonly lo: bigint; readonly hi: bigint }>;
  /** `*digits`: n % modulus === value, and n has at least as many digits as the entry (n >= modulus / 10). */
  readonly suffixes: ReadonlyArray<{ readonly value: bigint; readonly modulus: bigint }>;
}

export interface ReservedProblem {
  /** Index of the entry in `reserved`, or undefined for the list as a whole. */
  readonly index?: number;
  readonly rule: string;
  readonly message: string;
}

/** Entries are at most 18 digits: every sequence number is a PostgreSQL bigint. */
const DIGITS = '[0-9]{1,18}';
const EXACT = new RegExp(`^${DIGITS}$`);
const SUFFIX = new RegExp(`^\\*(${DIGITS})$`);
const RANGE = new RegExp(`^(${DIGITS})-(${DIGITS})$`);

const hasLeadingZero = (digits: string) => digits.length > 1 && digits.startsWith('0');

/** The entries as a set, with a problem for each entry that is malformed or can never hold a number back. */
export function parseReserved(entries: readonly string[]): { set: ReservedSet; problems: ReservedProblem[] } {
  const ranges: Array<{ lo: bigint; hi: bigint }> = [];
  const suffixes: Array<{ value: bigint; modulus: bigint; digits: string }> = [];
  const problems: ReservedProblem[] = [];
  const never = (index: number, why: string) =>
    problems.push({ index, rule: 'numbering.reserved_never_matches', message: `'${entries[index]}' can never match: ${why}` });
  entries.forEach((entry, index) => {
    const suffix = SUFFIX.exec(entry);
    const range = RANGE.exec(entry);
    if (EXACT.test(entry)) {
      if (hasLeadingZero(entry)) never(index, 'sequence numbers are compared without padding, so none starts with 0');
      else if (BigInt(entry) === 0n) never(index, 'sequences start at 1');
      else ranges.push({ lo: BigInt(entry), hi: BigInt(entry) });
    } else if (suffix?.[1] !== undefined) {
      const digits = suffix[1];
      suffixes.push({ value: BigInt(digits), modulus: 10n ** BigInt(digits.length), digits });
    } else if (range?.[1] !== undefined && range[2] !== undefined) {
      const [lo, hi] = [range[1], range[2]];
      if (hasLeadingZero(lo) || hasLeadingZero(hi)) never(index, 'sequence numbers are compared without padding, so none starts with 0');
      else if (BigInt(lo) > BigInt(hi)) never(index, `the range starts after it ends`);
      else if (BigInt(hi) === 0n) never(index, 'sequences start at 1');
      else ranges.push({ lo: BigInt(lo), hi: BigInt(hi) });
    } else {
      problems.push({
        index,
        rule: 'numbering.malformed_reserved',
        message: `'${entry}' is not a reserved entry: use digits ('888'), '*' and digits for every number ending in them ('*888'), or a range ('9000-9099')`,
      });
    }
  });
  const set: ReservedSet = { ranges, suffixes: suffixes.map(({ value, modulus }) => ({ value, modulus })) };
  if (reservesEverything(suffixes.map((s) => s.digits))) {
    problems.push({
      rule: 'numbering.reserves_everything',
      message: 'the reserved endings cover every number, so automatic numbering could never give one',
    });
  }
  return { set, problems };
}

/**
 * True when the endings leave no number free from some length on: the share of residues they cover is 1.
 * Counted exactly over a trie of the reversed endings (an ending covers everything below its node).
 */
function reservesEverything(endings: readonly string[]): boolean {
  if (endings.length === 0) return false;
  interface Node {
    end: boolean;
    children: Map<string, Node>;
  }
  const root: Node = { end: false, children: new Map() };
  for (const digits of endings) {
    let node = root;
    for (const d of [...digits].reverse()) {
      const next = node.children.get(d) ?? { end: false, children: new Map() };
      node.children.set(d, next);
      node = next;
    }
    node.end = true;
  }
  const depth = BigInt(Math.max(...endings.map((e) => e.length)));
  const covered = (node: Node, level: bigint): bigint =>
    node.end ? 10n ** (depth - level) : [...node.children.values()].reduce((sum, child) => sum + covered(child, level + 1n), 0n);
  return covered(root, 0n) === 10n ** depth;
}

export function isReserved(n: bigint, set: ReservedSet): boolean {
  return set.ranges.some((r) => n >= r.lo && n <= r.hi) || set.suffixes.some((s) => n % s.modulus === s.value && n >= s.modulus / 10n);
}

/** The first number after `last` that is not reserved: ranges are jumped over whole. */
export function nextUnreserved(last: bigint, set: ReservedSet): bigint {
  let n = last + 1n;
  for (;;) {
    const jump = set.ranges
      .filter((r) => n >= r.lo && n <= r.hi)
      .reduce<bigint | undefined>((m, r) => (m === undefined || r.hi > m ? r.hi : m), undefined);
    if (jump !== undefined) n = jump + 1n;
    else if (isReserved(n, set)) n += 1n;
    else return n;
  }
}
