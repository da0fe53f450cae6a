// Cron expressions as packs and the job queues read them: 5 fields, or 6 with seconds first, in an IANA time zone.
// One reading for metadata checks (schedules, reminders), the in-process queue's ticks and the schedule tick.
import { CronExpressionParser } from 'cron-parser';

export const DEFAULT_CRON_TZ = 'UTC';

type Parsed = ReturnType<typeof CronExpressionParser.parse>;

function parse(cron: string, tz: string, from: number): Parsed | string {
  const fields = cron.trim().split(/\s+/);
  // cron-parser also takes aliases (@daily) and fills in missing fields ('* * *'); Bull's older parser does
  // not read all of those the same way, so only the plain forms both read are accepted.
  if (fields.length !== 5 && fields.length !== 6)
    return `cron '${cron}' must have 5 fields, or 6 with seconds first; it has ${fields.length}`;
  try {
    return CronExpressionParser.parse(cron, { tz, currentDate: new Date(from) });
  } catch (err) {
    return `cron '${cron}' is not valid: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** What is wrong with `cron` read in `tz`, or undefined when it has a valid reading. */
export function cronProblem(cron: string, tz: string = DEFAULT_CRON_TZ): string | undefined {
  const parsed = parse(cron, tz, Date.now());
  return typeof parsed === 'string' ? parsed : undefined;
}

/** The first tick strictly after `from` (milliseconds since the epoch); throws on a cron `cronProblem` reports. */
export function nextCronTime(cron: string, tz: string, from: number): number {
  const parsed = parse(cron, tz, from);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed.next().getTime();
}
