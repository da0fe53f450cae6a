// GET /api/meta: the compiled Model as the UIs consume it; GET /api/openapi.json and /api/docs.
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import Router from '@koa/router';
import type { ModelRuntime } from '../data/entity-runtime.js';
import type { PublishedModel } from '../metadata/model-holder.js';
import type { ActionDef } from '../plugins/plugin-api.js';
import { buildEntityMeta } from './entity-meta.js';
import type { ApiState } from './api-state.js';
import type { Access } from '../security/access.js';
import { buildOpenApiDocument } from './openapi-document.js';

export interface MetaDeps {
  current(): { runtime: ModelRuntime; published: PublishedModel; openapi: Record<string, unknown> };
  readonly actions: ReadonlyMap<string, ActionDef>;
}


const SUPPORTED_LOCALES = ['en', 'zh-CN'];

function pickLocale(query: unknown, acceptLanguage: string): string {
  if (typeof query === 'string' && SUPPORTED_LOCALES.includes(query)) return query;
  return /^\s*zh/i.test(acceptLanguage) ? 'zh-CN' : 'en';
}

const require = createRequire(import.meta.url);
// The package's main module runs the whole browser bundle in Node; only its folder is needed here.
const SWAGGER_DIR = dirname(require.resolve('swagger-ui-dist/package.json'));
const DOCS_FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css', 'swagger-ui-bundle.js': 'application/javascript',
  'swagger-ui-standalone-preset.js': 'application/javascript', 'favicon-32x32.png': 'image/png',
};

// The viewer is public; the document it shows needs a token, which the page keeps in localStorage.
const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tessera API</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css"></head>
<body><form id="token" style="font:14px sans-serif;padding:8px 20px">
<label>Bearer token (from POST /api/auth/login): <input name="t" size="60" autocomplete="off"></label>
<button>Use token</button></form><div id="docs"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/docs-init.js"></script></body></html>`;
const DOCS_INIT = `const KEY = 'tessera.token';
document.getElementById('token').addEventListener('submit', (e) => {
  e.preventDefault();
  localStorage.setItem(KEY, new FormData(e.target).get('t'));
  location.reload();
});
window.ui = SwaggerUIBundle({
  url: '/api/openapi.json', dom_id: '#docs', deepLinking: true,
  requestInterceptor: (req) => {
    const token = localStorage.getItem(KEY);
    if (token) req.headers.Authorization = 'Bearer ' + token;
    return req;
  },
});`;

export function metaRoutes(deps: MetaDeps): Router<ApiState> {
  const router = new Router<ApiState>();
  router.get('/api/meta', (ctx) => {
    const { runtime, published } = deps.current();
    const locale = pickLocale(ctx.query.locale, ctx.get('accept-language'));
    const actions = [...deps.actions.values()];
    ctx.body = {
      version: published.version,
      hash: published.model.hash,
      locale,
      packs: published.model.packs.map((p) => ({ name: p.name, version: p.version, label: p.label[locale] ?? p.label.en })),
      entities: [...runtime.entities.values()]
        .filter((rt) => ctx.state.access.can(rt.entity.name, 'read'))
        .map((rt) => buildEntityMeta(rt, runtime, locale, actions.filter((a) => a.entity === rt.entity.name), ctx.state.access)),
    };
  });
  // Administrators get the whole document; everyone else what their access allows, built once per access.
  const perCaller = new WeakMap<Access, { runtime: ModelRuntime; doc: Record<string, unknown> }>();
  router.get('/api/openapi.json', (ctx) => {
    const current = deps.current();
    const access = ctx.state.access;
    if (access.isAdmin) {
      ctx.body = current.openapi;
      return;
    }
    let mine = perCaller.get(access);
    if (mine?.runtime !== current.runtime) {
      mine = { runtime: current.runtime, doc: buildOpenApiDocument(current.runtime, deps.actions, current.published.version, access) };
      perCaller.set(access, mine);
    }
    ctx.body = mine.doc;
  });
  router.get('/api/docs', (ctx) => {
    ctx.type = 'text/html';
    ctx.body = DOCS_PAGE;
  });
  router.get('/api/docs/:file', async (ctx) => {
    const file = basename(ctx.params.file ?? '');
    if (file === 'docs-init.js') {
      ctx.type = 'application/javascript';
      ctx.body = DOCS_INIT;
      return;
    }
    const type = DOCS_FILES[file];
    if (!type) return;
    ctx.type = type;
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = await readFile(join(SWAGGER_DIR, file));
  });
  return router;
}
