// POST /api/v1/<entity>/<id>/actions/<name>: plugin actions, input checked against the action's JSON Schema.
import Router from '@koa/router';
import type { ValidateFunction } from 'ajv';
import { EngineError } from '../shared/engine-error.js';
import { unstorableTexts } from '../shared/storable-text.js';
import type { Logger } from '../shared/logger.js';
import type { RecordWriter } from '../data/record-writer.js';
import { pluginRecords } from '../data/plugin-records.js';
import { createRecordAjv } from '../data/record-validator.js';
import { changedFields } from '../data/changed-fields.js';
import { applyDerived, deferRecordChecks } from '../data/record-rule-steps.js';
import { pluginDb } from '../data/plugin-db.js';
import { deferPendingApprovalCheck } from '../data/approval-lock.js';
import { lockRecord } from '../data/lock-record.js';
import { lockForAction } from '../data/lock-for-action.js';
import { checkActionTransitions } from '../data/transition-steps.js';
import type { ModelRuntime } from '../data/entity-runtime.js';
import { UNRESTRICTED_SCOPE } from '../query/record-scope.js';
import type { Model } from '../metadata/model.js';
import type { ActionDef } from '../plugins/plugin-api.js';
import type pg from 'pg';
import type { ApiState } from './api-state.js';
import { deferAudit } from '../security/audit-log.js';
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
      const entity = deps.runtime().entity(def.entity);
      const result = await deps.writer.transaction(async (scope) => {
        const { tx } = scope;
        // The record must be within the scope of the grant that gives this action, not only readable.
        const { before, seen: record } = await lockForAction(tx, deps.runtime(), entity, id, ctx.state.access, def.name);
        // Guards are judged on the record as it was, so they are read before the action writes.
        const settleTransitions = await checkActionTransitions(tx, entity, id, before, ctx.state.access);
        const out = await def.run({
          id,
          record,
          input: input as Record<string, unknown>,
          db: pluginDb(tx),
          records: pluginRecords(deps.writer, scope, ctx.state),
          model: deps.model(),
          actor: ctx.state.actor,
          log: ctx.state.log,
        });
        const written = await lockRecord(tx, entity, id, UNRESTRICTED_SCOPE);
        // A state the action changed must be an allowed transition for the caller; its effects are written too.
        const after = written && { ...written, ...(await settleTransitions(written)) };
        const changed = changedFields(before, after, 'update');
        // Derived values that moved because the action wrote other records through the pipeline were kept current
        // (and their record's rules checked) by those writes; what the action wrote itself is judged here.
        const ownChanges = Object.keys(changed).filter((name) => !entity.rules.derived.has(name));
        // A record waiting for approval changes only through its flow.
        if (ownChanges.length > 0) deferPendingApprovalCheck(tx, entity.entity, id);
        if (after && ownChanges.length > 0) {
          // What the action wrote with SQL meets the entity's rules like any other write: derived values follow,
          // validation rules and required-when must hold.
          const changes = Object.fromEntries(ownChanges.map((name) => [name, after[name]]));
          const write = { tx, runtime: deps.runtime(), rt: entity, op: 'update' as const, id, changes, before, after, pointerPrefix: '' };
          await applyDerived(write);
          deferRecordChecks(write);
        }
        deferAudit(tx, {
          entity: def.entity,
          recordId: id,
          action: `action:${def.name}`,
          actorId: ctx.state.actor.id,
          actorName: ctx.state.actor.username,
          requestId: ctx.state.requestId,
          changes: { ...changed, input: { after: input } },
        });
        return out;
      });
      ctx.body = { data: result ?? null, meta: { action: def.name } };
    });
  }
  return router;
}
