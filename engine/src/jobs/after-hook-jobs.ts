// Runs plugins' after hooks from the outbox jobs the write pipeline left (data/after-hook-job.ts): after commit,
// at least once. A hook that throws fails the job, which the queue retries with backoff and finally shows dead at
// /api/admin/jobs with its error — never lost, never a failed request. Called by engine.ts once the queue exists.
import type pg from 'pg';
import { AFTER_HOOK_JOB, type AfterHookJob } from '../data/after-hook-job.js';
import { pluginDb } from '../data/plugin-db.js';
import type { Model } from '../metadata/model.js';
import type { HookRegistry } from '../plugins/hook-registry.js';
import type { Logger } from '../shared/logger.js';
import type { JobQueue } from './job-queue.js';

/** After-hook jobs running at once in this process. */
const CONCURRENCY = 4;

export function processAfterHooks(queue: JobQueue, hooks: HookRegistry, deps: { pool: pg.Pool; model(): Model; log: Logger }): void {
  queue.process(AFTER_HOOK_JOB, { concurrency: CONCURRENCY }, async (run) => {
    // The data is what queueAfterHooks wrote in the same engine version; its shape is ours, not user input.
    const job = run.data as AfterHookJob;
    await hooks.runPlugin(job.plugin, {
      event: job.event,
      entity: job.entity,
      changes: job.changes,
      ...(job.before ? { before: job.before } : {}),
      ...(job.after ? { after: job.after } : {}),
      deliveryKey: run.key,
      db: pluginDb(deps.pool),
      model: deps.model(),
      actor: job.actor,
      log: deps.log.child({ plugin: job.plugin, event: job.event, entity: job.entity, id: job.recordId }),
    });
  });
}
