// /api/admin/jobs: administrators see queued, delayed, running, failed, dead and completed jobs with their
// errors, and retry or discard them by key. The queue (Bull or in-process) answers; a key it does not know is a 404.
import Router from '@koa/router';
import { EngineError } from '../shared/engine-error.js';
import { JOB_STATES, type JobQueue, type JobState } from '../jobs/job-queue.js';
import type { ApiState } from './api-state.js';

const MAX_LIMIT = 500;

function requireAdmin(state: ApiState): void {
  if (!state.access.isAdmin) throw new EngineError('access.admin_required', 403, 'only administrators may see and change jobs');
}

function parseState(value: unknown): JobState {
  const state = typeof value === 'string' ? value : 'dead';
  if (!(JOB_STATES as readonly string[]).includes(state)) {
    throw new EngineError('request.invalid_query', 400, `state must be one of ${JOB_STATES.join(', ')}`, {
      fieldErrors: [{ pointer: '/state', code: 'validation.enum', message: `must be one of ${JOB_STATES.join(', ')}` }],
    });
  }
  return state as JobState;
}

function parseLimit(value: unknown): number {
  const limit = value === undefined ? 100 : Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new EngineError('request.invalid_query', 400, `limit must be a whole number from 1 to ${MAX_LIMIT}`, {
      fieldErrors: [{ pointer: '/limit', code: 'validation.range', message: `must be from 1 to ${MAX_LIMIT}` }],
    });
  }
  return limit;
}

export function jobsAdminRoutes(queue: JobQueue): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/admin/jobs' });
  router.get('/', async (ctx) => {
    requireAdmin(ctx.state);
    const state = parseState(ctx.query.state);
    const jobs = await queue.list(state, parseLimit(ctx.query.limit));
    ctx.body = { data: jobs, meta: { state, driver: queue.driver } };
  });
  router.post('/:key/retry', async (ctx) => {
    requireAdmin(ctx.state);
    await queue.retry(ctx.params.key ?? '');
    ctx.body = { data: { key: ctx.params.key, retried: true } };
  });
  router.post('/:key/discard', async (ctx) => {
    requireAdmin(ctx.state);
    await queue.discard(ctx.params.key ?? '');
    ctx.body = { data: { key: ctx.params.key, discarded: true } };
  });
  return router;
}
