// GET /api/docs: the interactive API documentation viewer (swagger-ui). Public: the page asks for a token and
// sends it when it reads /api/openapi.json, which is not public.
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import Router from '@koa/router';
import type { ApiState } from './api-state.js';

const require = createRequire(import.meta.url);
// The package's main module runs the whole browser bundle in Node; only its folder is needed here.
const SWAGGER_DIR = dirname(require.resolve('swagger-ui-dist/package.json'));
const DOCS_FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css',
  'swagger-ui-bundle.js': 'application/javascript',
  'swagger-ui-standalone-preset.js': 'application/javascript',
  'favicon-32x32.png': 'image/png',
};

// The document the viewer shows needs a token, which the page keeps in localStorage.
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

export function docsRoutes(): Router<ApiState> {
  const router = new Router<ApiState>();
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
