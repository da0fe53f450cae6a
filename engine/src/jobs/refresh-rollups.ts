// Runs `bi:refresh-rollups` (bi/rollup-job.ts): every rollup of the reports that declare `preAggregate`, built anew
// through Cube's own pre-aggregation builder, for every active user who signed in lately (ROLLUP_VIEWER_DAYS) and may
// read a report's entity. Rollups are per viewer (their scope is in every cube's SQL, so a rollup holds only their rows,
// in a schema of their own): a context shared by everyone cannot exist, so each such user's context is warmed, and the
// first report they run after a start or a publish reads a built table. A user the job has not met (created, re-granted
// or back after a while) gets theirs built by Cube on their first query. Called by engine.ts where jobs run.
import type pg from 'pg';
import type { Model } from '../metadata/model.js';
import type { LazyCube } from '../bi/lazy-cube.js';
import type { CubeViewers } from '../bi/cube-viewers.js';
import { viewerKeyFor } from '../bi/cube-auth.js';
import { ROLLUP_REFRESH_JOB, ROLLUP_VIEWER_DAYS } from '../bi/rollup-job.js';
import { listReports } from '../bi/report-plan.js';
import type { AuthSession } from '../security/authenticator.js';
import type { CoreSchema } from '../security/core-schema.js';
import { SESSION_TABLE } from '../security/security-tables.js';
import { isEngineError } from '../shared/engine-error.js';
import type { Logger } from '../shared/logger.js';
import { q } from '../sql/q.js';
import type { JobQueue } from './job-queue.js';

export interface RollupRefreshDeps {
  readonly pool: pg.Pool;
  /** Undefined when BI is off: there is nothing to build. */
  readonly cube: LazyCube | undefined;
  readonly viewers: CubeViewers;
  model(): Model;
  modelVersion(): number;
  core(): CoreSchema;
  /** The user's Access now; throws an EngineError for a user who is inactive or gone. */
  session(userId: string): Promise<Pick<AuthSession, 'info' | 'access'>>;
  readonly log: Logger;
  /** True once the engine is closing: the job stops before the next user's context. */
  stopping(): boolean;
}

/** Builds the rollups of every active user's context; the number of contexts built. */
export async function refreshRollups(deps: RollupRefreshDeps, requestId: string): Promise<number> {
  const reported = new Map(listReports(deps.model()).flatMap((r) => (r.report.preAggregate ? [[r.entity.name, r.entity.table]] : [])));
  if (!deps.cube || reported.size === 0) return 0;
  // Over no records there is nothing worth keeping, nor Cube's start-up to pay (a fresh database, most tests).
  const any = [...reported.values()].map((table) => `EXISTS (SELECT 1 FROM ${q(table)} WHERE deleted_at IS NULL)`).join(' OR ');
  if (!(await deps.pool.query<{ any: boolean }>(`SELECT ${any} AS any`)).rows[0]?.any) return 0;
  const entities = [...reported.keys()];
  const user = deps.core().user;
  const { rows } = await deps.pool.query<{ id: string }>(
    `SELECT u.id FROM ${q(user.table)} u WHERE u.deleted_at IS NULL AND EXISTS (
       SELECT 1 FROM ${q(SESSION_TABLE)} s WHERE s.user_id = u.id AND s.created_at > now() - make_interval(days => $1))
     ORDER BY u.id`,
    [ROLLUP_VIEWER_DAYS],
  );
  const server = await deps.cube.server();
  let built = 0;
  for (const { id } of rows) {
    if (deps.stopping()) break;
    let session: Pick<AuthSession, 'info' | 'access'>;
    try {
      session = await deps.session(id);
    } catch (err) {
      if (isEngineError(err)) continue;
      throw err;
    }
    if (!entities.some((e) => session.access.can(e, 'read'))) continue;
    const key = viewerKeyFor(deps, session, 'en');
    if (deps.viewers.get(key).rollups.length === 0) continue;
    await server.buildRollups(key, `${requestId}:${id}`);
    built++;
  }
  return built;
}

export function processRollupRefresh(queue: JobQueue, deps: RollupRefreshDeps): void {
  queue.process(ROLLUP_REFRESH_JOB, { concurrency: 1 }, async (job) => {
    const started = Date.now();
    const contexts = await refreshRollups(deps, `rollups:${job.key}`);
    if (contexts > 0) deps.log.info({ contexts, ms: Date.now() - started }, 'report rollups built');
  });
}
