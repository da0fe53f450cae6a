// Cube's playground for administrators and analysts, in development mode only, on a listener of its own: its page
// loads everything from root paths (/assets/…, /antd.min.css), which the engine's own listener keeps for the runtime UI.
// We serve the playground's built files (without the third-party analytics script its page embeds), a sign-in page, and
// GET /playground/context with a fresh Cube token of the signed-in user — never Cube's dev server, whose routes mint
// tokens for any payload, list every table, write files and install packages: every other /playground/ path is a 404.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, sep } from 'node:path';
import Koa from 'koa';
import Router from '@koa/router';
import { EngineError, isEngineError } from '../shared/engine-error.js';
import type { Logger } from '../shared/logger.js';
import type { AuthSession, Authenticator } from '../security/authenticator.js';
import type { LazyCube } from '../bi/lazy-cube.js';
import { signCubeToken } from '../bi/cube-token.js';
import { cubeMiddleware, CUBE_BASE_PATH } from './bi.routes.js';
import { pickLocale } from './pick-locale.js';
import type { ApiState } from './api-state.js';
import { problemMiddleware } from './problem-middleware.js';
import { requestContextMiddleware } from './request-context-middleware.js';
import { routerMiddleware } from './create-app.js';

const COOKIE = 'tessera_playground';
/** Role code that opens the playground to users who are not administrators. */
export const ANALYST_ROLE = 'analyst';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.xml': 'application/xml',
};

const LOGIN_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tessera analytics</title>
<style>body{font-family:sans-serif;display:flex;justify-content:center;margin-top:10vh}form{display:grid;gap:.6em;width:18em}</style></head>
<body><form method="post" action="/login"><h1>Tessera analytics · 分析</h1>
<input name="username" placeholder="username · 用户名" autocomplete="username" required>
<input name="password" type="password" placeholder="password · 密码" autocomplete="current-password" required>
<button type="submit">Sign in · 登录</button><p id="error">{{error}}</p></form></body></html>`;

export interface PlaygroundDeps {
  readonly auth: Authenticator;
  readonly cube: LazyCube;
  readonly log: Logger;
}

function playgroundDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve('@cubejs-backend/server-core/package.json')), 'playground');
}

function mayAnalyse(session: AuthSession): boolean {
  return session.access.isAdmin || session.access.roleCodes.has(ANALYST_ROLE);
}

async function readForm(req: NodeJS.ReadableStream): Promise<URLSearchParams> {
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > 4096) throw new EngineError('request.too_large', 413, 'the sign-in form is too large');
  }
  return new URLSearchParams(text);
}

export function playgroundApp(deps: PlaygroundDeps): Koa<ApiState> {
  const dir = playgroundDir();
  const router = new Router<ApiState>();
  const sessionOf = async (token: string | undefined): Promise<AuthSession | undefined> => {
    if (!token) return undefined;
    try {
      const session = await deps.auth.authenticate(token);
      return mayAnalyse(session) ? session : undefined;
    } catch (err) {
      if (isEngineError(err)) return undefined;
      throw err;
    }
  };
  router.get('/login', (ctx) => {
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = LOGIN_PAGE.replace(
      '{{error}}',
      ctx.query.failed ? 'Sign-in failed, or the playground is for administrators and analysts.' : '',
    );
  });
  router.post('/login', async (ctx) => {
    const form = await readForm(ctx.req);
    try {
      const { token, session } = await deps.auth.login(form.get('username') ?? '', form.get('password') ?? '', ctx.ip);
      if (!mayAnalyse(session)) throw new EngineError('access.denied', 403, 'the playground is for administrators and analysts');
      ctx.cookies.set(COOKIE, token, { httpOnly: true, sameSite: 'strict', overwrite: true });
      ctx.redirect('/#/build');
    } catch (err) {
      if (!isEngineError(err)) throw err;
      ctx.redirect('/login?failed=1');
    }
  });
  router.get('/playground/context', async (ctx) => {
    const session = await sessionOf(ctx.cookies.get(COOKIE));
    if (!session) throw new EngineError('auth.required', 401, 'sign in at /login first');
    const locale = pickLocale(undefined, ctx.get('accept-language'));
    const { token } = await signCubeToken(
      await deps.cube.secret(),
      { userId: session.info.id, tokenKind: session.tokenKind, tokenId: session.tokenId, locale },
      session.expiresAt,
    );
    ctx.body = {
      cubejsToken: token,
      basePath: CUBE_BASE_PATH,
      anonymousId: null,
      coreServerVersion: '0.33.65',
      dbType: 'postgres',
      shouldStartConnectionWizardFlow: false,
      livePreview: false,
      isDocker: false,
    };
  });
  router.all(/^\/playground(\/.*)?$/, (ctx) => {
    throw new EngineError('route.not_found', 404, `${ctx.path} is not served`);
  });
  router.get(/^\/.*/, async (ctx) => {
    const path = ctx.path === '/' || ctx.path === '/index.html' ? '/index.html' : ctx.path;
    const file = normalize(join(dir, path));
    if (!file.startsWith(dir + sep)) throw new EngineError('route.not_found', 404, `${ctx.path} is not served`);
    if (path === '/index.html') {
      if (!(await sessionOf(ctx.cookies.get(COOKIE)))) return ctx.redirect('/login');
      // The page embeds a third-party analytics loader: it is not sent.
      const html = await readFile(file, 'utf8');
      ctx.type = TYPES['.html'] ?? 'text/html';
      ctx.body = html.replace(/<script>\s*!function\(\)\{var analytics[\s\S]*?<\/script>/, '');
      return;
    }
    const body = await readFile(file).catch(() => undefined);
    if (!body) throw new EngineError('route.not_found', 404, `${ctx.path} is not served`);
    ctx.type = TYPES[extname(file)] ?? 'application/octet-stream';
    ctx.body = body;
  });
  const app = new Koa<ApiState>();
  app.proxy = false;
  app.silent = true;
  app.use(requestContextMiddleware(deps.log));
  app.use(problemMiddleware());
  app.use(cubeMiddleware(deps.cube));
  app.use(routerMiddleware(router));
  return app;
}
