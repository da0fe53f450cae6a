// Every route mounted after this middleware needs a bearer token: a session token from login or an API token
// (tsk_...). Public routes (health, login, the docs viewer) are mounted before it, so they say what they are
// where they are wired. The actor and its Access are cached briefly per token.
import type { Middleware } from 'koa';
import { EngineError } from '../shared/engine-error.js';
import type { Authenticator } from '../security/authenticator.js';
import type { ApiState } from './api-state.js';

export function authenticateMiddleware(auth: Authenticator): Middleware<ApiState> {
  return async (ctx, next) => {
    const header = ctx.get('authorization');
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m?.[1]) {
      ctx.set('WWW-Authenticate', 'Bearer');
      throw new EngineError('auth.required', 401, 'sign in first: send Authorization: Bearer <token>');
    }
    const session = await auth.authenticate(m[1]);
    ctx.state.actor = session.actor;
    ctx.state.access = session.access;
    ctx.state.session = session;
    await next();
  };
}
