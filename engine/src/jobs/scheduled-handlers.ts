// Runs the work scheduled-work.ts lists, against the Model served when the job runs. Work for an entity the Model
// no longer has (or no longer schedules) is done by doing nothing: the occurrence was queued by an older Model.
import type pg from 'pg';
import { returnStaleToPool } from '../data/assignment-pool.js';
import type { ModelRuntime } from '../data/entity-runtime.js';
import { recomputeAll } from '../data/recompute-all.js';
import type { Logger } from '../shared/logger.js';
import type { JobQueue } from './job-queue.js';
import { POOL_RETURN_JOB, RECOMPUTE_JOB } from './scheduled-work.js';

export function processScheduledWork(queue: JobQueue, deps: { pool: pg.Pool; runtime(): ModelRuntime; log: Logger }): void {
  queue.process(POOL_RETURN_JOB, { concurrency: 1 }, async (job) => {
    const { entity } = job.data as { entity: string };
    const def = deps.runtime().model.entitiesByName[entity];
    if (def?.assignment?.pool.returnAfterDays === undefined) return;
    const returned = await returnStaleToPool(deps.pool, def, {
      actorId: null,
      actorName: 'tessera schedule',
      requestId: job.key,
      skipLocked: true,
    });
    deps.log.info({ entity, returned, key: job.key }, 'stale records returned to the pool');
  });
  queue.process(RECOMPUTE_JOB, { concurrency: 1 }, async (job) => {
    const { entity } = job.data as { entity: string };
    const runtime = deps.runtime();
    if (!runtime.model.entitiesByName[entity]?.recomputeSchedule) return;
    const started = Date.now();
    const result = await recomputeAll(deps.pool, runtime, entity);
    deps.log.info({ entity, ...result, ms: Date.now() - started, key: job.key }, 'derived fields recomputed');
  });
}
