// GET /api/v1/search?q=: global search for the top bar. For every entity the caller may read, the records whose
// search fields (those not hidden from the caller) hold every part of the text — Chinese by characters and pairs,
// other words by prefix (search/search-terms.ts) — within the caller's record scope, best matches first, a few per
// entity. Reads the search index (search/search-index.ts), never the tables' text.
import Router from '@koa/router';
import type pg from 'pg';
import type { ModelRuntime } from '../data/entity-runtime.js';
import type { EntityDef } from '../metadata/model.js';
import { liveAndScoped } from '../query/live-rows.js';
import type { Access } from '../security/access.js';
import { searchFieldsOf } from '../search/search-fields.js';
import { SEARCH_TABLE } from '../search/search-index.js';
import { searchQuery } from '../search/search-terms.js';
import { EngineError } from '../shared/engine-error.js';
import { q } from '../sql/q.js';
import { SqlParams } from '../sql/sql-params.js';
import { localized } from '../workflow/user-locales.js';
import type { ApiState } from './api-state.js';
import { pickLocale } from './pick-locale.js';

export const SEARCH_TEXT_MAX = 200;
export const SEARCH_LIMIT_MAX = 20;
const DEFAULT_LIMIT = 5;

export interface SearchDeps {
  readonly pool: pg.Pool;
  runtime(): ModelRuntime;
}

interface Hit {
  readonly id: string;
  readonly title: string | null;
}

function limitOf(raw: unknown): number {
  if (raw === undefined) return DEFAULT_LIMIT;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > SEARCH_LIMIT_MAX)
    throw new EngineError('search.bad_limit', 400, `limit must be a whole number from 1 to ${SEARCH_LIMIT_MAX}`);
  return n;
}

async function searchEntity(pool: pg.Pool, entity: EntityDef, access: Access, tsquery: string, limit: number): Promise<Hit[]> {
  const fields = searchFieldsOf(entity).filter((f) => access.field(entity.name, f.field) !== 'hidden');
  if (fields.length === 0) return [];
  const title = entity.fields.find((f) => f.name === entity.titleField && f.columns.length === 1);
  const titleColumn = title?.columns[0];
  const titleSql = titleColumn && access.field(entity.name, title.name) !== 'hidden' ? `t.${q(titleColumn.name)}::text` : 'NULL::text';
  const params = new SqlParams();
  const query = params.add(tsquery, 'tsquery');
  const where = [
    `s.entity = ${params.add(entity.name)}`,
    `s.field = ANY(${params.add(
      fields.map((f) => f.field),
      'text[]',
    )})`,
    `s.terms @@ ${query}`,
    liveAndScoped(entity, 't', params, access.readScope),
  ];
  const { rows } = await pool.query<{ id: string; title: string | null }>(
    `SELECT t.id::text AS id, ${titleSql} AS title, max(ts_rank(s.terms, ${query})) AS rank
       FROM ${SEARCH_TABLE} s JOIN ${q(entity.table)} t ON t.id = s.record_id
      WHERE ${where.join(' AND ')}
      GROUP BY t.id ORDER BY rank DESC, t.id LIMIT ${limit}`,
    params.values,
  );
  return rows.map((r) => ({ id: r.id, title: r.title }));
}

export function searchRoutes(deps: SearchDeps): Router<ApiState> {
  const router = new Router<ApiState>();
  router.get('/api/v1/search', async (ctx) => {
    if (ctx.state.actor.id === null) throw new EngineError('auth.required', 401, 'sign in first');
    const text = typeof ctx.query.q === 'string' ? ctx.query.q : '';
    if (text.length > SEARCH_TEXT_MAX)
      throw new EngineError('search.too_long', 400, `search text is limited to ${SEARCH_TEXT_MAX} characters`);
    const limit = limitOf(ctx.query.limit);
    const only = typeof ctx.query.entities === 'string' ? new Set(ctx.query.entities.split(',')) : undefined;
    const tsquery = searchQuery(text);
    const locale = pickLocale(ctx.query.locale, ctx.get('accept-language'));
    const access = ctx.state.access;
    const entities = deps
      .runtime()
      .model.entities.filter((e) => (!only || only.has(e.name)) && access.can(e.name, 'read') && searchFieldsOf(e).length > 0);
    const found = tsquery ? await Promise.all(entities.map((e) => searchEntity(deps.pool, e, access, tsquery, limit))) : [];
    ctx.body = {
      data: entities
        .map((e, i) => ({ entity: e.name, label: localized(e.pluralLabel, locale), records: found[i] ?? [] }))
        .filter((group) => group.records.length > 0),
    };
  });
  return router;
}
