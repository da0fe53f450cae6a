// Refuses JSON bodies nested deeper than any record, action input or admin body needs, before a route walks them:
// a body thousands of levels deep would otherwise exhaust a recursive walk (ajv, JSON.stringify) further on.
import type { Middleware } from 'koa';
import { EngineError } from '../shared/engine-error.js';
import { nestsDeeperThan } from '../shared/storable-text.js';
import type { ApiState } from './api-state.js';

const MAX_BODY_DEPTH = 64;

export function bodyDepthMiddleware(): Middleware<ApiState> {
  return async (ctx, next) => {
    if (nestsDeeperThan((ctx.request as { body?: unknown }).body, MAX_BODY_DEPTH)) {
      throw new EngineError('request.too_deep', 400, `the request body nests arrays and objects more than ${MAX_BODY_DEPTH} levels deep`);
    }
    await next();
  };
}
