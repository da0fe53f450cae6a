// The generic REST API: the same routes for every entity of the Model, rebuilt when a Model is published.
import Router from '@koa/router';
import type { Context } from 'koa';
import { EngineError } from '../shared/engine-error.js';
import type { ModelRuntime } from '../data/entity-runtime.js';
import type { RecordReader } from '../data/record-reader.js';
import type { RecordWriter, WriteRequest } from '../data/record-writer.js';
import type { ApiRecord } from '../data/record-codec.js';
import type { ApiState } from './api-state.js';
import { parseGetQuery, parseListQuery } from './list-query-params.js';
import { readExpectedVersion } from './version-precondition.js';
import { parseRecordId } from './record-id.js';
import { exportRecords } from './export-records.js';
import { batchRecords } from './batch-records.js';
import { importRecords, importTemplate, type ImportDeps } from './import-records.js';

export interface EntityRouteDeps {
  readonly reader: RecordReader;
  readonly writer: RecordWriter;
  readonly imports: ImportDeps;
}

/** Bulk create takes at most this many records per request. */
export const MAX_BULK = 1000;

type Ctx = Context & { state: ApiState; params: Record<string, string> };

function recordId(ctx: Ctx, entity: string): string {
  return parseRecordId(ctx.params.id, entity);
}

function objectBody(ctx: Ctx): ApiRecord {
  if (!ctx.is('application/json')) {
    throw new EngineError('request.unsupported_media_type', 415, 'send the body as application/json');
  }
  const body = (ctx.request as { body?: unknown }).body;
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new EngineError('request.invalid_body', 400, 'the body must be a JSON object', {
      fieldErrors: [{ pointer: '', code: 'validation.type', message: 'must be a JSON object' }],
    });
  }
  return body as ApiRecord;
}

function writeRequest(ctx: Ctx, entity: string): WriteRequest {
  return { entity, actor: ctx.state.actor, access: ctx.state.access, requestId: ctx.state.requestId };
}

function respond(ctx: Ctx, status: number, data: unknown, meta: Record<string, unknown> = {}): void {
  ctx.status = status;
  ctx.body = { data, meta };
  const version = (data as { version?: unknown } | null)?.version;
  if (typeof version === 'number') ctx.set('ETag', `"${version}"`);
}

export function entityRoutes(runtime: ModelRuntime, deps: EntityRouteDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/v1', sensitive: true });
  for (const { entity } of runtime.entities.values()) {
    const name = entity.name;
    const base = `/${name}`;
    router.get(base, async (ctx) => {
      const result = await deps.reader.listByQuery(name, ctx.state.access, ctx.querystring, () => parseListQuery(ctx.query));
      respond(ctx as Ctx, 200, result.data, result.meta);
    });
    router.post(base, async (ctx) => {
      const record = await deps.writer.create(writeRequest(ctx as Ctx, name), objectBody(ctx as Ctx));
      ctx.set('Location', `/api/v1/${name}/${String(record.id)}`);
      respond(ctx as Ctx, 201, record);
    });
    router.post(`${base}/bulk`, async (ctx) => {
      const body = objectBody(ctx as Ctx);
      const items = body.data;
      if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BULK) {
        throw new EngineError('request.invalid_body', 400, `the body must be { "data": [ ...1 to ${MAX_BULK} records ] }`, {
          fieldErrors: [{ pointer: '/data', code: 'validation.type', message: `must be an array of 1 to ${MAX_BULK} records` }],
        });
      }
      const bad = items.findIndex((x) => x === null || typeof x !== 'object' || Array.isArray(x));
      if (bad >= 0)
        throw new EngineError('validation.failed', 422, 'every item must be a JSON object', {
          fieldErrors: [{ pointer: `/data/${bad}`, code: 'validation.type', message: 'must be a JSON object' }],
        });
      const records = await deps.writer.bulkCreate(writeRequest(ctx as Ctx, name), items as ApiRecord[]);
      respond(ctx as Ctx, 201, records, { count: records.length });
    });
    router.post(`${base}/batch`, (ctx) => batchRecords(ctx as Ctx, deps, name));
    router.get(`${base}/export`, (ctx) => exportRecords(ctx as Ctx, deps.reader, name));
    router.post(`${base}/import`, (ctx) => importRecords(ctx as Ctx, deps.imports, name));
    router.get(`${base}/import-template`, (ctx) => importTemplate(ctx as Ctx, deps.imports, name));
    router.get(`${base}/:id`, async (ctx) => {
      const id = recordId(ctx as Ctx, name);
      respond(ctx as Ctx, 200, await deps.reader.get(name, id, ctx.state.access, parseGetQuery(ctx.query)));
    });
    router.patch(`${base}/:id`, async (ctx) => {
      const id = recordId(ctx as Ctx, name);
      const body = objectBody(ctx as Ctx);
      const version = readExpectedVersion(ctx.get('if-match'), body, true) as number;
      respond(ctx as Ctx, 200, await deps.writer.update(writeRequest(ctx as Ctx, name), id, body, version));
    });
    router.delete(`${base}/:id`, async (ctx) => {
      const id = recordId(ctx as Ctx, name);
      if (ctx.query.hard !== undefined && ctx.query.hard !== 'false') {
        throw new EngineError(
          'record.hard_delete_forbidden',
          403,
          'hard delete is reserved for administrators and not available through this API yet',
        );
      }
      const version = readExpectedVersion(ctx.get('if-match'), undefined, false);
      const record = await deps.writer.delete(writeRequest(ctx as Ctx, name), id, version);
      respond(ctx as Ctx, 200, { id: record.id, version: record.version, deleted: true });
    });
    // The recycle bin: a soft-deleted record comes back for whoever may delete it.
    router.post(`${base}/:id/restore`, async (ctx) => {
      const id = recordId(ctx as Ctx, name);
      const version = readExpectedVersion(ctx.get('if-match'), undefined, false);
      respond(ctx as Ctx, 200, await deps.writer.restore(writeRequest(ctx as Ctx, name), id, version));
    });
  }
  return router;
}
