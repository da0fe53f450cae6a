// Who is calling. Until the identity issue lands (TODO(#4)), every caller acts as the system actor with
// an unrestricted scope; the record scope hook is already threaded through every query.
import type { Middleware } from 'koa';
import { UNRESTRICTED } from '../data/record-scope.js';
import type { Actor } from '../plugins/plugin-api.js';
import type { ApiState } from './api-state.js';

export const SYSTEM_ACTOR: Actor = Object.freeze({ id: null, username: 'system', isSystem: true });

export function authenticateMiddleware(): Middleware<ApiState> {
  return async (ctx, next) => {
    ctx.state.actor = SYSTEM_ACTOR;
    ctx.state.scope = UNRESTRICTED;
    await next();
  };
}
