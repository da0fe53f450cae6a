// Files over HTTP: a record's `file` fields and its attachments. Uploads are the raw request body (any
// Content-Type; the name in `?name=`), streamed into the blob store with the size and type limits of the config;
// downloads stream back. The caller must be able to update the record to upload and read it to download; a record
// outside their scope is a 404 either way. Mounted after authentication by engine.ts.
import Router from '@koa/router';
import type pg from 'pg';
import type { Context } from 'koa';
import type { ModelRuntime } from '../data/entity-runtime.js';
import type { Attachments } from '../data/attachments.js';
import { requireRecordAccess } from '../data/record-in-scope.js';
import type { RecordReader } from '../data/record-reader.js';
import type { RecordWriter } from '../data/record-writer.js';
import type { FileRef } from '../metadata/file-field-kind.js';
import type { BlobStore } from '../storage/blob-store.js';
import { receiveFile, type UploadLimits } from '../storage/receive-file.js';
import { EngineError } from '../shared/engine-error.js';
import type { ApiState } from './api-state.js';
import { parseRecordId } from './record-id.js';
import { sendFile } from './send-file.js';

export interface FileRouteDeps {
  readonly pool: pg.Pool;
  readonly blobs: BlobStore;
  readonly reader: RecordReader;
  readonly writer: RecordWriter;
  readonly attachments: Attachments;
  readonly limits: UploadLimits;
  runtime(): ModelRuntime;
}

/** The request body as an incoming file (shared with the public upload links). */
export function incomingFile(ctx: Context): Parameters<typeof receiveFile>[1] {
  const name = typeof ctx.query.name === 'string' ? ctx.query.name : undefined;
  const length = ctx.request.length;
  return { body: ctx.req, name, contentType: ctx.get('content-type') || undefined, length: Number.isFinite(length) ? length : undefined };
}

/** Files are added and removed by signed-in users (the system actor has no id to record). */
function userOf(state: ApiState): string {
  if (!state.actor.id) throw new EngineError('access.denied', 403, 'sign in to change files');
  return state.actor.id;
}

function fileField(runtime: ModelRuntime, entity: string, field: string): void {
  const def = runtime.entity(entity).entity.fields.find((f) => f.name === field);
  if (!def || def.kind !== 'file') throw new EngineError('file.unknown_field', 404, `${entity} has no file field '${field}'`);
}

export function fileRoutes(deps: FileRouteDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/v1' });
  const target = (ctx: Context) => {
    const entity = String(ctx.params.entity ?? '');
    deps.runtime().entity(entity);
    return { entity, id: parseRecordId(ctx.params.id, entity) };
  };

  // Upload into a file field: stored, then written to the record through the write pipeline as the caller.
  router.put('/:entity/:id/files/:field', async (ctx) => {
    const { entity, id } = target(ctx);
    const field = String(ctx.params.field);
    fileField(deps.runtime(), entity, field);
    await requireRecordAccess(deps.pool, deps.runtime(), ctx.state.access, entity, id, 'update');
    if (ctx.state.access.field(entity, field) !== 'write')
      throw new EngineError('access.denied', 403, `you may not change ${entity}.${field}`);
    const file = await receiveFile(deps.blobs, incomingFile(ctx), deps.limits);
    const req = { entity, actor: ctx.state.actor, access: ctx.state.access, requestId: ctx.state.requestId, filesVouched: true };
    const record = await deps.writer.transaction((scope) => deps.writer.updateIn(scope, req, id, { [field]: file }));
    ctx.body = { data: { file, version: record.version } };
  });

  router.get('/:entity/:id/files/:field', async (ctx) => {
    const { entity, id } = target(ctx);
    const field = String(ctx.params.field);
    fileField(deps.runtime(), entity, field);
    const record = await deps.reader.get(entity, id, ctx.state.access, { fields: new Set([field]), include: [] });
    const file = record[field] as FileRef | null | undefined;
    if (!file) throw new EngineError('file.empty', 404, `${entity} ${id} has no ${field}`);
    await sendFile(ctx, deps.blobs, file);
  });

  router.post('/:entity/:id/attachments', async (ctx) => {
    const { entity, id } = target(ctx);
    await requireRecordAccess(deps.pool, deps.runtime(), ctx.state.access, entity, id, 'update');
    const file = await receiveFile(deps.blobs, incomingFile(ctx), deps.limits);
    ctx.status = 201;
    ctx.body = { data: await deps.attachments.add(entity, id, file, userOf(ctx.state)) };
  });

  router.get('/:entity/:id/attachments', async (ctx) => {
    const { entity, id } = target(ctx);
    await requireRecordAccess(deps.pool, deps.runtime(), ctx.state.access, entity, id, 'read');
    ctx.body = { data: await deps.attachments.list(entity, id) };
  });

  router.get('/:entity/:id/attachments/:attachment/content', async (ctx) => {
    const { entity, id } = target(ctx);
    await requireRecordAccess(deps.pool, deps.runtime(), ctx.state.access, entity, id, 'read');
    const attachmentId = parseRecordId(ctx.params.attachment, 'attachment');
    await sendFile(ctx, deps.blobs, await deps.attachments.get(entity, id, attachmentId));
  });

  router.delete('/:entity/:id/attachments/:attachment', async (ctx) => {
    const { entity, id } = target(ctx);
    await requireRecordAccess(deps.pool, deps.runtime(), ctx.state.access, entity, id, 'update');
    await deps.attachments.remove(entity, id, parseRecordId(ctx.params.attachment, 'attachment'), userOf(ctx.state));
    ctx.status = 204;
  });
  return router;
}
