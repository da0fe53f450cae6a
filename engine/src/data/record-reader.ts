// Reads records: get by id and lists with filter, sort, offset or keyset paging, fields and includes.
// Every statement carries the caller's record scope on every alias it touches.
import type pg from 'pg';
import { EngineError } from '../shared/engine-error.js';
import type { OperatorRegistry } from '../rules/operator-registry.js';
import { q } from '../schema/ddl.js';
import type { ModelRuntime } from './entity-runtime.js';
import { compileFilter } from './filter-sql.js';
import { checkIncludes, loadIncludes, loadManyToManyIds } from './include-loader.js';
import { decodeCursor, encodeCursor, keysetCondition } from './keyset-cursor.js';
import type { ListOptions } from './list-options.js';
import { AliasCounter, PathResolver } from '../query/path-resolver.js';
import { preparedName } from '../db/prepared-name.js';
import type { ApiRecord, Row } from './record-codec.js';
import { liveAndScoped } from '../query/live-rows.js';
import type { Access } from '../security/access.js';
import { visibleFields } from './visible-fields.js';
import { requireAction } from './require-action.js';
import { buildSortKeys, orderBySql, sortSignature } from './sort-keys.js';
import { SqlParams } from '../query/sql-params.js';

export interface ReaderDeps {
  readonly pool: pg.Pool;
  readonly runtime: ModelRuntime;
  readonly operators: OperatorRegistry;
  /**
   * Name hot statements so PostgreSQL plans them once per connection. Not on the embedded database:
   * PGlite serves every connection from one session, where a second PREPARE of a name fails.
   */
  readonly namedStatements: boolean;
}

export interface ListResult {
  readonly data: ApiRecord[];
  readonly meta: { limit: number; offset?: number; nextCursor?: string | null; total?: number };
}

export interface GetOptions {
  readonly fields?: ReadonlySet<string>;
  readonly include: readonly string[];
}

const ROOT = 't0';

function checkFields(fields: ReadonlySet<string> | undefined, readable: ReadonlySet<string>, entity: string, access: Access): void {
  for (const f of fields ?? []) {
    if (!readable.has(f) || access.field(entity, f) === 'hidden') {
      throw new EngineError('query.unknown_field', 400, `'${f}' is not a field of ${entity}`, { fieldErrors: [{ pointer: '/fields', code: 'query.unknown_field', message: `unknown field '${f}'` }] });
    }
  }
}

export class RecordReader {
  constructor(private readonly deps: () => ReaderDeps) {}

  async get(entityName: string, id: string, access: Access, options: GetOptions): Promise<ApiRecord> {
    const { pool, runtime, namedStatements } = this.deps();
    const rt = runtime.entity(entityName);
    requireAction(access, entityName, 'read');
    checkFields(options.fields, rt.codec.readableFields, entityName, access);
    checkIncludes(rt.entity, options.include, access);
    const fields = visibleFields(rt, access, withIncluded(options.fields, options.include));
    const scope = access.readScope;
    const params = new SqlParams();
    const idParam = params.add(id);
    const cols = rt.codec.columnsFor(fields).map((c) => `${ROOT}.${q(c)}`).join(', ');
    const text = `SELECT ${cols} FROM ${q(rt.entity.table)} ${ROOT} WHERE ${ROOT}.id = ${idParam} AND ${liveAndScoped(rt.entity, ROOT, params, scope)}`;
    const res = await pool.query({ ...(namedStatements ? { name: preparedName(text) } : {}), text, values: params.values });
    const row = res.rows[0] as Row | undefined;
    // Outside the scope and absent look the same: a 404 either way.
    if (!row) throw new EngineError('record.not_found', 404, `${entityName} ${id} does not exist`);
    const record = rt.codec.toRecord(row, fields);
    await loadManyToManyIds({ pool, runtime, access }, rt.entity, [record], fields, options.include);
    await loadIncludes({ pool, runtime, access }, rt.entity, [record], options.include);
    return record;
  }

