// Plugins' `host.job()` handlers get their queue: each runs under its name with the job's data as `payload`, as
// the system (a job has no signed-in user), with the pool for its SQL and a transaction for bulk writes. Called by engine.ts once the queue exists.
import type pg from 'pg';
import { pluginDb } from '../data/plugin-db.js';
import type { ModelRuntime } from '../data/entity-runtime.js';
import type { Model } from '../metadata/model.js';
import type { JobDef } from '../plugins/plugin-api.js';
import type { Actor } from '../security/actor.js';
import type { Logger } from '../shared/logger.js';
import type { JobQueue } from './job-queue.js';
import { bulkTransaction } from './bulk-transaction.js';

const JOB_ACTOR: Actor = { id: null, username: 'tessera jobs', orgUnitId: null, isSystem: true };

/** Handlers of one name running at once in this process. */
const CONCURRENCY = 2;

export function processPluginJobs(
  queue: JobQueue,
  jobs: ReadonlyMap<string, JobDef>,
  deps: { pool: pg.Pool; model(): Model; runtime(): ModelRuntime; log: Logger },
): void {
  for (const def of jobs.values()) {
    queue.process(def.name, { concurrency: CONCURRENCY }, async (job) => {
      await def.run({
        db: pluginDb(deps.pool),
        model: deps.model(),
        actor: JOB_ACTOR,
        log: deps.log.child({ job: job.name, key: job.key }),
        payload: job.data,
        bulk: (work) => bulkTransaction(deps.pool, deps.runtime(), work),
      });
    });
  }
}
