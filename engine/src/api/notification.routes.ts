// /api/v1/me/notifications: the caller's own inbox (list, unread count, mark read, mark all read, snooze, dismiss),
// and /api/admin/notifications/deliveries: every external delivery's state for administrators.
import Router from '@koa/router';
import { EngineError } from '../shared/engine-error.js';
import type { NotificationInbox } from '../workflow/notification-inbox.js';
import { DELIVERY_STATES, listDeliveries, type DeliveryState } from '../workflow/delivery-status.js';
import type pg from 'pg';
import type { ApiState } from './api-state.js';

const MAX_LIMIT = 200;

function invalidQuery(name: string, message: string): EngineError {
  return new EngineError('request.invalid_query', 400, `${name} ${message}`, {
    fieldErrors: [{ pointer: `/${name}`, code: 'validation.invalid', message }],
  });
}

function wholeNumber(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(n) || n < min || n > max)
    throw invalidQuery(name, `must be a whole number from ${min} to ${max}`);
  return n;
}

/** The signed-in user; a token without a user (none today) has no inbox. */
function userOf(state: ApiState): string {
  const id = state.actor.id;
  if (id === null) throw new EngineError('auth.required', 401, 'sign in first');
  return id;
}

/** `until` must be a future instant: a snooze into the past would hide nothing. */
function snoozeUntil(body: unknown): Date {
  const until = (body as { until?: unknown } | null)?.until;
  const at = typeof until === 'string' ? new Date(until) : undefined;
  const problem = (message: string) =>
    new EngineError('validation.failed', 422, `until ${message}`, {
      fieldErrors: [{ pointer: '/until', code: 'validation.invalid', message }],
    });
  if (at === undefined || Number.isNaN(at.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(until as string)) {
    throw problem('must be a date-time such as 2026-12-24T09:00:00Z');
  }
  if (at.getTime() <= Date.now()) throw problem('must be in the future');
  return at;
}

export function notificationRoutes(deps: { readonly inbox: NotificationInbox; readonly pool: pg.Pool }): Router<ApiState> {
  const router = new Router<ApiState>();
  const { inbox } = deps;
  router.get('/api/v1/me/notifications', async (ctx) => {
    const unread = ctx.query.unread;
    if (unread !== undefined && unread !== 'true' && unread !== 'false') throw invalidQuery('unread', 'must be true or false');
    const limit = wholeNumber(ctx.query.limit, 'limit', 50, 1, MAX_LIMIT);
    const offset = wholeNumber(ctx.query.offset, 'offset', 0, 0, 1_000_000);
    const { items, total } = await inbox.list(userOf(ctx.state), { unread: unread === 'true', limit, offset });
    ctx.body = { data: items, meta: { total, limit, offset } };
  });
  router.get('/api/v1/me/notifications/unread-count', async (ctx) => {
    ctx.body = { data: { unread: await inbox.unreadCount(userOf(ctx.state)) } };
  });
  router.post('/api/v1/me/notifications/read-all', async (ctx) => {
    ctx.body = { data: { marked: await inbox.markAllRead(userOf(ctx.state)) } };
  });
  router.post('/api/v1/me/notifications/:id/read', async (ctx) => {
    ctx.body = { data: await inbox.markRead(userOf(ctx.state), ctx.params.id ?? '') };
  });
  router.post('/api/v1/me/notifications/:id/snooze', async (ctx) => {
    const until = snoozeUntil(ctx.request.body);
    ctx.body = { data: await inbox.snooze(userOf(ctx.state), ctx.params.id ?? '', until) };
  });
  router.post('/api/v1/me/notifications/:id/dismiss', async (ctx) => {
    await inbox.dismiss(userOf(ctx.state), ctx.params.id ?? '');
    ctx.status = 204;
  });
  router.get('/api/admin/notifications/deliveries', async (ctx) => {
    if (!ctx.state.access.isAdmin) throw new EngineError('access.admin_required', 403, 'only administrators may see deliveries');
    const state = ctx.query.state;
    if (state !== undefined && !(DELIVERY_STATES as readonly unknown[]).includes(state)) {
      throw invalidQuery('state', `must be one of ${DELIVERY_STATES.join(', ')}`);
    }
    const limit = wholeNumber(ctx.query.limit, 'limit', 100, 1, 500);
    ctx.body = { data: await listDeliveries(deps.pool, state as DeliveryState | undefined, limit) };
  });
  return router;
}