  async list(entityName: string, access: Access, options: ListOptions, action: 'read' | 'export' = 'read'): Promise<ListResult> {
    const { pool, runtime, operators, namedStatements } = this.deps();
    const rt = runtime.entity(entityName);
    requireAction(access, entityName, action);
    checkFields(options.fields, rt.codec.readableFields, entityName, access);
    checkIncludes(rt.entity, options.include, access);
    const scope = access.scopeFor(action);
    if (options.cursor && options.offset > 0) {
      throw new EngineError('query.cursor_and_offset', 400, 'use either cursor or offset, not both', { fieldErrors: [{ pointer: '/cursor', code: 'query.cursor_and_offset', message: 'cannot be combined with offset' }] });
    }
    const params = new SqlParams();
    const joins: string[] = [];
    const resolver = new PathResolver({
      model: runtime.model, kinds: runtime.kinds, operatorsFor: runtime.operatorsFor, entity: rt.entity, alias: ROOT, params,
      readScope: access.readScope, isHidden: (e, f) => access.field(e, f) === 'hidden',
      aliases: new AliasCounter(), joins, joinAliases: new Map(),
    });
    const where = [liveAndScoped(rt.entity, ROOT, params, scope)];
    if (options.filter !== undefined) where.push(`(${compileFilter(options.filter, resolver, params, operators)})`);
    const keys = buildSortKeys(options.sort, resolver, ROOT);
    const signature = sortSignature(options.sort);
    // The count ignores the page position, so it is built before the keyset condition is added.
    const countWhere = [...where];
    const countParams = params.values.length;
    if (options.cursor) where.push(keysetCondition(keys, decodeCursor(options.cursor, signature, keys), params));
    const fields = visibleFields(rt, access, withIncluded(options.fields, options.include));
    const cols = rt.codec.columnsFor(fields).map((c) => `${ROOT}.${q(c)}`);
    const keyCols = keys.map((k, i) => `${k.sql} AS "__k${i}"`);
    const from = `${q(rt.entity.table)} ${ROOT}${joins.length ? ' ' + joins.join(' ') : ''}`;
    const text = `SELECT ${[...cols, ...keyCols].join(', ')} FROM ${from} WHERE ${where.join(' AND ')} ORDER BY ${orderBySql(keys)} LIMIT ${options.limit + 1}${options.offset ? ` OFFSET ${options.offset}` : ''}`;
    const res = await pool.query({ ...(namedStatements ? { name: preparedName(text) } : {}), text, values: params.values });
    const rows = res.rows as Row[];
    const hasMore = rows.length > options.limit;
    const page = hasMore ? rows.slice(0, options.limit) : rows;
    const data = page.map((row) => rt.codec.toRecord(row, fields));
    await loadManyToManyIds({ pool, runtime, access }, rt.entity, data, fields, options.include);
    await loadIncludes({ pool, runtime, access }, rt.entity, data, options.include);
    const last = page[page.length - 1];
    const meta: ListResult['meta'] = {
      limit: options.limit,
      ...(options.cursor ? {} : { offset: options.offset }),
      nextCursor: hasMore && last ? encodeCursor(signature, keys.map((_, i) => last[`__k${i}`])) : null,
    };
    if (options.total) {
      const countText = `SELECT count(*) AS total FROM ${from} WHERE ${countWhere.join(' AND ')}`;
      const count = await pool.query<{ total: string }>(countText, params.values.slice(0, countParams));
      meta.total = Number(count.rows[0]?.total ?? 0);
    }
    return { data, meta };
  }
}

/** Included relations must be read even when `fields` leaves them out. */
function withIncluded(fields: ReadonlySet<string> | undefined, include: readonly string[]): ReadonlySet<string> | undefined {
  if (!fields) return undefined;
  return new Set([...fields, ...include]);
}
