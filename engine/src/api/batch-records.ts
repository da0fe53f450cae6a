// POST /api/v1/<entity>/batch: one change (an update such as a state transition, or a delete) applied to each of the
// selected records in turn, each through the write pipeline in its own transaction (its rules, state machine, flows
// and scope), so one refusal does not undo the others. The answer lists every record's outcome: done, with its new
// version, or refused with the problem a single write would have answered. Called by entity.routes.ts.
import type { Context } from 'koa';
import { EngineError, type FieldError } from '../shared/engine-error.js';
import type { RecordReader } from '../data/record-reader.js';
import type { RecordWriter } from '../data/record-writer.js';
import type { ApiRecord } from '../data/record-codec.js';
import type { ApiState } from './api-state.js';
import { parseRecordId } from './record-id.js';

export const MAX_BATCH = 200;

type Outcome =
  | { id: string; ok: true; version: number | null }
  | { id: string; ok: false; status: number; code: string; detail: string; errors: FieldError[] };

interface BatchBody {
  ids: string[];
  action: 'update' | 'delete';
  changes?: ApiRecord;
}

function parseBody(body: unknown): BatchBody {
  const b = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  const errors: FieldError[] = [];
  const bad = (pointer: string, message: string) => errors.push({ pointer, code: 'validation.invalid', message });
  const ids = Array.isArray(b.ids) ? b.ids : [];
  if (ids.length === 0 || ids.length > MAX_BATCH) bad('/ids', `must list 1 to ${MAX_BATCH} record ids`);
  if (new Set(ids).size !== ids.length) bad('/ids', 'lists a record twice');
  if (b.action !== 'update' && b.action !== 'delete') bad('/action', "must be 'update' or 'delete'");
  const changes = b.changes;
  if (b.action === 'update' && (!changes || typeof changes !== 'object' || Array.isArray(changes) || Object.keys(changes).length === 0))
    bad('/changes', 'must be an object with the fields to change');
  if (b.action === 'delete' && changes !== undefined) bad('/changes', 'a delete takes no changes');
  if (errors.length)
    throw new EngineError('validation.failed', 422, errors.map((e) => `${e.pointer}: ${e.message}`).join('; '), { fieldErrors: errors });
  return { ids: ids as string[], action: b.action as BatchBody['action'], ...(changes ? { changes: changes as ApiRecord } : {}) };
}

export async function batchRecords(
  ctx: Context & { state: ApiState },
  deps: { reader: RecordReader; writer: RecordWriter },
  entity: string,
): Promise<void> {
  const { ids, action, changes } = parseBody((ctx.request as { body?: unknown }).body);
  const req = { entity, actor: ctx.state.actor, access: ctx.state.access, requestId: ctx.state.requestId };
  const results: Outcome[] = [];
  for (const raw of ids) {
    const id = typeof raw === 'string' ? raw : String(raw);
    try {
      const rid = parseRecordId(id, entity);
      // The change is meant for the records as the user sees them now: each write expects the version it reads.
      const current = await deps.reader.get(entity, rid, ctx.state.access, { fields: new Set(['version']), include: [] });
      const version = Number(current.version);
      const written =
        action === 'delete' ? await deps.writer.delete(req, rid, version) : await deps.writer.update(req, rid, changes ?? {}, version);
      results.push({ id: rid, ok: true, version: typeof written.version === 'number' ? written.version : null });
    } catch (err) {
      if (!(err instanceof EngineError)) throw err;
      results.push({ id, ok: false, status: err.status, code: err.code, detail: err.detail, errors: err.fieldErrors });
    }
  }
  const done = results.filter((r) => r.ok).length;
  ctx.status = 200;
  ctx.body = { data: results, meta: { done, refused: results.length - done } };
}
