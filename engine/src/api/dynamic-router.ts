// Serves whichever router was built for the current Model; publishing a Model swaps it without a restart.
import type Router from '@koa/router';
import type { Middleware } from 'koa';
import type { ApiState } from './api-state.js';
import { routerMiddleware } from './create-app.js';

export class DynamicRouter {
  private current: Middleware<ApiState>;

  constructor(initial: Router<ApiState>) {
    this.current = routerMiddleware(initial);
  }

  replace(router: Router<ApiState>): void {
    this.current = routerMiddleware(router);
  }

  middleware(): Middleware<ApiState> {
    return (ctx, next) => this.current(ctx, next);
  }
}
