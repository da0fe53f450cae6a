// Values leave PostgreSQL as the API shows them: decimals and 64-bit integers as exact strings,
// dates as 'YYYY-MM-DD' (no time-zone shift), timestamps in the one printed form of shared/instant.ts
// ('YYYY-MM-DDTHH:MM:SS.ffffffZ', always six fractional digits: a JS Date would cut microseconds, and a
// keyset cursor built from a cut value skips or repeats rows).
import pg from 'pg';
import { daysFromCivil, formatInstant } from '../shared/instant.js';

const DATE_OID = 1082;
const TIMESTAMPTZ_OID = 1184;
const TIMESTAMP_OID = 1114;

const PG_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)?$/;

const SECONDS_PER_DAY = 86_400n;

/** '2026-11-23 12:10:17.75123+08' -> '2026-11-23T04:10:17.751230Z'. Infinity and BC dates pass through. */
export function timestampToIso(value: string): string {
  // Sessions run in UTC, so nearly every value is 'YYYY-MM-DD HH:MM:SS[.ffffff]+00': cut and paste, no regex.
  if (value.length >= 22 && value.length <= 29 && value.endsWith('+00') && value[10] === ' ' && value[4] === '-') {
    const time = value.slice(11, value.length - 3);
    if (time.length === 8) return `${value.slice(0, 10)}T${time}.000000Z`;
    if (time[8] === '.') return `${value.slice(0, 10)}T${time.slice(0, 8)}.${time.slice(9).padEnd(6, '0')}Z`;
  }
  const m = PG_TIMESTAMP.exec(value);
  if (!m) return value;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  const offset = (m[8] === '-' ? -1 : 1) * (Number(m[9] ?? 0) * 3600 + Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0));
  const seconds = BigInt(daysFromCivil(y, mo, d)) * SECONDS_PER_DAY + BigInt(h * 3600 + mi * 60 + s - offset);
  return formatInstant(seconds * 1_000_000n + BigInt((m[7] ?? '').padEnd(6, '0')));
}

let installed = false;

export function installTypeParsers(): void {
  if (installed) return;
  installed = true;
  pg.types.setTypeParser(DATE_OID, (v: string) => v);
  pg.types.setTypeParser(TIMESTAMPTZ_OID, timestampToIso);
  pg.types.setTypeParser(TIMESTAMP_OID, timestampToIso);
}
