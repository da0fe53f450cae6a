// Reserved entries: compared with the unpadded sequence number; malformed and never-matching entries are
// reported; nextUnreserved agrees with a brute-force walk over isReserved.
import { describe, expect, it } from 'vitest';
import { isReserved, nextUnreserved, parseReserved } from '../../../../engine/src/metadata/numbering-reserved.js';

const setOf = (entries: string[]) => {
  const { set, problems } = parseReserved(entries);
  expect(problems).toEqual([]);
  return set;
};

describe('parseReserved', () => {
  it('matches exact numbers, endings and ranges on the unpadded number', () => {
    const set = setOf(['888', '8888', '*888', '9000-9099', '*0777']);
    const reserved = (n: number) => isReserved(BigInt(n), set);
    expect([888, 1888, 10888, 8888, 9000, 9050, 9099, 10777].every(reserved)).toBe(true);
    // '*0777' needs the digits 0777 at the end: 777 itself has only three digits.
    expect([1, 88, 889, 8887, 8999, 9100, 777, 1777].some(reserved)).toBe(false);
  });

  it.each([
    ['88a', 'numbering.malformed_reserved'],
    ['*', 'numbering.malformed_reserved'],
    ['1-2-3', 'numbering.malformed_reserved'],
    ['8*', 'numbering.malformed_reserved'],
    ['1234567890123456789', 'numbering.malformed_reserved'],
    ['0888', 'numbering.reserved_never_matches'],
    ['0', 'numbering.reserved_never_matches'],
    ['200-100', 'numbering.reserved_never_matches'],
    ['0-0', 'numbering.reserved_never_matches'],
  ])('%s is %s, with its index', (entry, rule) => {
    expect(parseReserved(['5', entry]).problems).toEqual([expect.objectContaining({ index: 1, rule })]);
  });

  it('refuses endings that leave no number free', () => {
    const all = Array.from({ length: 10 }, (_, d) => `*${d}`);
    expect(parseReserved(all).problems.map((p) => p.rule)).toEqual(['numbering.reserves_everything']);
    // Nine of ten endings plus every two-digit ending of the tenth still cover everything.
    const nested = [...all.slice(1), ...Array.from({ length: 10 }, (_, d) => `*${d}0`)];
    expect(parseReserved(nested).problems.map((p) => p.rule)).toEqual(['numbering.reserves_everything']);
    expect(parseReserved(all.slice(1)).problems).toEqual([]);
  });
});

describe('nextUnreserved', () => {
  it('agrees with a walk over isReserved, jumping ranges whole', () => {
    const set = setOf(['8', '13', '*888', '8888', '20-24', '1000-1999', '*5']);
    for (let last = 0n; last < 2100n; last += 1n) {
      let n = last + 1n;
      while (isReserved(n, set)) n += 1n;
      expect(nextUnreserved(last, set), `after ${last}`).toBe(n);
    }
  });
});
