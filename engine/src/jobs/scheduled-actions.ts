// The job of one scheduled action's occurrence: every live record meeting its `when` (as of now), in id order and in
// pages, gets the plugin action run as the system, each record in its own transaction — or, when the action allows
// it (`batchSize`), several records in one transaction, set-based if the action can (`runBatch`) — a few
// transactions at once. A batch that fails is rolled back and each of its records runs again alone, so a record
// whose run fails does not stop the others; the job then fails naming them, so it is retried (the action is
// idempotent, the metadata contract says so) and, if they keep failing, shows dead with that message to an admin.
import type pg from 'pg';
import type { ModelRuntime } from '../data/entity-runtime.js';
import type { RecordWriter } from '../data/record-writer.js';
import { runAction, runActionBatch, type ActionCall, type RunActionDeps } from '../data/run-action.js';
import type { ActionDef } from '../plugins/plugin-api.js';
import { SYSTEM_ACCESS, SYSTEM_ACTOR } from '../security/system-access.js';
import type { Logger } from '../shared/logger.js';
import { q } from '../sql/q.js';
import type { JobQueue } from './job-queue.js';
import { SCHEDULED_ACTION_JOB } from './scheduled-work.js';

const PAGE = 500;
/** Transactions run at once: each holds a connection. */
const PARALLEL = 8;
/** Failures named in the job's error; the log has them all. */
const NAMED = 10;

export interface ScheduledActionDeps {
  readonly pool: pg.Pool;
  readonly writer: RecordWriter;
  readonly actions: ReadonlyMap<string, ActionDef>;
  runtime(): ModelRuntime;
  readonly log: Logger;
}

export function processScheduledActions(queue: JobQueue, deps: ScheduledActionDeps): void {
  queue.process(SCHEDULED_ACTION_JOB, { concurrency: 1 }, async (job) => {
    const { entity, key } = job.data as { entity: string; key: string };
    const runtime = deps.runtime();
    const rt = runtime.model.entitiesByName[entity] ? runtime.entity(entity) : undefined;
    const scheduled = rt?.rules.scheduledActions.find((s) => s.key === key);
    // Queued by an older Model that had it: nothing to do now.
    if (!rt || !scheduled) return;
    const def = deps.actions.get(`${entity}/${scheduled.def.action}`);
    if (!def) throw new Error(`${entity} has no plugin action '${scheduled.def.action}' (checked when the Model was served)`);
    const log = deps.log.child({ job: job.name, key: job.key });
    const now = new Date().toISOString();
    // The clock ($1) is typed here too, for conditions that do not read it.
    const text = `SELECT t.id FROM ${q(rt.entity.table)} t WHERE t.deleted_at IS NULL AND $1::timestamptz IS NOT NULL
                    ${scheduled.condition === undefined ? '' : `AND (${scheduled.condition})`}
                    AND ($2::uuid IS NULL OR t.id > $2::uuid) ORDER BY t.id LIMIT ${PAGE}`;
    const actionDeps: RunActionDeps = { writer: deps.writer, model: () => runtime.model, runtime: () => runtime };
    const caller = { actor: SYSTEM_ACTOR, access: SYSTEM_ACCESS, requestId: job.key, log };
    const calls = (ids: readonly string[]): ActionCall[] => ids.map((id) => ({ def, id, input: { ...scheduled.def.input }, caller }));
    const failures: Array<{ id: string; message: string }> = [];
    let done = 0;
    let after: string | null = null;
    for (;;) {
      const { rows }: { rows: Array<{ id: string }> } = await deps.pool.query<{ id: string }>(text, [now, after]);
      if (rows.length === 0) break;
      after = rows[rows.length - 1]?.id ?? null;
      const size = Math.max(1, def.batchSize ?? 1);
      const batches = Array.from({ length: Math.ceil(rows.length / size) }, (_, i) =>
        rows.slice(i * size, (i + 1) * size).map((r) => r.id),
      );
      let next = 0;
      const worker = async (): Promise<void> => {
        for (let ids = batches[next++]; ids !== undefined; ids = batches[next++]) {
          if (ids.length > 1 && (await runBatch(actionDeps, calls(ids), def, log))) {
            done += ids.length;
            continue;
          }
          for (const call of calls(ids)) {
            try {
              await runAction(actionDeps, call);
              done++;
            } catch (err) {
              const message = err instanceof Error ? err.message : String(err);
              failures.push({ id: call.id, message });
              log.error({ err, entity, id: call.id, action: def.name }, 'scheduled action failed on a record');
            }
          }
        }
      };
      await Promise.all(Array.from({ length: PARALLEL }, worker));
    }
    log.info({ entity, action: def.name, done, failed: failures.length }, 'scheduled action ran');
    if (failures.length > 0) {
      const named = failures.slice(0, NAMED).map((f) => `${f.id}: ${f.message}`);
      throw new Error(`${def.name} failed on ${failures.length} of ${done + failures.length} ${entity} record(s): ${named.join('; ')}`);
    }
  });
}

/**
 * The records' runs in one transaction (runActionBatch). False when the transaction failed (nothing of it stays):
 * the caller then runs each record alone to find which one fails and why.
 */
async function runBatch(deps: RunActionDeps, calls: readonly ActionCall[], def: ActionDef, log: Logger): Promise<boolean> {
  try {
    await deps.writer.transaction((scope) => runActionBatch(deps, scope, calls));
    return true;
  } catch (err) {
    log.warn({ err, action: def.name, records: calls.length }, 'a batch of a scheduled action failed; its records run one by one');
    return false;
  }
}
