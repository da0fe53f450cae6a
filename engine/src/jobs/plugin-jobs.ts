// Plugins' `host.job()` handlers get their queue: each runs under its name with the job's data as `payload`, as
// the system (a job has no signed-in user), with the pool for its SQL, transactions that write through the pipeline,
// and a transaction for bulk writes. A pack runs one on a schedule through pack.json `schedules` (scheduled-work.ts).
// Called by engine.ts once the queue exists.
import type pg from 'pg';
import type { ModelRuntime } from '../data/entity-runtime.js';
import { pluginDb } from '../data/plugin-db.js';
import { pluginRecords } from '../data/plugin-records.js';
import type { RecordWriter } from '../data/record-writer.js';
import type { Model } from '../metadata/model.js';
import type { JobDef } from '../plugins/plugin-api.js';
import type { Actor } from '../security/actor.js';
import { SYSTEM_ACCESS } from '../security/system-access.js';
import type { Logger } from '../shared/logger.js';
import { bulkTransaction } from './bulk-transaction.js';
import type { JobQueue } from './job-queue.js';

const JOB_ACTOR: Actor = { id: null, username: 'tessera jobs', orgUnitId: null, isSystem: true };

/** Handlers of one name running at once in this process. */
const CONCURRENCY = 2;

export interface PluginJobDeps {
  readonly pool: pg.Pool;
  readonly writer: RecordWriter;
  model(): Model;
  runtime(): ModelRuntime;
  readonly log: Logger;
}

export function processPluginJobs(queue: JobQueue, jobs: ReadonlyMap<string, JobDef>, deps: PluginJobDeps): void {
  for (const def of jobs.values()) {
    queue.process(def.name, { concurrency: CONCURRENCY }, async (job) => {
      // A job writes what its plugin decided, not what a user may: every grant, with validation and rules as always.
      const caller = { actor: JOB_ACTOR, access: SYSTEM_ACCESS, requestId: job.key };
      await def.run({
        db: pluginDb(deps.pool),
        model: deps.model(),
        actor: JOB_ACTOR,
        log: deps.log.child({ job: job.name, key: job.key }),
        payload: job.data,
        transaction: (fn) =>
          deps.writer.transaction((scope) => fn({ db: pluginDb(scope.tx), records: pluginRecords(deps.writer, scope, caller) })),
        bulk: (work) => bulkTransaction(deps.pool, deps.runtime(), work),
      });
    });
  }
}
