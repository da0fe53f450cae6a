// GET /api/v1/<entity>/aggregate: counts and sums a screen needs (kanban totals, list footers), scoped like the list.
// Registered before the entity routes so that `aggregate` is never read as a record id.
import Router from '@koa/router';
import type { ModelRuntime } from '../data/entity-runtime.js';
import type { RecordAggregator } from '../data/record-aggregator.js';
import type { ApiState } from './api-state.js';
import { parseAggregateQuery } from './aggregate-query-params.js';

export function aggregateRoutes(runtime: ModelRuntime, aggregator: RecordAggregator): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/v1', sensitive: true });
  for (const name of runtime.entities.keys()) {
    router.get(`/${name}/aggregate`, async (ctx) => {
      const result = await aggregator.aggregate(name, ctx.state.access, parseAggregateQuery(ctx.query));
      ctx.body = result;
    });
  }
  return router;
}
