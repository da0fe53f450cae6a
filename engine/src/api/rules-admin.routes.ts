// POST /api/admin/rules/<entity>/recompute: administrators bring an entity's computed, rollup and score fields
// up to date for every record after a rule changed (`tessera rescore <entity>` does the same from the CLI).
import Router from '@koa/router';
import type pg from 'pg';
import { EngineError } from '../shared/engine-error.js';
import type { ModelRuntime } from '../data/entity-runtime.js';
import { recomputeAll } from '../data/recompute-all.js';
import type { ApiState } from './api-state.js';

export interface RulesAdminDeps {
  readonly pool: pg.Pool;
  runtime(): ModelRuntime;
}

export function rulesAdminRoutes(deps: RulesAdminDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/admin/rules' });
  router.post('/:entity/recompute', async (ctx) => {
    if (!ctx.state.access.isAdmin) throw new EngineError('access.admin_required', 403, 'only administrators may recompute rules');
    const started = Date.now();
    const result = await recomputeAll(deps.pool, deps.runtime(), ctx.params.entity ?? '');
    ctx.body = { data: { ...result, ms: Date.now() - started } };
  });
  return router;
}
