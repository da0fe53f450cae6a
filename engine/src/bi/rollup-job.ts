// The job that builds the reports' rollups (jobs/refresh-rollups.ts runs it): its name, its schedule, and whether a
// Model has any rollup to build. Queued at engine start, after a seed, after a publish, and on its schedule.
import type { Model, ScheduleDef } from '../metadata/model.js';
import { listReports } from './report-plan.js';

export const ROLLUP_REFRESH_JOB = 'bi:refresh-rollups';

/** How fresh a rollup is at worst: rollups are rebuilt by this schedule, never by Cube's query path. */
export const ROLLUP_REFRESH_SCHEDULE: ScheduleDef = { cron: '*/10 * * * *', tz: 'UTC' };

/**
 * Whose rollups the job builds: users who signed in within this many days. Each viewer's build reads the reported
 * tables whole; on a reported table of 2,000,000 rows, every user of an installation every ten minutes kept PostgreSQL busy
 * with viewers who were not there. Anyone else gets theirs built by Cube on their first report.
 */
export const ROLLUP_VIEWER_DAYS = 14;

export function hasRollups(model: Model): boolean {
  return listReports(model).some((r) => r.report.preAggregate === true);
}
