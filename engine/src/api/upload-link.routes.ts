// Upload links and their review over HTTP (workflow/upload-links.ts). Users who may update a record issue and revoke
// links (/api/v1/<entity>/<id>/upload-links) and decide on what came in; users who may read it list the
// submissions, download them and comment (/api/v1/<entity>/<id>/submissions). The outside party, without a session,
// sends files and sees their outcome at /api/public/uploads/<token>, mounted before authentication.
import Router from '@koa/router';
import type { Context } from 'koa';
import type pg from 'pg';
import type { ModelRuntime } from '../data/entity-runtime.js';
import { requireRecordAccess } from '../data/record-in-scope.js';
import type { RecordAction } from '../security/access.js';
import type { BlobStore } from '../storage/blob-store.js';
import { receiveFile } from '../storage/receive-file.js';
import { EngineError } from '../shared/engine-error.js';
import type { UploadLinks } from '../workflow/upload-links.js';
import type { ApiState } from './api-state.js';
import { incomingFile } from './file.routes.js';
import { parseRecordId } from './record-id.js';
import { sendFile } from './send-file.js';

const HOUR_MS = 3_600_000;
const MAX_HOURS = 24 * 90;
const MAX_FILES = 100;

export interface UploadRouteDeps {
  readonly pool: pg.Pool;
  readonly links: UploadLinks;
  readonly blobs: BlobStore;
  /** The installation's limits: a link may lower the size, never raise it. */
  readonly limits: { readonly maxBytes: number; readonly types: readonly string[] };
  runtime(): ModelRuntime;
}

function invalid(pointer: string, message: string): EngineError {
  return new EngineError('validation.failed', 422, 'the request has problems', {
    fieldErrors: [{ pointer, code: 'validation.invalid', message }],
  });
}

function body(ctx: Context): Record<string, unknown> {
  const raw = (ctx.request as { body?: unknown }).body;
  if (raw === undefined) return {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new EngineError('request.invalid_body', 400, 'send a JSON object');
  return raw as Record<string, unknown>;
}

function wholeIn(value: unknown, fallback: number, min: number, max: number, pointer: string): number {
  const n = value ?? fallback;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) throw invalid(pointer, `a whole number from ${min} to ${max}`);
  return n;
}

export function uploadLinkRoutes(deps: UploadRouteDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/v1/:entity/:id' });
  const record = async (ctx: Context & { state: ApiState }, action: RecordAction) => {
    const entity = String(ctx.params.entity ?? '');
    const id = parseRecordId(ctx.params.id, entity);
    await requireRecordAccess(deps.pool, deps.runtime(), ctx.state.access, entity, id, action);
    if (!ctx.state.actor.id) throw new EngineError('access.denied', 403, 'sign in to review files');
    return { entity, id, userId: ctx.state.actor.id };
  };

  router.post('/upload-links', async (ctx) => {
    const { entity, id, userId } = await record(ctx, 'update');
    const b = body(ctx);
    const extra = Object.keys(b).find((k) => !['expiresInHours', 'maxFiles', 'maxBytes'].includes(k));
    if (extra) throw invalid(`/${extra}`, 'is not an option of an upload link');
    const hours = wholeIn(b.expiresInHours, 72, 1, MAX_HOURS, '/expiresInHours');
    const maxFiles = wholeIn(b.maxFiles, 5, 1, MAX_FILES, '/maxFiles');
    const maxBytes = wholeIn(b.maxBytes, deps.limits.maxBytes, 1, deps.limits.maxBytes, '/maxBytes');
    const expiresAt = new Date(Date.now() + hours * HOUR_MS);
    const issued = await deps.links.issue(entity, id, { expiresAt, maxFiles, maxBytes }, userId);
    ctx.status = 201;
    ctx.body = { data: { ...issued, expiresAt: expiresAt.toISOString(), maxFiles, maxBytes, path: `/api/public/uploads/${issued.token}` } };
  });

  router.get('/upload-links', async (ctx) => {
    const { entity, id } = await record(ctx, 'update');
    ctx.body = { data: await deps.links.list(entity, id) };
  });

  router.delete('/upload-links/:link', async (ctx) => {
    const { entity, id } = await record(ctx, 'update');
    await deps.links.revoke(entity, id, parseRecordId(ctx.params.link, 'upload link'));
    ctx.status = 204;
  });

  router.get('/submissions', async (ctx) => {
    const { entity, id } = await record(ctx, 'read');
    ctx.body = { data: await deps.links.ofRecord(entity, id) };
  });

  router.get('/submissions/:submission/content', async (ctx) => {
    const { entity, id } = await record(ctx, 'read');
    await sendFile(ctx, deps.blobs, await deps.links.get(entity, id, parseRecordId(ctx.params.submission, 'submission')));
  });

  router.post('/submissions/:submission/comments', async (ctx) => {
    const { entity, id, userId } = await record(ctx, 'read');
    const text = body(ctx).body;
    if (typeof text !== 'string' || text.trim() === '' || text.length > 4000) throw invalid('/body', 'a comment of 1 to 4000 characters');
    await deps.links.comment(entity, id, parseRecordId(ctx.params.submission, 'submission'), userId, text.trim());
    ctx.status = 201;
    ctx.body = { data: { commented: true } };
  });

  router.post('/submissions/:submission/decision', async (ctx) => {
    const { entity, id, userId } = await record(ctx, 'update');
    const b = body(ctx);
    if (b.decision !== 'approved' && b.decision !== 'rejected') throw invalid('/decision', "'approved' or 'rejected'");
    const note = b.note ?? null;
    if (note !== null && (typeof note !== 'string' || note.length > 4000)) throw invalid('/note', 'a note of up to 4000 characters');
    await deps.links.decide(entity, id, parseRecordId(ctx.params.submission, 'submission'), b.decision, note, userId);
    ctx.body = { data: { status: b.decision } };
  });
  return router;
}

/** The outside party's side: see the link's limits and their files' outcomes; send a file. No session. */
export function publicUploadRoutes(deps: UploadRouteDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/public/uploads' });
  router.get('/:token', async (ctx) => {
    const link = await deps.links.open(String(ctx.params.token));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      data: {
        expiresAt: link.expiresAt,
        maxFiles: link.maxFiles,
        maxBytes: link.maxBytes,
        remaining: link.remaining,
        files: await deps.links.ofLink(link.id),
      },
    };
  });
  router.post('/:token', async (ctx) => {
    const link = await deps.links.open(String(ctx.params.token));
    deps.links.requireRoom(link);
    const file = await receiveFile(deps.blobs, incomingFile(ctx), {
      maxBytes: Math.min(link.maxBytes, deps.limits.maxBytes),
      types: deps.limits.types,
    });
    ctx.status = 201;
    ctx.body = { data: await deps.links.submit(link, file, ctx.ip) };
  });
  return router;
}
