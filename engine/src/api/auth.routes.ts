// Sign-in, sign-out, who am I, password changes and API tokens; admin-only password resets.
import Router from '@koa/router';
import type pg from 'pg';
import { EngineError } from '../shared/engine-error.js';
import { isStorableText, UNSTORABLE_MESSAGE } from '../shared/storable-text.js';
import type { Authenticator, AuthSession } from '../security/authenticator.js';
import { setPassword } from '../security/credentials.js';
import { verifyPassword } from '../security/password.js';
import { CREDENTIAL_TABLE } from '../security/security-tables.js';
import type { ApiState } from './api-state.js';
import { parseRecordId } from './record-id.js';

export interface AuthRouteDeps {
  readonly auth: Authenticator;
  readonly pool: pg.Pool;
}

function body(ctx: { request: unknown }): Record<string, unknown> {
  const b = (ctx.request as { body?: unknown }).body;
  if (!b || typeof b !== 'object' || Array.isArray(b)) throw new EngineError('request.invalid_body', 400, 'the body must be a JSON object');
  return b as Record<string, unknown>;
}

function requireString(b: Record<string, unknown>, name: string, max = 1024): string {
  const v = b[name];
  if (typeof v !== 'string' || v.length === 0 || v.length > max) {
    throw new EngineError('validation.failed', 422, `${name} is required`, {
      fieldErrors: [{ pointer: `/${name}`, code: 'validation.required', message: 'is required' }],
    });
  }
  return v;
}

/** A string that PostgreSQL compares or stores (a username, a token name); passwords only reach scrypt. */
function requireText(b: Record<string, unknown>, name: string, max: number): string {
  const v = requireString(b, name, max);
  if (!isStorableText(v)) {
    throw new EngineError('validation.failed', 422, `${name} is invalid`, {
      fieldErrors: [{ pointer: `/${name}`, code: 'validation.invalid_characters', message: UNSTORABLE_MESSAGE }],
    });
  }
  return v;
}

function session(state: ApiState): AuthSession {
  if (!state.session) throw new EngineError('auth.required', 401, 'sign in first');
  return state.session;
}

export function describeSession(s: AuthSession) {
  return {
    id: s.info.id,
    username: s.info.username,
    displayName: s.info.displayName,
    orgUnitId: s.info.orgUnitId,
    managerId: s.info.managerId,
    roles: s.info.roles.map((r) => r.code),
    isAdmin: s.access.isAdmin,
  };
}

/** Sign-in: public, mounted before authentication. */
export function loginRoutes(deps: Pick<AuthRouteDeps, 'auth'>): Router<ApiState> {
  const router = new Router<ApiState>();
  router.post('/api/auth/login', async (ctx) => {
    const b = body(ctx);
    const result = await deps.auth.login(requireText(b, 'username', 200), requireString(b, 'password'), ctx.ip);
    ctx.body = { data: { token: result.token, expiresAt: result.expiresAt, user: describeSession(result.session) }, meta: {} };
  });
  return router;
}

/** Everything else about sessions and tokens: mounted after authentication. */
export function authRoutes(deps: AuthRouteDeps): Router<ApiState> {
  const router = new Router<ApiState>();
  router.post('/api/auth/logout', async (ctx) => {
    await deps.auth.logout(session(ctx.state));
    ctx.status = 204;
  });
  router.get('/api/auth/me', (ctx) => {
    ctx.body = { data: describeSession(session(ctx.state)), meta: {} };
  });
  router.put('/api/auth/password', async (ctx) => {
    const s = session(ctx.state);
    const b = body(ctx);
    const current = await deps.pool.query<{ password_hash: string }>(`SELECT password_hash FROM ${CREDENTIAL_TABLE} WHERE user_id = $1`, [
      s.info.id,
    ]);
    const hash = current.rows[0]?.password_hash;
    if (!hash || !(await verifyPassword(requireString(b, 'currentPassword'), hash))) {
      throw new EngineError('auth.invalid_credentials', 403, 'the current password is wrong');
    }
    await setPassword(deps.pool, s.info.id, b.newPassword, s.tokenKind === 'session' ? s.tokenId : undefined);
    deps.auth.invalidate();
    ctx.status = 204;
  });
  router.get('/api/auth/tokens', async (ctx) => {
    ctx.body = { data: await deps.auth.listApiTokens(session(ctx.state).info.id), meta: {} };
  });
  router.post('/api/auth/tokens', async (ctx) => {
    const b = body(ctx);
    const days = b.expiresInDays;
    if (days !== undefined && (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 3650)) {
      throw new EngineError('validation.failed', 422, 'expiresInDays must be 1 to 3650', {
        fieldErrors: [{ pointer: '/expiresInDays', code: 'validation.range', message: 'must be a whole number from 1 to 3650' }],
      });
    }
    const created = await deps.auth.createApiToken(session(ctx.state).info.id, requireText(b, 'name', 200), days as number | undefined);
    ctx.status = 201;
    ctx.body = { data: created, meta: { note: 'the token is shown only once' } };
  });
  router.delete('/api/auth/tokens/:id', async (ctx) => {
    const id = parseRecordId(ctx.params.id, 'token');
    if (!(await deps.auth.revokeApiToken(session(ctx.state).info.id, id))) throw new EngineError('record.not_found', 404, 'no such token');
    ctx.status = 204;
  });
  router.put('/api/admin/users/:id/password', async (ctx) => {
    if (!ctx.state.access.isAdmin)
      throw new EngineError('access.admin_required', 403, "only administrators may set other users' passwords");
    const id = parseRecordId(ctx.params.id, 'app_user');
    await setPassword(deps.pool, id, body(ctx).password);
    deps.auth.invalidate();
    ctx.status = 204;
  });
  return router;
}
