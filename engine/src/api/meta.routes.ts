// GET /api/meta: the compiled Model as the UIs consume it; GET /api/openapi.json, as the caller may use it.
import Router from '@koa/router';
import type { ModelRuntime } from '../data/entity-runtime.js';
import type { PublishedModel } from '../metadata/model-holder.js';
import type { ActionDef } from '../plugins/plugin-api.js';
import { buildEntityMeta } from './entity-meta.js';
import type { ApiState } from './api-state.js';
import { pickLocale } from './pick-locale.js';
import type { Access } from '../security/access.js';
import { buildOpenApiDocument } from './openapi-document.js';
import { appsMeta } from './ui-meta.js';

export interface MetaDeps {
  current(): { runtime: ModelRuntime; published: PublishedModel; openapi: Record<string, unknown> };
  readonly actions: ReadonlyMap<string, ActionDef>;
  /** The reports the caller may run (with BI on). */
  reports?(state: ApiState, locale: string): unknown[];
  /** The dashboards' widgets the caller may run (with BI on). */
  dashboards?(state: ApiState, locale: string): unknown[];
}

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
      apps: appsMeta(published.model, ctx.state.access, locale),
      entities: [...runtime.entities.values()]
        .filter((rt) => ctx.state.access.can(rt.entity.name, 'read'))
        .map((rt) =>
          buildEntityMeta(
            rt,
            runtime,
            locale,
            actions.filter((a) => a.entity === rt.entity.name),
            ctx.state.access,
          ),
        ),
      ...(deps.reports ? { reports: deps.reports(ctx.state, locale) } : {}),
      ...(deps.dashboards ? { dashboards: deps.dashboards(ctx.state, locale) } : {}),
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
  return router;
}
