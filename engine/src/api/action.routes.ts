// POST /api/v1/<entity>/<id>/actions/<name>: plugin actions, input checked against the action's JSON Schema.
import Router from '@koa/router';
import type { ValidateFunction } from 'ajv';
import { EngineError } from '../shared/engine-error.js';
import { unstorableTexts } from '../shared/storable-text.js';
import type { Logger } from '../shared/logger.js';
import type { RecordWriter } from '../data/record-writer.js';
import { createRecordAjv } from '../data/record-validator.js';
import { runAction } from '../data/run-action.js';
import type { ModelRuntime } from '../data/entity-runtime.js';
import type { Model } from '../metadata/model.js';
import type { ActionDef } from '../plugins/plugin-api.js';
import type pg from 'pg';
import type { ApiState } from './api-state.js';
import { parseRecordId } from './record-id.js';

export interface ActionRouteDeps {
  readonly actions: ReadonlyMap<string, ActionDef>;
  readonly writer: RecordWriter;
  readonly pool: pg.Pool;
  readonly log: Logger;
  model(): Model;
  runtime(): ModelRuntime;
}

export function actionRoutes(deps: ActionRouteDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/v1' });
  const ajv = createRecordAjv();
  const validators = new Map<string, ValidateFunction>();
  for (const [key, def] of deps.actions) validators.set(key, ajv.compile(def.input));
  for (const [key, def] of deps.actions) {
    router.post(`/${def.entity}/:id/actions/${def.name}`, async (ctx) => {
      const id = parseRecordId(ctx.params.id, def.entity);
      if (!ctx.state.access.can(def.entity, def.name)) {
        throw new EngineError('access.denied', 403, `you may not run ${def.name} on ${def.entity} records`);
      }
      const input = (ctx.request as { body?: unknown }).body ?? {};
      const validate = validators.get(key) as ValidateFunction;
      // The input is stored in the audit row: text PostgreSQL cannot hold is refused like a schema violation.
      const problems = validate(input)
        ? unstorableTexts(input)
        : (validate.errors ?? []).map((e) => ({
            pointer: e.instancePath,
            code: `validation.${e.keyword}`,
            message: e.message ?? 'is invalid',
          }));
      if (problems.length)
        throw new EngineError('validation.failed', 422, `the input of action ${def.name} is invalid`, { fieldErrors: problems });
      const result = await runAction(deps, {
        def,
        id,
        input: input as Record<string, unknown>,
        caller: { actor: ctx.state.actor, access: ctx.state.access, requestId: ctx.state.requestId, log: ctx.state.log },
      });
      ctx.body = { data: result ?? null, meta: { action: def.name } };
    });
  }
  return router;
}
