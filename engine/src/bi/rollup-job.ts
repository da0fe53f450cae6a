// The job that builds the reports' rollups (jobs/refresh-rollups.ts runs it): its name, its schedule, and whether a
// Model has any rollup to build. Queued at engine start, after a seed, after a publish, and on its schedule.
import type { Model, ScheduleDef } from '../metadata/model.js';
import { listReports } from './report-plan.js';

export const ROLLUP_REFRESH_JOB = 'bi:refresh-rollups';

/** How fresh a rollup is at worst: rollups are rebuilt by this schedule, never by Cube's query path. */
export const ROLLUP_REFRESH_SCHEDULE: ScheduleDef = { cron: '*/10 * * * *', tz: 'UTC' };

export function hasRollups(model: Model): boolean {
  return listReports(model).some((r) => r.report.preAggregate === true);
}
