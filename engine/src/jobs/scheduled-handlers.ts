// Runs the work scheduled-work.ts lists, against the Model served when the job runs. Work for an entity the Model
// no longer has (or no longer schedules) is done by doing nothing: the occurrence was queued by an older Model. And
// the recompute a publish asks for when it changes an entity's rules (schema/derived-changes.ts).
import type pg from 'pg';
import { returnStaleToPool } from '../data/assignment-pool.js';
import type { ModelRuntime } from '../data/entity-runtime.js';
import { recomputeAll } from '../data/recompute-all.js';
import type { Logger } from '../shared/logger.js';
import type { JobQueue } from './job-queue.js';
import { POOL_RETURN_JOB, RECOMPUTE_JOB } from './scheduled-work.js';
import { RULES_CHANGED_JOB } from '../schema/derived-changes.js';

export interface ScheduledWorkDeps {
  readonly pool: pg.Pool;
  runtime(): ModelRuntime;
  /** The version of the Model runtime() serves. */
  version(): number;
  readonly log: Logger;
}

/** How long a rules-changed job waits for this engine to follow the publish that queued it before it is retried. */
const FOLLOW_WAIT_MS = 30_000;

async function servedAtLeast(deps: ScheduledWorkDeps, version: number): Promise<void> {
  for (const started = Date.now(); deps.version() < version;) {
    if (Date.now() - started > FOLLOW_WAIT_MS) throw new Error(`this engine still serves Model ${deps.version()}, not ${version}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function recomputeLogged(
  deps: ScheduledWorkDeps,
  runtime: ModelRuntime,
  entity: string,
  context: Record<string, unknown>,
  message: string,
): Promise<void> {
  const started = Date.now();
  const result = await recomputeAll(deps.pool, runtime, entity);
  deps.log.info({ entity, ...context, ...result, ms: Date.now() - started }, message);
}

export function processScheduledWork(queue: JobQueue, deps: ScheduledWorkDeps): void {
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
    await recomputeLogged(deps, runtime, entity, { key: job.key }, 'derived fields recomputed');
  });
  queue.process(RULES_CHANGED_JOB, { concurrency: 1 }, async (job) => {
    const { entity, version } = job.data as { entity: string; version: number };
    // The job can reach this engine before it follows the publish: the old rules would make the old values again.
    await servedAtLeast(deps, version);
    const runtime = deps.runtime();
    if (!runtime.entities.get(entity)?.rules.recompute) return;
    await recomputeLogged(deps, runtime, entity, { version, key: job.key }, 'derived fields recomputed after their rules changed');
  });
}
