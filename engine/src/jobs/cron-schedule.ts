// Cron expressions for `repeat`: checked once here for both drivers (Bull computes its own ticks with its bundled
// cron-parser 4, which reads the same 5- and 6-field syntax; shared/cron.ts accepts only those forms).
import { cronProblem, DEFAULT_CRON_TZ } from '../shared/cron.js';
import { jobError } from './errors.js';

/** Throws `jobs.invalid_cron` when `cron` (read in `tz`) has no valid reading. */
export function validateCron(cron: string, tz: string = DEFAULT_CRON_TZ): void {
  const problem = cronProblem(cron, tz);
  if (problem !== undefined) throw jobError('jobs.invalid_cron', problem.charAt(0).toUpperCase() + problem.slice(1));
}
