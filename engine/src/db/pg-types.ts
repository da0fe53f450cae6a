// Values leave PostgreSQL as the API shows them: decimals and 64-bit integers as exact strings,
// dates as 'YYYY-MM-DD' (no time-zone shift), timestamps as ISO 8601 UTC keeping PostgreSQL's
// microseconds (a JS Date would cut them, and a keyset cursor built from a cut value skips or repeats rows).
import pg from 'pg';

const DATE_OID = 1082;
const TIMESTAMPTZ_OID = 1184;
const TIMESTAMP_OID = 1114;

const PG_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d{1,6})?(?:([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)?$/;

/** '2026-11-23 12:10:17.751234+08' -> '2026-11-23T04:10:17.751234Z'. Infinity and BC dates pass through. */
export function timestampToIso(value: string): string {
  // Sessions run in UTC, so nearly every value is 'YYYY-MM-DD HH:MM:SS[.ffffff]+00': cut and paste, no regex.
  if (value.length >= 22 && value.length <= 29 && value.endsWith('+00') && value[10] === ' ' && value[4] === '-') {
    const time = value.slice(11, value.length - 3);
    if (time.length === 8) return `${value.slice(0, 10)}T${time}.000Z`;
    if (time[8] === '.') return `${value.slice(0, 10)}T${time.slice(0, 8)}.${time.slice(9).padEnd(3, '0')}Z`;
  }
  const m = PG_TIMESTAMP.exec(value);
  if (!m) return value;
  const [, date, time, digits = '', sign, hh = '00', mm = '00', ss = '00'] = m;
  // At least milliseconds, as Date.prototype.toISOString writes them; microseconds when there are any.
  const fraction = '.' + digits.slice(1).padEnd(3, '0');
  if (!sign || (hh === '00' && mm === '00' && ss === '00')) return `${date}T${time}${fraction}Z`;
  const offset = `${sign}${hh}:${mm}`;
  const instant = new Date(`${date}T${time}${offset}`);
  if (Number.isNaN(instant.getTime())) return value;
  const secondsOffset = ss === '00' ? 0 : (sign === '-' ? 1 : -1) * Number(ss) * 1000;
  return new Date(instant.getTime() + secondsOffset).toISOString().replace(/\.\d{3}Z$/, `${fraction}Z`);
}

let installed = false;

export function installTypeParsers(): void {
  if (installed) return;
  installed = true;
  pg.types.setTypeParser(DATE_OID, (v: string) => v);
  pg.types.setTypeParser(TIMESTAMPTZ_OID, timestampToIso);
  pg.types.setTypeParser(TIMESTAMP_OID, timestampToIso);
}
