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
import { planHash } from '../schema/plan-hash.js';
import type { ApiState } from './api-state.js';

export interface AdminRouteDeps {
  readonly knex: Knex;
  /** Reads and compiles the configured packs (throws MetadataError with every problem). */
  loadModel(): Model;
  /** The engine's kinds and operators, for planning. */
  readonly rules: KindsAndOperators;
  publish(model: Model, options: { allowDestructive: boolean; expectedPlanHash: string; appliedBy: string }): Promise<ApplyResult>;
}

function requireAdmin(state: ApiState): void {
  if (!state.access.isAdmin) throw new EngineError('access.admin_required', 403, 'only administrators may change metadata');
}

export function adminRoutes(deps: AdminRouteDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/admin/model' });
  router.get('/plan', async (ctx) => {
    requireAdmin(ctx.state);
    const model = deps.loadModel();
    const plan = await previewSchema(deps.knex, model, deps.rules, ctx.query.allowDestructive === 'true');
    ctx.body = { data: plan, meta: { hash: model.hash, planHash: planHash(plan) } };
  });
  router.post('/publish', async (ctx) => {
    requireAdmin(ctx.state);
    const body = (ctx.request as { body?: { allowDestructive?: unknown; planHash?: unknown } }).body ?? {};
    // A publish applies the plan an administrator reviewed, never whatever the packs and database say now.
    if (typeof body.planHash !== 'string' || !/^[0-9a-f]{64}$/.test(body.planHash)) {
      throw new EngineError(
        'request.invalid_body',
        400,
        'send the planHash of the reviewed plan (GET /api/admin/model/plan, meta.planHash)',
        {
          fieldErrors: [
            {
              pointer: '/planHash',
              code: 'validation.required',
              message: 'a plan hash (64 hexadecimal digits) from GET /api/admin/model/plan',
            },
          ],
        },
      );
    }
    const result = await deps.publish(deps.loadModel(), {
      allowDestructive: body.allowDestructive === true,
      expectedPlanHash: body.planHash,
      appliedBy: `${ctx.state.actor.username} (${ctx.state.actor.id ?? 'system'})`,
    });
    ctx.body = { data: { changed: result.changed, version: result.version, steps: result.plan.steps.map((s) => s.summary) }, meta: {} };
  });
  router.get('/history', async (ctx) => {
    requireAdmin(ctx.state);
    ctx.body = { data: await listHistory(deps.knex), meta: {} };
  });
  return router;
}
