// GET /api/v1/<entity>/<id>/overviews/<name>: a record and the records about it (overview.schema.json) in one
// read. Every part goes through the caller's access: the record itself (outside the scope: 404), each section's
// list and totals (scoped like any list; a section of an entity the caller may not read is left out), hidden
// fields stripped. Rebuilt with the entity routes when a Model is published.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { RecordAggregator } from '../data/record-aggregator.js';
import type { ModelRuntime } from '../data/entity-runtime.js';
import type { RecordReader } from '../data/record-reader.js';
import { MAX_INCLUDES } from '../data/list-options.js';
import type { OverviewDef, OverviewSectionDef } from '../metadata/ui-model.js';
import type { Access } from '../security/access.js';
import type { ApiState } from './api-state.js';
import { parseRecordId } from './record-id.js';

export interface OverviewRouteDeps {
  readonly reader: RecordReader;
  readonly aggregator: RecordAggregator;
}

type Ctx = Context & { state: ApiState; params: Record<string, string> };

async function readSection(runtime: ModelRuntime, deps: OverviewRouteDeps, access: Access, s: OverviewSectionDef, id: string) {
  const entity = runtime.entity(s.entity).entity;
  const shown = s.columns.filter((c) => access.field(entity.name, c) !== 'hidden');
  const linked = { '==': [{ var: s.via }, id] };
  const filter = s.filter === undefined ? linked : { and: [linked, s.filter] };
  // Related records come with their titles, as in lists.
  const include = shown
    .filter((c) => entity.fields.some((f) => f.name === c && f.target && f.cardinality !== 'manyToMany'))
    .slice(0, MAX_INCLUDES);
  const list = await deps.reader.list(entity.name, access, {
    filter,
    sort: s.sort.map((k) => ({ path: k.replace(/^-/, ''), descending: k.startsWith('-') })),
    limit: s.limit,
    offset: 0,
    fields: new Set(shown),
    include,
    total: 'exact',
  });
  const summed = s.totals.filter((t) => access.field(entity.name, t) !== 'hidden');
  const totals: Record<string, string | number | boolean | null> = {};
  if (summed.length > 0) {
    const agg = await deps.aggregator.aggregate(entity.name, access, {
      groupBy: [],
      measures: summed.map((path) => ({ fn: 'sum', path })),
      filter,
      limit: 1,
    });
    const row = agg.data[0] ?? {};
    summed.forEach((t, i) => {
      const key = agg.meta.measures[i];
      totals[t] = key === undefined ? null : (row[key] ?? null);
    });
  }
  return { entity: entity.name, records: list.data, count: list.meta.total ?? list.data.length, totals };
}

export function overviewRoutes(runtime: ModelRuntime, deps: OverviewRouteDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/v1', sensitive: true });
  const overviews: readonly OverviewDef[] = runtime.model.ui?.overviews ?? [];
  for (const o of overviews) {
    router.get(`/${o.entity}/:id/overviews/${o.name}`, async (ctx: Ctx) => {
      const id = parseRecordId(ctx.params.id, o.entity);
      const { access } = ctx.state;
      const record = await deps.reader.get(o.entity, id, access, { include: [] });
      const sections: Record<string, Awaited<ReturnType<typeof readSection>>> = {};
      for (const s of o.sections) {
        if (!access.can(s.entity, 'read')) continue;
        sections[s.name] = await readSection(runtime, deps, access, s, id);
      }
      ctx.body = { data: { record, sections }, meta: { overview: o.name } };
    });
  }
  return router;
}
