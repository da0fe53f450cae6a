// The one reading and the one writing of instants (datetime values): record writes (the `date-time`
// format), filter literals, both evaluators and the values PostgreSQL returns all go through here, so a
// value accepted in one place is accepted, ordered and printed the same way in every other.
// No Node APIs: the in-memory evaluator that uses it runs in browsers.

/**
 * ISO 8601 in the form we print: upper-case 'T' and 'Z', seconds optional, at most 6 fractional digits
 * (timestamptz keeps microseconds and would round a 7th), an offset required (without one PostgreSQL would
 * use the session's time zone) of at most 14 hours, no leap second (PostgreSQL rolls it into the next minute).
 */
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(?:Z|([+-])(\d{2}):(\d{2}))$/;

const MICROS_PER_SECOND = 1_000_000n;
const SECONDS_PER_DAY = 86_400;

/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z: the instants with a four-digit UTC year. */
export const MIN_INSTANT = -62_135_596_800_000_000n;
export const MAX_INSTANT = 253_402_300_799_999_999n;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Year 0 does not exist in PostgreSQL; years past 9999 would need another string form. */
export function isValidDate(y: number, m: number, d: number): boolean {
  return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

/** Days since 1970-01-01 in the proleptic Gregorian calendar (PostgreSQL's), for any year. */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The inverse of daysFromCivil. */
function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [era * 400 + yoe + (m <= 2 ? 1 : 0), m, d];
}

/** Microseconds since the epoch, or null when the text is not an instant between years 1 and 9999 UTC. */
export function parseInstant(text: string): bigint | null {
  const m = INSTANT.exec(text);
  if (m === null) return null;
  const [y, mo, d, h, mi] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number, number];
  const s = Number(m[6] ?? 0);
  const offH = Number(m[9] ?? 0);
  const offM = Number(m[10] ?? 0);
  if (!isValidDate(y, mo, d) || h > 23 || mi > 59 || s > 59 || offH > 14 || offM > 59) return null;
  const offset = (m[8] === '-' ? -1 : 1) * (offH * 3600 + offM * 60);
  const seconds = daysFromCivil(y, mo, d) * SECONDS_PER_DAY + h * 3600 + mi * 60 + s - offset;
  const micros = BigInt(seconds) * MICROS_PER_SECOND + BigInt((m[7] ?? '').padEnd(6, '0'));
  return micros < MIN_INSTANT || micros > MAX_INSTANT ? null : micros;
}

export function isInstant(text: string): boolean {
  return parseInstant(text) !== null;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** The one printed form: 'YYYY-MM-DDTHH:MM:SS.ffffffZ', always UTC and always six fractional digits. */
export function formatInstant(micros: bigint): string {
  const seconds = micros >= 0n ? micros / MICROS_PER_SECOND : -((-micros + MICROS_PER_SECOND - 1n) / MICROS_PER_SECOND);
  const fraction = Number(micros - seconds * MICROS_PER_SECOND);
  const secs = Number(seconds);
  const days = Math.floor(secs / SECONDS_PER_DAY);
  const inDay = secs - days * SECONDS_PER_DAY;
  const [y, m, d] = civilFromDays(days);
  const time = `${pad(Math.floor(inDay / 3600), 2)}:${pad(Math.floor(inDay / 60) % 60, 2)}:${pad(inDay % 60, 2)}`;
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}T${time}.${pad(fraction, 6)}Z`;
}

/** The printed form of an instant given as text, or null when it is not one. */
export function normalizeInstant(text: string): string | null {
  const micros = parseInstant(text);
  return micros === null ? null : formatInstant(micros);
}

/** Order of two instants given as text (ajv's formatMinimum/formatMaximum); unparsable text sorts as equal. */
export function compareInstants(a: string, b: string): number {
  const x = parseInstant(a);
  const y = parseInstant(b);
  if (x === null || y === null) return 0;
  return x < y ? -1 : x > y ? 1 : 0;
}
