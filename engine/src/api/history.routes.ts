// GET /api/v1/<entity>/<id>/history: the record's audit trail, for readers of the record, with the values
// of fields hidden from the reader masked.
import Router from '@koa/router';
import type pg from 'pg';
import type { RecordReader } from '../data/record-reader.js';
import type { ModelRuntime } from '../data/entity-runtime.js';
import { EngineError } from '../shared/engine-error.js';
import { readAudit, type AuditRow } from '../security/audit-log.js';
import type { Access } from '../security/access.js';
import type { EntityDef } from '../metadata/model.js';
import { SqlParams } from '../sql/sql-params.js';
import { q } from '../sql/q.js';
import type { ApiState } from './api-state.js';
import { parseRecordId } from './record-id.js';

export const MASK = '***';

/** Per manyToMany field, the linked ids in these audit rows that the reader may see. */
async function visibleLinkedIds(
  pool: pg.Pool,
  runtime: ModelRuntime,
  entity: EntityDef,
  rows: readonly AuditRow[],
  access: Access,
): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (const field of entity.fields) {
    if (!field.junction || !field.target) continue;
    const ids = new Set<string>();
    for (const r of rows) {
      const c = r.changes[field.name];
      for (const v of [c?.before, c?.after]) if (Array.isArray(v)) for (const x of v) if (typeof x === 'string') ids.add(x);
    }
    if (ids.size === 0) continue;
    const target = runtime.entity(field.target).entity;
    const params = new SqlParams();
    const list = params.add(
      [...ids].filter((x) => /^[0-9a-f-]{36}$/i.test(x)),
      'uuid[]',
    );
    const scope = access.readScope(target, 'r', params);
    const res = await pool.query<{ id: string }>(
      `SELECT r.id FROM ${q(target.table)} r WHERE r.id = ANY(${list})${scope ? ` AND (${scope})` : ''}`,
      params.values,
    );
    out.set(field.name, new Set(res.rows.map((x) => x.id)));
  }
  return out;
}

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
      if (ctx.query.before !== undefined && !before)
        throw new EngineError('query.invalid_parameter', 400, 'before must be an audit entry id');
      const rows = await readAudit(pool, entity.name, id, limit, before);
      const access = ctx.state.access;
      const visibleLinks = await visibleLinkedIds(pool, runtime, entity, rows, access);
      const data = rows.map((r) => ({
        ...r,
        changes: Object.fromEntries(
          Object.entries(r.changes).map(([field, change]) => {
            if (access.field(entity.name, field) === 'hidden') return [field, { before: MASK, after: MASK }];
            const shown = visibleLinks.get(field);
            if (!shown) return [field, change];
            const keep = (v: unknown) => (Array.isArray(v) ? v.filter((x) => shown.has(x as string)) : v);
            return [
              field,
              {
                ...(change.before !== undefined ? { before: keep(change.before) } : {}),
                ...(change.after !== undefined ? { after: keep(change.after) } : {}),
              },
            ];
          }),
        ),
      }));
      const last = rows[rows.length - 1];
      ctx.body = { data, meta: { limit, nextBefore: rows.length === limit && last ? last.id : null } };
    });
  }
  return router;
}
