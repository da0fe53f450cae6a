// Reads records: get by id and lists with filter, sort, offset or keyset paging, fields and includes.
// Every statement carries the caller's record scope on every alias it touches.
import type pg from 'pg';
import { EngineError } from '../shared/engine-error.js';
import type { OperatorRegistry } from '../rules/operator-registry.js';
import { q } from '../sql/q.js';
import type { EntityRuntime, ModelRuntime } from './entity-runtime.js';
import { checkIncludes, loadIncludes, loadManyToManyIds } from './include-loader.js';
import { decodeCursor, encodeCursor, keysetCondition } from './keyset-cursor.js';
import type { ListOptions } from './list-options.js';
import { ListPlanCache } from './list-plan-cache.js';
import { planList, ROOT, type ListPlan } from './list-plan.js';
import { statement } from '../db/prepared-name.js';
import { withoutHelpers, type ApiRecord, type Row } from './record-codec.js';
import { liveAndScoped } from '../query/live-rows.js';
import type { Access } from '../security/access.js';
import { requestedFields, visibleFields } from './visible-fields.js';
import { requireAction } from './require-action.js';
import { SqlParams } from '../sql/sql-params.js';

export interface ReaderDeps {
  readonly pool: pg.Pool;
  readonly runtime: ModelRuntime;
  readonly operators: OperatorRegistry;
  /** The most rows a `capped` total counts; more are reported as `totalCapped`. */
  readonly countCap: number;
}

export interface ListResult {
  readonly data: ApiRecord[];
  readonly meta: { limit: number; offset?: number; nextCursor?: string | null; total?: number; totalCapped?: boolean };
}

export interface GetOptions {
  readonly fields?: ReadonlySet<string>;
  readonly include: readonly string[];
}

function checkFields(fields: ReadonlySet<string> | undefined, readable: ReadonlySet<string>, entity: string, access: Access): void {
  for (const f of fields ?? []) {
    if (!readable.has(f) || access.field(entity, f) === 'hidden') {
      throw new EngineError('query.unknown_field', 400, `'${f}' is not a field of ${entity}`, { fieldErrors: [{ pointer: '/fields', code: 'query.unknown_field', message: `unknown field '${f}'` }] });
    }
  }
}

export class RecordReader {
  private readonly plans = new ListPlanCache();

  constructor(private readonly deps: () => ReaderDeps) {}

  async get(entityName: string, id: string, access: Access, options: GetOptions): Promise<ApiRecord> {
    const { pool, runtime } = this.deps();
    const rt = runtime.entity(entityName);
    requireAction(access, entityName, 'read');
    checkFields(options.fields, rt.codec.readableFields, entityName, access);
    checkIncludes(rt.entity, options.include, access);
    const fields = visibleFields(rt, access, requestedFields(options.fields, options.include));
    const params = new SqlParams();
    const idParam = params.add(id);
    const text = `SELECT ${rt.codec.selectList(ROOT, fields).sql} FROM ${q(rt.entity.table)} ${ROOT} WHERE ${ROOT}.id = ${idParam} AND ${liveAndScoped(rt.entity, ROOT, params, access.readScope)}`;
    const res = await pool.query(statement(text, params.values));
    const record = res.rows[0] as ApiRecord | undefined;
    // Outside the scope and absent look the same: a 404 either way.
    if (!record) throw new EngineError('record.not_found', 404, `${entityName} ${id} does not exist`);
    await loadManyToManyIds({ pool, runtime, access }, rt.entity, [record], fields, options.include);
    await loadIncludes({ pool, runtime, access }, rt.entity, [record], options.include);
    return record;
  }

  /** A list for checked options; compiled for this call only. */
  async list(entityName: string, access: Access, options: ListOptions, action: 'read' | 'export' = 'read'): Promise<ListResult> {
    return this.run(this.plan(entityName, access, options, action), access, options.cursor);
  }

  /**
   * A list straight from a request's query string: a query string this caller sent before reuses its plan.
   * `parse` checks the query string when there is no plan yet. Pages after the first carry a cursor and
   * are compiled each time (cursors differ on every page).
   */
  async listByQuery(entityName: string, access: Access, queryString: string, parse: () => ListOptions): Promise<ListResult> {
    const { runtime } = this.deps();
    if (queryString.includes('cursor')) return this.list(entityName, access, parse());
    const key = `${entityName}?${queryString}`;
    let plan = this.plans.get(access, key, runtime);
    if (!plan) this.plans.set(access, key, (plan = this.plan(entityName, access, parse(), 'read')));
    return this.run(plan, access, undefined);
  }

  private plan(entityName: string, access: Access, options: ListOptions, action: 'read' | 'export'): ListPlan {
    const { runtime, operators } = this.deps();
    const rt: EntityRuntime = runtime.entity(entityName);
    requireAction(access, entityName, action);
    checkFields(options.fields, rt.codec.readableFields, entityName, access);
    checkIncludes(rt.entity, options.include, access);
    if (options.cursor && options.offset > 0) {
      throw new EngineError('query.cursor_and_offset', 400, 'use either cursor or offset, not both', { fieldErrors: [{ pointer: '/cursor', code: 'query.cursor_and_offset', message: 'cannot be combined with offset' }] });
    }
    return planList({ runtime, operators }, rt, access, options, action);
  }

  private async run(plan: ListPlan, access: Access, cursor: string | undefined): Promise<ListResult> {
    const { pool } = this.deps();
    const { rt, options, keys } = plan;
    let text: string;
    let values: readonly unknown[];
    if (cursor) {
      const params = new SqlParams(plan.params);
      text = `${plan.head} AND ${keysetCondition(keys, decodeCursor(cursor, rt.entity.name, plan.signature, keys), params)} ${plan.tail}`;
      values = params.values;
    } else {
      text = `${plan.head} ${plan.tail}`;
      values = plan.params;
    }
    if (plan.outer) text = `${plan.outer.before}${text}${plan.outer.after}`;
    const res = await pool.query(statement(text, values));
    const rows = res.rows as Row[];
    const hasMore = rows.length > options.limit;
    if (hasMore) rows.length = options.limit;
    const last = rows[rows.length - 1];
    // The cursor is read before includes replace relation ids with records.
    const nextCursor = hasMore && last ? encodeCursor(rt.entity.name, plan.signature, plan.keyProperties.map((p) => last[p])) : null;
    const data = plan.hasHelpers ? rows.map(withoutHelpers) : rows;
    await loadManyToManyIds({ pool, runtime: plan.runtime, access }, rt.entity, data, plan.fields, options.include);
    await loadIncludes({ pool, runtime: plan.runtime, access }, rt.entity, data, options.include);
    const meta: ListResult['meta'] = { limit: options.limit, ...(cursor ? {} : { offset: options.offset }), nextCursor };
    if (options.total === 'exact') {
      const count = await pool.query<{ total: string }>(plan.countText, plan.params as unknown[]);
      meta.total = Number(count.rows[0]?.total ?? 0);
    } else if (options.total === 'capped') {
      const { countCap } = this.deps();
      const text = `SELECT count(*) AS total FROM (${plan.matchText} LIMIT ${countCap + 1}) AS capped`;
      const count = Number((await pool.query<{ total: string }>(text, plan.params as unknown[])).rows[0]?.total ?? 0);
      meta.total = Math.min(count, countCap);
      if (count > countCap) meta.totalCapped = true;
    }
    return { data, meta };
  }
}
