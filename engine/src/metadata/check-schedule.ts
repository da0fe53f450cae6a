// A schedule a pack declares (recomputeSchedule, a pool's returnSchedule, ...): its cron must parse and its time
// zone must be one this runtime reads, so a bad one is a metadata error at load, never a job that cannot start.
import { cronProblem, DEFAULT_CRON_TZ } from '../shared/cron.js';
import type { Report } from './check-report.js';
import { isKnownTimeZone } from './numbering-pattern.js';

export function checkSchedule(
  schedule: { readonly cron: string; readonly timeZone?: string } | undefined,
  at: string,
  report: Report,
): void {
  if (schedule === undefined) return;
  if (schedule.timeZone !== undefined && !isKnownTimeZone(schedule.timeZone)) {
    report({ pointer: `${at}/timeZone`, rule: 'schedule.unknown_time_zone', message: `'${schedule.timeZone}' is not an IANA time zone` });
    return;
  }
  const problem = cronProblem(schedule.cron, schedule.timeZone ?? DEFAULT_CRON_TZ);
  if (problem !== undefined) report({ pointer: `${at}/cron`, rule: 'schedule.invalid_cron', message: problem });
}
