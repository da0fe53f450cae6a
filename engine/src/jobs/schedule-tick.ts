// Scheduled work runs off one repeated job, `schedule:tick`, every minute: each tick queues the work whose cron
// fell due in the last few minutes, keyed by work and occurrence. So each occurrence runs once however many
// processes tick (the key), a late or missed tick is caught up by the next ones (the look-back), a Model change
// needs no repeat to be added or removed anywhere (each tick reads the current Model), and both queue drivers
// behave alike. Called by engine.ts where jobs run.
import { nextCronTime } from '../shared/cron.js';
import type { Logger } from '../shared/logger.js';
import type { Model } from '../metadata/model.js';
import type { JobQueue, RunOptions } from './job-queue.js';
import { scheduledWork, type ScheduledWork } from './scheduled-work.js';

export const SCHEDULE_TICK_JOB = 'schedule:tick';
const TICK_CRON = '* * * * *';
const MINUTE = 60_000;
/** How far back a tick looks: ticks up to this late (a busy or restarting worker) lose no occurrence. */
export const TICK_LOOK_BACK_MS = 5 * MINUTE;

/** The newest occurrence of `work` in (from, to], if any. */
export function dueOccurrence(work: ScheduledWork, from: number, to: number): number | undefined {
  let due: number | undefined;
  for (
    let t = nextCronTime(work.schedule.cron, work.schedule.tz, from);
    t <= to;
    t = nextCronTime(work.schedule.cron, work.schedule.tz, t)
  ) {
    due = t;
  }
  return due;
}

/**
 * Queues the work of `model` due in the look-back window ending at the minute of `now`; returns the keys added.
 * Each job's data carries the occurrence it runs for (`scheduledFor`).
 */
export async function queueDueWork(queue: JobQueue, model: Model, now: number, run: RunOptions): Promise<string[]> {
  const to = Math.floor(now / MINUTE) * MINUTE;
  const keys: string[] = [];
  for (const work of scheduledWork(model)) {
    const due = dueOccurrence(work, to - TICK_LOOK_BACK_MS, to);
    if (due === undefined) continue;
    const scheduledFor = new Date(due).toISOString();
    const key = `schedule:${work.id}:${scheduledFor}`;
    await queue.add(work.job.name, { ...work.job.data, scheduledFor }, { ...run, jobKey: key });
    keys.push(key);
  }
  return keys;
}

export async function startScheduleTick(queue: JobQueue, deps: { model(): Model; run: RunOptions; log: Logger }): Promise<void> {
  queue.process(SCHEDULE_TICK_JOB, { concurrency: 1 }, async () => {
    const keys = await queueDueWork(queue, deps.model(), Date.now(), deps.run);
    if (keys.length > 0) deps.log.debug({ keys }, 'scheduled work queued');
  });
  await queue.repeat(SCHEDULE_TICK_JOB, TICK_CRON, {});
}
