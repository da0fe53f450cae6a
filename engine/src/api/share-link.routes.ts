// Share links over HTTP (workflow/share-links.ts). Signed-in users who may update a record issue, list and revoke
// links to one of its file fields and read each link's access log under /api/v1/<entity>/<id>/share-links. Whoever
// holds a link reads the file's name and size and downloads it at /api/public/shares/<token>, mounted before
// authentication: it answers about that one file and nothing else.
import Router from '@koa/router';
import type { Context } from 'koa';
import type pg from 'pg';
import type { ModelRuntime } from '../data/entity-runtime.js';
import { requireRecordAccess } from '../data/record-in-scope.js';
import type { BlobStore } from '../storage/blob-store.js';
import { EngineError } from '../shared/engine-error.js';
import type { ShareLinks, Visitor } from '../workflow/share-links.js';
import type { ApiState } from './api-state.js';
import { parseRecordId } from './record-id.js';
import { sendFile } from './send-file.js';

const HOUR_MS = 3_600_000;
const MAX_HOURS = 24 * 366;

export interface ShareRouteDeps {
  readonly pool: pg.Pool;
  readonly links: ShareLinks;
  readonly blobs: BlobStore;
  runtime(): ModelRuntime;
}

export function visitorOf(ctx: Context): Visitor {
  return { address: ctx.ip, userAgent: ctx.get('user-agent') };
}

function invalid(pointer: string, message: string): EngineError {
  return new EngineError('validation.failed', 422, 'the link request has problems', {
    fieldErrors: [{ pointer, code: 'validation.invalid', message }],
  });
}

function readBody(ctx: Context): Record<string, unknown> {
  const body = (ctx.request as { body?: unknown }).body;
  if (body === undefined) return {};
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new EngineError('request.invalid_body', 400, 'send a JSON object');
  return body as Record<string, unknown>;
}

/** Issue, list, revoke, and read the log: for users who may update the record. */
export function shareLinkRoutes(deps: ShareRouteDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/v1/:entity/:id/share-links' });
  const record = async (ctx: Context & { state: ApiState }) => {
    const entity = String(ctx.params.entity ?? '');
    const id = parseRecordId(ctx.params.id, entity);
    await requireRecordAccess(deps.pool, deps.runtime(), ctx.state.access, entity, id, 'update');
    if (!ctx.state.actor.id) throw new EngineError('access.denied', 403, 'sign in to share files');
    return { entity, id, userId: ctx.state.actor.id };
  };

  router.post('/', async (ctx) => {
    const { entity, id, userId } = await record(ctx);
    const body = readBody(ctx);
    const field = body.field;
    const def = deps
      .runtime()
      .entity(entity)
      .entity.fields.find((f) => f.name === field && f.kind === 'file');
    if (typeof field !== 'string' || !def || ctx.state.access.field(entity, field) === 'hidden') {
      throw invalid('/field', `name one of the ${entity}'s file fields`);
    }
    const hours = body.expiresInHours ?? 168;
    if (typeof hours !== 'number' || !Number.isInteger(hours) || hours < 1 || hours > MAX_HOURS) {
      throw invalid('/expiresInHours', `a whole number of hours from 1 to ${MAX_HOURS}`);
    }
    const password = body.password;
    if (password !== undefined && (typeof password !== 'string' || password.length < 6 || password.length > 200)) {
      throw invalid('/password', 'a password of 6 to 200 characters');
    }
    if (body.once !== undefined && typeof body.once !== 'boolean') throw invalid('/once', 'true or false');
    const extra = Object.keys(body).filter((k) => !['field', 'expiresInHours', 'password', 'once'].includes(k));
    if (extra.length) throw invalid(`/${extra[0]}`, 'is not an option of a share link');
    const expiresAt = new Date(Date.now() + hours * HOUR_MS);
    const issued = await deps.links.issue(
      entity,
      id,
      { field, expiresAt, once: body.once === true, ...(password ? { password } : {}) },
      userId,
    );
    ctx.status = 201;
    ctx.body = { data: { ...issued, expiresAt: expiresAt.toISOString(), path: `/api/public/shares/${issued.token}` } };
  });

  router.get('/', async (ctx) => {
    const { entity, id } = await record(ctx);
    ctx.body = { data: await deps.links.list(entity, id) };
  });

  router.delete('/:link', async (ctx) => {
    const { entity, id, userId } = await record(ctx);
    await deps.links.revoke(entity, id, parseRecordId(ctx.params.link, 'share link'), userId);
    ctx.status = 204;
  });

  router.get('/:link/accesses', async (ctx) => {
    const { entity, id } = await record(ctx);
    ctx.body = { data: await deps.links.accesses(entity, id, parseRecordId(ctx.params.link, 'share link')) };
  });
  return router;
}

/** What a link holder may do: see the file's name and size, and download it. No session. */
export function publicShareRoutes(deps: ShareRouteDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/public/shares' });
  // Headers carry Latin-1 only: the password travels percent-encoded as UTF-8 (a literal % as %25).
  const password = (ctx: Context) => {
    const raw = ctx.get('x-share-password');
    if (!raw) return undefined;
    try {
      return decodeURIComponent(raw);
    } catch {
      // Not percent-encoding: tried as sent, so a wrong one is refused and logged like any other.
      return raw;
    }
  };
  router.get('/:token', async (ctx) => {
    const file = await deps.links.open(String(ctx.params.token), password(ctx), visitorOf(ctx), false);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { data: { name: file.name, size: file.size, contentType: file.contentType, sha256: file.sha256 } };
  });
  router.get('/:token/content', async (ctx) => {
    const file = await deps.links.open(String(ctx.params.token), password(ctx), visitorOf(ctx), true);
    await sendFile(ctx, deps.blobs, file);
  });
  return router;
}
