// Builds the Koa application: request context and problem+json first, then the given middleware in order.
import Koa from 'koa';
import type Router from '@koa/router';
import type { Logger } from '../shared/logger.js';
import type { ApiState } from './api-state.js';
import { problemMiddleware } from './problem-middleware.js';
import { requestContextMiddleware } from './request-context-middleware.js';

export function routerMiddleware(router: Router<ApiState>): Koa.Middleware<ApiState> {
  const routes = router.routes() as unknown as Koa.Middleware<ApiState>;
  const allowed = router.allowedMethods() as unknown as Koa.Middleware<ApiState>;
  return (ctx, next) => routes(ctx, () => allowed(ctx, next));
}

export function createApp(log: Logger, middleware: ReadonlyArray<Koa.Middleware<ApiState>>): Koa<ApiState> {
  const app = new Koa<ApiState>();
  app.proxy = false;
  app.silent = true;
  app.use(requestContextMiddleware(log));
  app.use(problemMiddleware());
  for (const m of middleware) app.use(m);
  return app;
}
