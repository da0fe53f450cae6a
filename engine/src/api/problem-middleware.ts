// Turns every error into RFC 9457 problem+json. Only EngineErrors say what went wrong; anything else
// is logged with its stack and answered with a bare 500 that leaks nothing.
import type { Middleware } from 'koa';
import { isEngineError } from '../shared/engine-error.js';
import type { ApiState } from './api-state.js';

const PROBLEM_BASE = 'https://tessera.dev/problems/';

interface HttpishError { status?: number; statusCode?: number; expose?: boolean; type?: string; message?: string }

/** Errors thrown by koa's own helpers and body parsers carry a 4xx status and a safe message. */
function clientError(err: unknown): { status: number; code: string; detail: string } | undefined {
  const e = err as HttpishError;
  const status = e?.status ?? e?.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  const code = status === 413 ? 'request.too_large' : status === 415 ? 'request.unsupported_media_type' : e.type === 'entity.parse.failed' ? 'request.malformed_json' : 'request.invalid';
  const detail = code === 'request.malformed_json' ? 'the request body is not valid JSON' : e.expose && e.message ? e.message : 'the request is invalid';
  return { status, code, detail };
}

export function problemMiddleware(): Middleware<ApiState> {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.type = 'application/problem+json';
        ctx.body = { type: PROBLEM_BASE + 'route.not_found', title: 'route.not_found', status: 404, detail: `no route for ${ctx.method} ${ctx.path}`, requestId: ctx.state.requestId };
      }
    } catch (err) {
      const known = isEngineError(err)
        ? { status: err.status, code: err.code, detail: err.detail }
        : clientError(err);
      if (!known || known.status >= 500) ctx.state.log.error({ err }, 'request failed');
      const { status, code, detail } = known ?? { status: 500, code: 'server.error', detail: 'an unexpected error occurred; it has been logged' };
      ctx.status = status;
      ctx.type = 'application/problem+json';
      ctx.body = {
        type: PROBLEM_BASE + code,
        title: code,
        status,
        detail,
        requestId: ctx.state.requestId,
        ...(isEngineError(err) && err.fieldErrors.length ? { errors: err.fieldErrors } : {}),
        ...(isEngineError(err) ? err.extra : {}),
      };
    }
  };
}
