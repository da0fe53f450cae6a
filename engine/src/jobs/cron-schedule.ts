// Cron expressions for `repeat`: checked once here for both drivers, and the next tick for the in-process one
// (Bull computes its own ticks with its bundled cron-parser 4, which reads the same 5- and 6-field syntax).
import { CronExpressionParser } from 'cron-parser';
import { jobError } from './errors.js';

export const DEFAULT_CRON_TZ = 'UTC';

function parse(cron: string, tz: string, from: number) {
  const fields = cron.trim().split(/\s+/);
  // cron-parser also takes aliases (@daily) and fills in missing fields ('* * *'); Bull's older parser does
  // not read all of those the same way, so only the plain forms both read are accepted.
  if (fields.length !== 5 && fields.length !== 6) {
    throw jobError('jobs.invalid_cron', `Cron '${cron}' must have 5 fields, or 6 with seconds first; it has ${fields.length}`);
  }
  try {
    return CronExpressionParser.parse(cron, { tz, currentDate: new Date(from) });
  } catch (err) {
    throw jobError('jobs.invalid_cron', `Cron '${cron}' is not valid: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}

/** Throws `jobs.invalid_cron` when `cron` (read in `tz`) has no valid reading. */
export function validateCron(cron: string, tz: string = DEFAULT_CRON_TZ): void {
  parse(cron, tz, Date.now());
}

/** The first tick strictly after `from` (milliseconds since the epoch). */
export function nextCronTime(cron: string, tz: string, from: number): number {
  return parse(cron, tz, from).next().getTime();
}
