// Serves the built runtime UI (runtime-ui/dist) at `/`: files as they are, and index.html for any other path that
// is not the API's, so client routes (/e/<entity>/<id>) survive a reload. Public: the app signs in by itself.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Middleware } from 'koa';
import type { ApiState } from './api-state.js';

/** The runtime UI's sources and its build (engine/src/cli/ensure-ui-build.ts writes it). */
export const UI_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../runtime-ui');
export const UI_DIST = join(UI_DIR, 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const NOT_BUILT = `<!doctype html><html><head><meta charset="utf-8"><title>Tessera</title></head>
<body style="font:15px sans-serif;padding:40px"><h1>The runtime UI is not built</h1>
<p><code>npm start</code> builds it; or run <code>npx vite build --config runtime-ui/vite.config.ts</code>. The API is at <a href="/api/docs">/api/docs</a>.</p></body></html>`;

export function uiMiddleware(distDir = UI_DIST): Middleware<ApiState> {
  const root = normalize(distDir + sep);
  return async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || ctx.path === '/api' || ctx.path.startsWith('/api/')) return next();
    let path: string;
    try {
      path = normalize(join(root, decodeURIComponent(ctx.path)));
    } catch {
      return next();
    }
    if (!path.startsWith(root)) return next();
    const isFile = existsSync(path) && statSync(path).isFile();
    // A missing asset is a 404, not the app: a stale tab asking for an old bundle must not get HTML as JavaScript.
    if (!isFile && (extname(ctx.path) !== '' || ctx.path.startsWith('/assets/'))) {
      ctx.status = 404;
      ctx.type = 'text/plain';
      ctx.body = 'Not found';
      return;
    }
    const file = isFile ? path : join(root, 'index.html');
    if (!existsSync(file)) {
      ctx.status = 503;
      ctx.type = 'text/html';
      ctx.body = NOT_BUILT;
      return;
    }
    ctx.type = TYPES[extname(file)] ?? 'application/octet-stream';
    // Bundles carry a content hash in their names; index.html must always be asked for again.
    ctx.set('Cache-Control', file.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    ctx.body = createReadStream(file);
  };
}
