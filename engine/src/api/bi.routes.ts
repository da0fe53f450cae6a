// BI behind Tessera's authentication: POST /api/bi/token exchanges the caller's token for a Cube token carrying their
// security context, and /cubejs-api/* hands the request to Cube in this process (started on first use). Only Cube's
// query routes are reachable: its system, scheduled-refresh and pre-aggregation job routes answer 404, and the
// playground's (which mint tokens for any payload, list every table and write files) are never mounted.
import Router from '@koa/router';
import type { Middleware } from 'koa';
import { EngineError } from '../shared/engine-error.js';
import type { LazyCube } from '../bi/lazy-cube.js';
import { signCubeToken } from '../bi/cube-token.js';
import type { ApiState } from './api-state.js';
import { pickLocale } from './pick-locale.js';

export const CUBE_BASE_PATH = '/cubejs-api';
const CUBE_ROUTES = /^\/cubejs-api\/(v1\/(load|meta|sql|dry-run)|graphql)\/?$/;

/** Mounted before the body parser: Cube reads the request body itself. */
export function cubeMiddleware(cube: LazyCube): Middleware<ApiState> {
  return async (ctx, next) => {
    if (ctx.path !== CUBE_BASE_PATH && !ctx.path.startsWith(`${CUBE_BASE_PATH}/`)) return next();
    if (!CUBE_ROUTES.test(ctx.path)) throw new EngineError('route.not_found', 404, `${ctx.path} is not served`);
    const server = await cube.server();
    ctx.respond = false;
    // Koa starts every response as a 404; Cube sets a status only for errors.
    ctx.res.statusCode = 200;
    await new Promise<void>((resolve) => {
      ctx.res.once('close', resolve);
      ctx.res.once('finish', resolve);
      server.handle(ctx.req, ctx.res);
    });
  };
}

export function biTokenRoutes(cube: LazyCube): Router<ApiState> {
  const router = new Router<ApiState>();
  router.post('/api/bi/token', async (ctx) => {
    const session = ctx.state.session;
    if (!session) throw new EngineError('auth.required', 401, 'sign in first');
    const locale = pickLocale(ctx.query.locale, ctx.get('accept-language'));
    const { token, expiresAt } = await signCubeToken(
      await cube.secret(),
      { userId: session.info.id, tokenKind: session.tokenKind, tokenId: session.tokenId, locale },
      session.expiresAt,
    );
    ctx.body = { data: { token, expiresAt: new Date(expiresAt).toISOString(), apiUrl: `${CUBE_BASE_PATH}/v1`, locale } };
  });
  return router;
}
