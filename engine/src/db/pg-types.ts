// Values leave PostgreSQL as the API shows them: decimals and 64-bit integers as exact strings,
// dates as 'YYYY-MM-DD' (no time-zone shift), timestamps as ISO 8601 UTC.
import pg from 'pg';

const DATE_OID = 1082;
const TIMESTAMPTZ_OID = 1184;
const TIMESTAMP_OID = 1114;

let installed = false;

export function installTypeParsers(): void {
  if (installed) return;
  installed = true;
  pg.types.setTypeParser(DATE_OID, (v: string) => v);
  pg.types.setTypeParser(TIMESTAMPTZ_OID, (v: string) => new Date(v).toISOString());
  pg.types.setTypeParser(TIMESTAMP_OID, (v: string) => new Date(v + 'Z').toISOString());
}
