// Approval flows over HTTP: per entity with flows, `POST /api/v1/<entity>/<id>/approval/<action>` (submit, approve,
// reject, withdraw, delegate, reassign) and `GET .../approval`; per user, `GET /api/v1/me/approvals` and the standing
// delegations at `/api/v1/me/delegations`. Every refusal is problem+json and changes nothing (workflow/errors.ts).
import Router, { type RouterContext } from '@koa/router';
import type pg from 'pg';
import type { ModelRuntime } from '../data/entity-runtime.js';
import type { CoreSchema } from '../security/core-schema.js';
import { EngineError } from '../shared/engine-error.js';
import type { ApprovalService, Caller } from '../workflow/approval-service.js';
import { readApproval, readInbox } from '../workflow/approval-views.js';
import { createDelegation, deleteDelegation, listDelegations } from '../workflow/approval-delegations.js';
import type { ApprovalFlows } from '../workflow/compile-approval-flows.js';
import type { ApiState } from './api-state.js';
import { parseRecordId } from './record-id.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_COMMENT = 4000;

type Body = Record<string, unknown>;
type Ctx = RouterContext<ApiState>;

function invalid(pointer: string, message: string): EngineError {
  return new EngineError('validation.failed', 422, message, { fieldErrors: [{ pointer, code: 'validation.invalid', message }] });
}

function bodyOf(ctx: Ctx): Body {
  const b = (ctx.request as { body?: unknown }).body;
  if (b === undefined || b === null) return {};
  if (typeof b !== 'object' || Array.isArray(b)) throw invalid('', 'the body must be a JSON object');
  return b as Body;
}

function optionalText(b: Body, key: string, max: number): string | null {
  const v = b[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v.length > max) throw invalid(`/${key}`, `'${key}' must be a text of at most ${max} characters`);
  return v.trim() === '' ? null : v;
}

function userId(b: Body, key: string): string {
  const v = b[key];
  if (typeof v !== 'string' || !UUID.test(v)) throw invalid(`/${key}`, `'${key}' must be a user id`);
  return v.toLowerCase();
}

function date(b: Body, key: string): string {
  const v = b[key];
  if (typeof v !== 'string' || !DATE.test(v) || Number.isNaN(Date.parse(v)))
    throw invalid(`/${key}`, `'${key}' must be a date (YYYY-MM-DD)`);
  return v;
}

function caller(ctx: Ctx): Caller {
  return { actor: ctx.state.actor, access: ctx.state.access, requestId: ctx.state.requestId };
}

function me(ctx: Ctx): string {
  const id = ctx.state.actor.id;
  if (!id) throw new EngineError('access.denied', 403, 'approvals belong to signed-in users');
  return id;
}

export interface ApprovalRouteDeps {
  readonly pool: pg.Pool;
  readonly approvals: ApprovalService;
  readonly core: () => CoreSchema;
}

/** The record routes of every entity that declares approval flows (rebuilt with the Model). */
export function approvalRoutes(runtime: ModelRuntime, flows: ApprovalFlows, deps: ApprovalRouteDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/v1', sensitive: true });
  const { approvals } = deps;
  for (const name of flows.byEntity.keys()) {
    const base = `/${name}/:id/approval`;
    const id = (ctx: Ctx) => parseRecordId(ctx.params.id, name);
    const answer = (ctx: Ctx, data: unknown) => {
      ctx.body = { data, meta: {} };
    };
    router.get(base, async (ctx) =>
      answer(ctx, await readApproval({ pool: deps.pool, runtime, core: deps.core() }, name, id(ctx), ctx.state.actor.id, ctx.state.access)),
    );
    router.post(`${base}/submit`, async (ctx) => {
      const flow = optionalText(bodyOf(ctx), 'flow', 48);
      answer(ctx, await approvals.submit(caller(ctx), name, id(ctx), flow ?? undefined));
    });
    router.post(`${base}/approve`, async (ctx) => {
      answer(ctx, await approvals.decide(caller(ctx), name, id(ctx), 'approve', optionalText(bodyOf(ctx), 'comment', MAX_COMMENT)));
    });
    router.post(`${base}/reject`, async (ctx) => {
      answer(ctx, await approvals.decide(caller(ctx), name, id(ctx), 'reject', optionalText(bodyOf(ctx), 'comment', MAX_COMMENT)));
    });
    router.post(`${base}/withdraw`, async (ctx) => {
      answer(ctx, await approvals.withdraw(caller(ctx), name, id(ctx), optionalText(bodyOf(ctx), 'comment', MAX_COMMENT)));
    });
    router.post(`${base}/delegate`, async (ctx) => {
      const b = bodyOf(ctx);
      answer(ctx, await approvals.delegate(caller(ctx), name, id(ctx), userId(b, 'to'), optionalText(b, 'comment', MAX_COMMENT)));
    });
    router.post(`${base}/reassign`, async (ctx) => {
      const b = bodyOf(ctx);
      answer(ctx, await approvals.reassign(caller(ctx), name, id(ctx), userId(b, 'from'), userId(b, 'to')));
    });
  }
  return router;
}

/** What waits for the caller, and their standing delegations. */
export function myApprovalRoutes(deps: ApprovalRouteDeps & { readonly runtime: () => ModelRuntime }): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/v1/me', sensitive: true });
  router.get('/approvals', async (ctx) => {
    const data = await readInbox({ pool: deps.pool, runtime: deps.runtime(), core: deps.core() }, me(ctx));
    ctx.body = { data, meta: { count: data.length } };
  });
  router.get('/delegations', async (ctx) => {
    ctx.body = { data: await listDelegations(deps.pool, deps.core(), me(ctx)), meta: {} };
  });
  router.post('/delegations', async (ctx) => {
    const b = bodyOf(ctx);
    const comment = optionalText(b, 'comment', MAX_COMMENT);
    const input = { to: userId(b, 'to'), from: date(b, 'from'), until: date(b, 'until'), ...(comment ? { comment } : {}) };
    ctx.status = 201;
    ctx.body = { data: await createDelegation(deps.pool, deps.core(), me(ctx), input), meta: {} };
  });
  router.delete('/delegations/:id', async (ctx) => {
    const id = ctx.params.id ?? '';
    if (!UUID.test(id)) throw new EngineError('approval.delegation_not_found', 404, `you have no delegation ${id.slice(0, 64)}`);
    await deleteDelegation(deps.pool, me(ctx), id.toLowerCase());
    ctx.status = 204;
  });
  return router;
}
