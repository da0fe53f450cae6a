// Admin-only metadata endpoints: publish the configured packs (validate, plan, apply, swap every route
// without a restart) or preview what publishing would do; and the schema history.
import Router from '@koa/router';
import type { Knex } from 'knex';
import { EngineError } from '../shared/engine-error.js';
import type { Model } from '../metadata/model.js';
import type { ApplyResult } from '../schema/apply-schema.js';
import { previewSchema } from '../schema/apply-schema.js';
import type { KindsAndOperators } from '../rules/operator-registry.js';
import { listHistory } from '../schema/schema-history.js';
import type { ApiState } from './api-state.js';

export interface AdminRouteDeps {
  readonly knex: Knex;
  /** Reads and compiles the configured packs (throws MetadataError with every problem). */
  loadModel(): Model;
  /** The engine's kinds and operators, for planning. */
  readonly rules: KindsAndOperators;
  publish(model: Model, allowDestructive: boolean): Promise<ApplyResult>;
}

function requireAdmin(state: ApiState): void {
  if (!state.access.isAdmin) throw new EngineError('access.admin_required', 403, 'only administrators may change metadata');
}

export function adminRoutes(deps: AdminRouteDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/admin/model' });
  router.get('/plan', async (ctx) => {
    requireAdmin(ctx.state);
    const model = deps.loadModel();
    ctx.body = { data: await previewSchema(deps.knex, model, deps.rules, ctx.query.allowDestructive === 'true'), meta: { hash: model.hash } };
  });
  router.post('/publish', async (ctx) => {
    requireAdmin(ctx.state);
    const allow = (ctx.request as { body?: { allowDestructive?: unknown } }).body?.allowDestructive === true;
    const result = await deps.publish(deps.loadModel(), allow);
    ctx.body = { data: { changed: result.changed, version: result.version, steps: result.plan.steps.map((s) => s.summary) }, meta: {} };
  });
  router.get('/history', async (ctx) => {
    requireAdmin(ctx.state);
    ctx.body = { data: await listHistory(deps.knex), meta: {} };
  });
  return router;
}
