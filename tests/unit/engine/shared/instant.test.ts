// One reading and one printed form of instants (#18 part 7): what writes, filters and both evaluators share.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareInstants,
  formatInstant,
  MAX_INSTANT,
  MIN_INSTANT,
  normalizeInstant,
  parseInstant,
} from '../../../../engine/src/shared/instant.js';

describe('instants', () => {
  it('refuses instants outside years 1-9999 UTC, even when the local year is inside (#18: came back as "BC")', () => {
    expect(parseInstant('0001-01-01T00:00:00+14:00')).toBeNull();
    expect(parseInstant('9999-12-31T23:59:59-01:00')).toBeNull();
    expect(parseInstant('0001-01-01T00:00:00Z')).toBe(MIN_INSTANT);
    expect(parseInstant('9999-12-31T23:59:59.999999Z')).toBe(MAX_INSTANT);
  });

  it('refuses what PostgreSQL would read differently: leap seconds, a 7th digit, lower-case t/z (#18)', () => {
    for (const bad of ['2024-06-30T23:59:60Z', '2024-03-31T08:00:00.1234567Z', '2024-03-31t08:00:00Z', '2024-03-31T08:00:00z']) {
      expect(parseInstant(bad), bad).toBeNull();
    }
  });

  it('prints every instant as YYYY-MM-DDTHH:MM:SS.ffffffZ and reads its own output back', () => {
    expect(formatInstant(0n)).toBe('1970-01-01T00:00:00.000000Z');
    expect(formatInstant(-1n)).toBe('1969-12-31T23:59:59.999999Z');
    expect(formatInstant(MIN_INSTANT)).toBe('0001-01-01T00:00:00.000000Z');
    expect(normalizeInstant('2024-03-31T13:30:00.5+05:30')).toBe('2024-03-31T08:00:00.500000Z');
    fc.assert(
      fc.property(fc.bigInt({ min: MIN_INSTANT, max: MAX_INSTANT }), (micros) => {
        const text = formatInstant(micros);
        expect(text).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
        expect(parseInstant(text)).toBe(micros);
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with Date on the millisecond part of any instant Date can hold', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62135596800000, max: 253402300799999 }), (ms) => {
        expect(formatInstant(BigInt(ms) * 1000n).replace(/\d{3}Z$/, 'Z')).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 2000 },
    );
  });

  it('orders instants across offsets', () => {
    expect(compareInstants('2024-03-31T10:00:00+02:00', '2024-03-31T08:00:00Z')).toBe(0);
    expect(compareInstants('2024-03-31T08:00:00Z', '2024-03-31T08:00:00.000001Z')).toBe(-1);
  });
});
