// /api/v1/me/views: the caller's own list views — list (optionally of one entity), save the columns, sort and filter
// they see as a named view, delete one. A view is checked as the list would run it (fields the caller may see, a
// filter that compiles in their scope) before it is kept; another user's view answers as a missing one.
import Router from '@koa/router';
import { EngineError, type FieldError } from '../shared/engine-error.js';
import type { ModelRuntime } from '../data/entity-runtime.js';
import { scopedQuery } from '../data/scoped-query.js';
import type { SavedViews } from '../data/saved-views.js';
import type { OperatorRegistry } from '../rules/operator-registry.js';
import { SYSTEM_READ_COLUMNS } from '../metadata/system-columns.js';
import type { ApiState } from './api-state.js';
import { parseRecordId } from './record-id.js';

const NAME_MAX = 80;
const SORT = /^-?[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$/;
const SYSTEM = new Set(SYSTEM_READ_COLUMNS.map((c) => c.name));

export interface SavedViewDeps {
  readonly views: SavedViews;
  readonly operators: OperatorRegistry;
  runtime(): ModelRuntime;
}

function userOf(state: ApiState): string {
  const id = state.actor.id;
  if (id === null) throw new EngineError('auth.required', 401, 'sign in first');
  return id;
}

const invalid = (errors: FieldError[]) =>
  new EngineError('validation.failed', 422, errors.map((e) => `${e.pointer}: ${e.message}`).join('; '), { fieldErrors: errors });

interface ViewBody {
  entity: string;
  name: string;
  columns: string[];
  sort: string[];
  filter: unknown;
}

/** The body as a view the caller may keep: every problem with its pointer, then one 422. */
function checkBody(deps: SavedViewDeps, state: ApiState, body: unknown): ViewBody {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const errors: FieldError[] = [];
  const bad = (pointer: string, message: string) => errors.push({ pointer, code: 'validation.invalid', message });
  const runtime = deps.runtime();
  const rt = typeof b.entity === 'string' ? runtime.entities.get(b.entity) : undefined;
  if (!rt || !state.access.can(rt.entity.name, 'read')) {
    bad('/entity', 'must be an entity you may read');
    throw invalid(errors);
  }
  const e = rt.entity;
  const visible = (name: string) =>
    (SYSTEM.has(name) || e.fields.some((f) => f.name === name)) && state.access.field(e.name, name) !== 'hidden';
  const name = typeof b.name === 'string' ? b.name.trim() : '';
  if (name.length === 0 || name.length > NAME_MAX) bad('/name', `must be 1 to ${NAME_MAX} characters`);
  const columns = Array.isArray(b.columns) ? b.columns : [];
  if (columns.length === 0 || columns.length > 50) bad('/columns', 'must list 1 to 50 fields');
  columns.forEach((c, i) => {
    if (typeof c !== 'string' || !visible(c)) bad(`/columns/${i}`, `is not a field of ${e.name} you may see`);
  });
  const sort = b.sort === undefined ? [] : Array.isArray(b.sort) ? b.sort : [null];
  if (sort.length > 4) bad('/sort', 'at most 4 keys');
  sort.forEach((s, i) => {
    if (typeof s !== 'string' || !SORT.test(s) || !visible(s.replace(/^-/, '').split('.')[0] ?? ''))
      bad(`/sort/${i}`, `is not a field of ${e.name} you may sort by`);
  });
  const filter = b.filter ?? undefined;
  if (filter !== undefined) {
    try {
      scopedQuery(runtime, deps.operators, rt, state.access, 't', state.access.readScope, filter);
    } catch (err) {
      if (!(err instanceof EngineError)) throw err;
      const inner = err.fieldErrors.length ? err.fieldErrors : [{ pointer: '', code: err.code, message: err.detail }];
      errors.push(...inner.map((f) => ({ ...f, pointer: `/filter${f.pointer.replace(/^\/filter/, '')}` })));
    }
  }
  if (errors.length) throw invalid(errors);
  return { entity: e.name, name, columns: columns as string[], sort: sort as string[], filter };
}

export function savedViewRoutes(deps: SavedViewDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/v1/me/views' });
  router.get('/', async (ctx) => {
    const entity = typeof ctx.query.entity === 'string' ? ctx.query.entity : undefined;
    const views = await deps.views.list(userOf(ctx.state), entity);
    // A view of an entity the caller may no longer read is kept, but not offered.
    ctx.body = { data: views.filter((v) => deps.runtime().entities.has(v.entity) && ctx.state.access.can(v.entity, 'read')) };
  });
  router.post('/', async (ctx) => {
    const userId = userOf(ctx.state);
    const view = checkBody(deps, ctx.state, ctx.request.body);
    const saved = await deps.views.create(userId, view);
    if (!saved)
      throw new EngineError('saved_view.duplicate', 409, `you already have a view '${view.name}' of ${view.entity}`, {
        fieldErrors: [{ pointer: '/name', code: 'saved_view.duplicate', message: 'you already have a view of this name' }],
      });
    ctx.status = 201;
    ctx.body = { data: saved };
  });
  router.delete('/:id', async (ctx) => {
    const id = parseRecordId(ctx.params.id, 'saved view');
    if (!(await deps.views.remove(userOf(ctx.state), id)))
      throw new EngineError('record.not_found', 404, `saved view ${id} does not exist`);
    ctx.status = 204;
  });
  return router;
}
