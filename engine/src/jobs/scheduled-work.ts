// The work a Model schedules, as queue jobs: stale records back to their pool, every record's derived fields
// recomputed, plugin actions run on the records a schedule names (scheduled-actions.ts), the plugin jobs packs
// schedule, and the scans of the reminder rules (one job per cron and time zone, scanning every rule that has it);
// and the engine's own daily blob collection. A pure function of the Model; schedule-tick.ts decides when each is
// due. A new kind of scheduled work is one more entry here and its handler.
import type { Model, ScheduleDef } from '../metadata/model.js';
import { searchFieldsOf } from '../search/search-fields.js';
import { SEARCH_REINDEX_JOB } from '../search/search-index.js';
import { hasRollups, ROLLUP_REFRESH_JOB, ROLLUP_REFRESH_SCHEDULE } from '../bi/rollup-job.js';
import { BLOB_COLLECT_JOB } from './collect-blobs.js';

const SEARCH_REINDEX_SCHEDULE: ScheduleDef = { cron: '*/10 * * * *', tz: 'UTC' };
/** Daily, at a quiet hour in most places; the grace period, not the schedule, decides what is old enough to go. */
const BLOB_COLLECT_SCHEDULE: ScheduleDef = { cron: '17 3 * * *', tz: 'UTC' };

export const POOL_RETURN_JOB = 'pool:return';
export const RECOMPUTE_JOB = 'records:recompute';
export const REMINDER_SCAN_JOB = 'reminder:scan';
export const SCHEDULED_ACTION_JOB = 'action:scheduled';

export interface ScheduledWork {
  /** Stable across Model versions while the work is the same: it keys each occurrence's job. */
  readonly id: string;
  readonly schedule: ScheduleDef;
  readonly job: { readonly name: string; readonly data: Readonly<Record<string, unknown>> };
}

export function scheduledWork(model: Model): ScheduledWork[] {
  const work: ScheduledWork[] = [];
  const reminderSchedules = new Map<string, ScheduleDef>();
  for (const entity of model.entities) {
    const returnSchedule = entity.assignment?.pool.returnSchedule;
    if (returnSchedule) {
      work.push({
        id: `pool-return:${entity.id}`,
        schedule: returnSchedule,
        job: { name: POOL_RETURN_JOB, data: { entity: entity.name } },
      });
    }
    if (entity.recomputeSchedule) {
      work.push({
        id: `recompute:${entity.id}`,
        schedule: entity.recomputeSchedule,
        job: { name: RECOMPUTE_JOB, data: { entity: entity.name } },
      });
    }
    for (const action of entity.scheduledActions ?? []) {
      const key = `${entity.id}/${action.id}`;
      work.push({
        id: `action:${key}`,
        schedule: action.schedule,
        job: { name: SCHEDULED_ACTION_JOB, data: { entity: entity.name, key } },
      });
    }
    for (const reminder of entity.reminders ?? []) {
      const { cron, timeZone: tz } = reminder.schedule;
      reminderSchedules.set(`${tz} ${cron}`, { cron, tz });
    }
  }
  // Plugin jobs the packs schedule: prepareModel checked that a plugin registered each.
  for (const pack of model.packs) {
    for (const s of pack.schedules ?? [])
      work.push({ id: `pack-job:${s.id}`, schedule: s.schedule, job: { name: s.job, data: s.payload } });
  }
  // Search rows of records written around the pipeline (seeds, bulk jobs) are made here; pipeline writes make theirs.
  if (model.entities.some((e) => searchFieldsOf(e).length > 0))
    work.push({ id: 'search-reindex', schedule: SEARCH_REINDEX_SCHEDULE, job: { name: SEARCH_REINDEX_JOB, data: {} } });
  // The reports' rollups, as fresh as this schedule (nothing else rebuilds them); no work where BI is off.
  if (hasRollups(model)) work.push({ id: 'bi-rollups', schedule: ROLLUP_REFRESH_SCHEDULE, job: { name: ROLLUP_REFRESH_JOB, data: {} } });
  // Any entity may have attachments, so stored blobs are collected whatever the Model.
  work.push({ id: 'blob-collect', schedule: BLOB_COLLECT_SCHEDULE, job: { name: BLOB_COLLECT_JOB, data: {} } });
  for (const [key, schedule] of reminderSchedules) {
    work.push({ id: `reminder-scan:${key}`, schedule, job: { name: REMINDER_SCAN_JOB, data: { cron: schedule.cron, tz: schedule.tz } } });
  }
  return work;
}
