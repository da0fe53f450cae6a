// Runs `search:reindex`: the search rows of one entity, or of every searched entity, brought up to date with the
// records (search/search-index.ts). Queued after writes whose search values are drawn at commit, after seeds, and
// every few minutes as scheduled work for writes that bypass the pipeline. Called by engine.ts where jobs run.
import type pg from 'pg';
import type { Model } from '../metadata/model.js';
import { reindexStale, SEARCH_REINDEX_JOB } from '../search/search-index.js';
import type { Logger } from '../shared/logger.js';
import type { JobQueue } from './job-queue.js';

export function processSearchReindex(queue: JobQueue, deps: { pool: pg.Pool; model(): Model; log: Logger; stopping(): boolean }): void {
  queue.process(SEARCH_REINDEX_JOB, { concurrency: 1 }, async (job) => {
    const only = (job.data as { entity?: unknown } | null)?.entity;
    const model = deps.model();
    for (const entity of model.entities) {
      if (typeof only === 'string' && entity.name !== only) continue;
      if (deps.stopping()) return;
      const indexed = await reindexStale(deps.pool, entity, deps.stopping);
      if (indexed > 0) deps.log.info({ entity: entity.name, indexed }, 'search rows brought up to date');
    }
  });
}
