// Turns every error into RFC 9457 problem+json. Only EngineErrors say what went wrong; anything else
// is logged with its stack and answered with a bare 500 that leaks nothing.
import type { Middleware } from 'koa';
import { isEngineError } from '../shared/engine-error.js';
import type { ApiState } from './api-state.js';
import { PluginRejection } from '../plugins/plugin-api.js';

const PROBLEM_BASE = 'https://tessera.dev/problems/';

interface HttpishError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  type?: string;
  message?: string;
}

/** Errors thrown by koa's own helpers and body parsers carry a 4xx status and a safe message. */
function clientError(err: unknown): { status: number; code: string; detail: string } | undefined {
  const e = err as HttpishError;
  const status = e?.status ?? e?.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  // co-body reports unparsable JSON as a SyntaxError (or a strict-mode Error) with status 400.
  const malformed = e.type === 'entity.parse.failed' || (status === 400 && (err instanceof SyntaxError || /JSON/i.test(e.message ?? '')));
  const code =
    status === 413
      ? 'request.too_large'
      : status === 415
        ? 'request.unsupported_media_type'
        : malformed
          ? 'request.malformed_json'
          : 'request.invalid';
  const detail =
    code === 'request.malformed_json'
      ? 'the request body is not a valid JSON object or array'
      : code === 'request.too_large'
        ? 'the request body is larger than this server accepts'
        : e.expose && e.message
          ? e.message
          : 'the request is invalid';
  return { status, code, detail };
}

export function problemMiddleware(): Middleware<ApiState> {
  return async (ctx, next) => {
    try {
      await next();
      // Koa and the router answer unmatched paths and methods with plain text; say it as problem+json.
      if (ctx.status >= 400 && (ctx.body === undefined || ctx.body === null || typeof ctx.body === 'string')) {
        const status = ctx.status;
        const code =
          status === 404
            ? 'route.not_found'
            : status === 405
              ? 'route.method_not_allowed'
              : status === 501
                ? 'route.not_implemented'
                : 'request.invalid';
        const detail =
          status === 404
            ? `no route for ${ctx.method} ${ctx.path}`
            : status === 405
              ? `${ctx.method} is not allowed here (allowed: ${ctx.response.get('Allow') || 'none'})`
              : 'the request cannot be served';
        ctx.status = status;
        ctx.type = 'application/problem+json';
        ctx.body = { type: PROBLEM_BASE + code, title: code, status, detail, requestId: ctx.state.requestId };
      }
    } catch (err) {
      const rejection = err instanceof PluginRejection ? err : undefined;
      const known = isEngineError(err)
        ? { status: err.status, code: err.code, detail: err.detail }
        : rejection
          ? { status: rejection.status, code: rejection.code, detail: rejection.detail }
          : clientError(err);
      if (!known || known.status >= 500) ctx.state.log.error({ err }, 'request failed');
      const { status, code, detail } = known ?? {
        status: 500,
        code: 'server.error',
        detail: 'an unexpected error occurred; it has been logged',
      };
      ctx.status = status;
      ctx.type = 'application/problem+json';
      ctx.body = {
        type: PROBLEM_BASE + code,
        title: code,
        status,
        detail,
        requestId: ctx.state.requestId,
        ...(isEngineError(err) && err.fieldErrors.length ? { errors: err.fieldErrors } : {}),
        ...(rejection ? { errors: [{ pointer: rejection.pointer, code: rejection.code, message: rejection.detail }] } : {}),
        ...(isEngineError(err) ? err.extra : {}),
      };
    }
  };
}
