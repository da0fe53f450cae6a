// POST /api/admin/blobs/collect: an administrator runs blob garbage collection now (jobs/collect-blobs.ts) and gets
// its counts; the daily schedule runs the same. 409 while another process is collecting.
import Router from '@koa/router';
import { collectBlobs, type BlobCollectorDeps } from '../jobs/collect-blobs.js';
import { EngineError } from '../shared/engine-error.js';
import type { ApiState } from './api-state.js';

export function blobAdminRoutes(deps: BlobCollectorDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/admin/blobs' });
  router.post('/collect', async (ctx) => {
    if (!ctx.state.access.isAdmin) throw new EngineError('access.admin_required', 403, 'only administrators may collect stored files');
    ctx.body = { data: await collectBlobs(deps) };
  });
  return router;
}
