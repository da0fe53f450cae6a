// Routes of entities with assignment rules, rebuilt with every Model: the pool actions
// (POST /api/v1/<entity>/<id>/actions/release|claim), the assignment history
// (GET /api/v1/<entity>/<id>/assignments, for readers of the record) and the administrators' stale-record return
// (POST /api/admin/assignment/<entity>/pool-return; `tessera pool-return <entity>` does the same).
import Router from '@koa/router';
import type pg from 'pg';
import type { ModelRuntime } from '../data/entity-runtime.js';
import type { RecordReader } from '../data/record-reader.js';
import { claimRecord, releaseRecord, returnStaleToPool, type PoolRequest } from '../data/assignment-pool.js';
import { readAssignmentHistory } from '../data/assignment-tables.js';
import { resolveCoreSchema } from '../security/core-schema.js';
import { EngineError } from '../shared/engine-error.js';
import { q } from '../sql/q.js';
import type { ApiState } from './api-state.js';
import { parseRecordId } from './record-id.js';

export interface AssignmentRouteDeps {
  readonly reader: RecordReader;
  readonly pool: pg.Pool;
}

function poolRequest(state: ApiState, entity: string): PoolRequest {
  return { entity, actor: state.actor, access: state.access, requestId: state.requestId };
}

export function assignmentRoutes(runtime: ModelRuntime, deps: AssignmentRouteDeps): Router<ApiState> {
  const router = new Router<ApiState>({ sensitive: true });
  const poolDeps = { pool: deps.pool, runtime };
  const core = resolveCoreSchema(runtime.model);
  const username = core.user.fields.find((f) => f.name === 'username')?.columns[0]?.name ?? 'username';
  for (const { entity } of runtime.entities.values()) {
    if (!entity.assignment) continue;
    const name = entity.name;
    for (const [action, run] of [
      ['release', releaseRecord],
      ['claim', claimRecord],
    ] as const) {
      router.post(`/api/v1/${name}/:id/actions/${action}`, async (ctx) => {
        const id = parseRecordId(ctx.params.id, name);
        ctx.body = { data: await run(poolDeps, poolRequest(ctx.state, name), id), meta: { action } };
      });
    }
    router.get(`/api/v1/${name}/:id/assignments`, async (ctx) => {
      const id = parseRecordId(ctx.params.id, name);
      // The reader enforces the read permission and scope: no history for records the caller cannot see.
      await deps.reader.get(name, id, ctx.state.access, { fields: new Set(['id']), include: [] });
      const rows = await readAssignmentHistory(deps.pool, name, id, 500);
      // Like the audit history, each row names the users it moved the record between, readable by the caller or not.
      const ids = [...new Set(rows.flatMap((r) => [r.from_user, r.to_user]).filter((u): u is string => u !== null))];
      const names = new Map<string, string>();
      if (ids.length) {
        const res = await deps.pool.query<{ id: string; username: string }>(
          `SELECT u.id::text AS id, u.${q(username)} AS username FROM ${q(core.user.table)} u WHERE u.id = ANY($1::uuid[])`,
          [ids],
        );
        for (const r of res.rows) names.set(r.id, r.username);
      }
      const user = (uid: string | null) => (uid === null ? null : { id: uid, username: names.get(uid) ?? null });
      ctx.body = {
        data: rows.map((r) => ({
          id: r.id,
          at: r.at,
          reason: r.reason,
          from: user(r.from_user),
          to: user(r.to_user),
          rule: r.rule_id === null ? null : { id: r.rule_id, name: r.rule_name },
          actor: { id: r.actor_id, name: r.actor_name },
          requestId: r.request_id,
        })),
        meta: { count: rows.length },
      };
    });
    router.post(`/api/admin/assignment/${name}/pool-return`, async (ctx) => {
      if (!ctx.state.access.isAdmin)
        throw new EngineError('access.admin_required', 403, 'only administrators may return records to the pool');
      const returned = await returnStaleToPool(deps.pool, entity, {
        actorId: ctx.state.actor.id,
        actorName: ctx.state.actor.username,
        requestId: ctx.state.requestId,
      });
      ctx.body = { data: { entity: name, returned }, meta: {} };
    });
  }
  return router;
}
