// GET /api/v1/<entity>/<id>/history: the record's audit trail, for readers of the record, with the values
// of fields hidden from the reader masked.
import Router from '@koa/router';
import type pg from 'pg';
import type { RecordReader } from '../data/record-reader.js';
import type { ModelRuntime } from '../data/entity-runtime.js';
import { EngineError } from '../shared/engine-error.js';
import { readAudit } from '../security/audit-log.js';
import type { ApiState } from './api-state.js';
import { parseRecordId } from './record-id.js';

export const MASK = '***';

export function historyRoutes(runtime: ModelRuntime, reader: RecordReader, pool: pg.Pool): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/v1', sensitive: true });
  for (const { entity } of runtime.entities.values()) {
    router.get(`/${entity.name}/:id/history`, async (ctx) => {
      const id = parseRecordId(ctx.params.id, entity.name);
      // The reader enforces the read permission and scope: no history for records the caller cannot see.
      await reader.get(entity.name, id, ctx.state.access, { fields: new Set(['id']), include: [] });
      const limitRaw = ctx.query.limit;
      const limit = typeof limitRaw === 'string' && /^\d{1,3}$/.test(limitRaw) ? Math.min(Math.max(Number(limitRaw), 1), 500) : 100;
      const before = typeof ctx.query.before === 'string' && /^\d{1,18}$/.test(ctx.query.before) ? ctx.query.before : undefined;
      if (ctx.query.before !== undefined && !before) throw new EngineError('query.invalid_parameter', 400, 'before must be an audit entry id');
      const rows = await readAudit(pool, entity.name, id, limit, before);
      const access = ctx.state.access;
      const data = rows.map((r) => ({
        ...r,
        changes: Object.fromEntries(Object.entries(r.changes).map(([field, change]) =>
          [field, access.field(entity.name, field) === 'hidden' ? { before: MASK, after: MASK } : change])),
      }));
      const last = rows[rows.length - 1];
      ctx.body = { data, meta: { limit, nextBefore: rows.length === limit && last ? last.id : null } };
    });
  }
  return router;
}
