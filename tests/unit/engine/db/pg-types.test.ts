// Timestamps as PostgreSQL prints them become the one printed instant form: ISO 8601 UTC, six fractional digits.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { timestampToIso } from '../../../../engine/src/db/pg-types.js';

/** How PostgreSQL prints a timestamptz in a UTC session: trailing zeros of the fraction dropped, '+00'. */
function pgUtc(epochMicros: bigint): string {
  const ms = Number(epochMicros / 1000n);
  const micros = Number(epochMicros % 1000000n);
  const iso = new Date(Math.floor(ms / 1000) * 1000).toISOString();
  const fraction = micros === 0 ? '' : '.' + String(micros).padStart(6, '0').replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction}+00`;
}

function expectedIso(epochMicros: bigint): string {
  const iso = new Date(Math.floor(Number(epochMicros / 1000000n)) * 1000).toISOString().slice(0, 19);
  return `${iso}.${String(epochMicros % 1000000n).padStart(6, '0')}Z`;
}

describe('timestampToIso', () => {
  it('always writes six fractional digits, whatever zeros PostgreSQL dropped (#18: created_at lost its trailing zero)', () => {
    expect(timestampToIso('2026-12-06 04:03:05.01018+00')).toBe('2026-12-06T04:03:05.010180Z');
    expect(timestampToIso('2026-11-23 04:10:17.751234+00')).toBe('2026-11-23T04:10:17.751234Z');
    expect(timestampToIso('2026-11-23 04:10:17.5+00')).toBe('2026-11-23T04:10:17.500000Z');
    expect(timestampToIso('2026-11-23 04:10:17+00')).toBe('2026-11-23T04:10:17.000000Z');
    expect(timestampToIso('2026-11-23 04:10:17.0001+00')).toBe('2026-11-23T04:10:17.000100Z');
  });

  it('agrees with a Date-based oracle for any instant from 1970 to 9999', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 253402300799999999n }), (micros) => {
        expect(timestampToIso(pgUtc(micros))).toBe(expectedIso(micros));
      }),
      { numRuns: 2000 },
    );
  });

  it('shifts other offsets to UTC, including offsets with minutes and seconds', () => {
    expect(timestampToIso('2026-11-23 12:10:17.751234+08')).toBe('2026-11-23T04:10:17.751234Z');
    expect(timestampToIso('2026-11-23 00:10:17-03:30')).toBe('2026-11-23T03:40:17.000000Z');
    expect(timestampToIso('1900-01-01 00:00:00+00:19:32')).toBe('1899-12-31T23:40:28.000000Z');
    expect(timestampToIso('0001-01-01 10:00:00+10')).toBe('0001-01-01T00:00:00.000000Z');
  });

  it('passes through values it cannot place on the time line', () => {
    expect(timestampToIso('infinity')).toBe('infinity');
    expect(timestampToIso('0044-03-15 12:00:00+00 BC')).toBe('0044-03-15 12:00:00+00 BC');
  });
});
