// What approval flows show: a record's approval (its current instance with the tasks, and the history of every
// submission) and a user's inbox (open tasks waiting for them directly or through a standing delegation, with each
// record's title). Reads only. Called by api/approval.routes.ts.
import type pg from 'pg';
import type { ModelRuntime } from '../data/entity-runtime.js';
import { liveAndScoped } from '../query/live-rows.js';
import type { Access } from '../security/access.js';
import type { CoreSchema } from '../security/core-schema.js';
import { EngineError } from '../shared/engine-error.js';
import { q } from '../sql/q.js';
import { SqlParams } from '../sql/sql-params.js';
import { delegatedToday } from './approval-store.js';
import { HISTORY_TABLE, INSTANCE_TABLE, TASK_TABLE } from './approval-tables.js';

export interface ViewDeps {
  readonly pool: pg.Pool;
  readonly runtime: ModelRuntime;
  readonly core: CoreSchema;
}

/** A record's approval: readers of the record see it, and so does anyone who has (or had) a task on it, or acts for one today. */
export async function readApproval(deps: ViewDeps, entity: string, id: string, userId: string | null, access: Access) {
  const rt = deps.runtime.entity(entity);
  const params = new SqlParams([id, entity, userId]);
  const seen = await deps.pool.query<{ readable: boolean; involved: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM ${q(rt.entity.table)} t WHERE t.id = $1 AND ${liveAndScoped(rt.entity, 't', params, access.readScope)}) AS readable,
            EXISTS (SELECT 1 FROM ${TASK_TABLE} k JOIN ${INSTANCE_TABLE} i ON i.id = k.instance_id
                     WHERE i.entity = $2 AND i.record_id = $1
                       AND (k.assignee = $3::uuid OR k.delegated_from = $3::uuid OR ${delegatedToday('k.assignee', '$3::uuid')})) AS involved`,
    params.values,
  );
  if (!seen.rows[0]?.readable && !seen.rows[0]?.involved) throw new EngineError('record.not_found', 404, `${entity} ${id} does not exist`);
  const users = q(deps.core.user.table);
  // One snapshot for the three reads: an escalation or a decision committing between them would otherwise show tasks
  // of one moment next to history of another.
  const { instances, tasks, history } = await inOneSnapshot(deps.pool, async (db) => {
    const instances = await db.query<Record<string, unknown> & { id: string; status: string }>(
      `SELECT i.id, i.flow_name AS flow, i.status, i.step_name AS step, i.submitted_by AS "submittedBy", s.username AS "submittedByName",
              i.submitted_at AS "submittedAt", i.decided_at AS "decidedAt"
         FROM ${INSTANCE_TABLE} i LEFT JOIN ${users} s ON s.id = i.submitted_by
        WHERE i.entity = $1 AND i.record_id = $2 ORDER BY i.submitted_at, i.id`,
      [entity, id],
    );
    const ids = instances.rows.map((r) => r.id);
    const tasks = await db.query<Record<string, unknown> & { instanceId: string }>(
      `SELECT k.instance_id AS "instanceId", k.step_name AS step, k.assignee, a.username AS "assigneeName", k.delegated_from AS "delegatedFrom",
              k.status, k.decided_by AS "decidedBy", k.decided_at AS "decidedAt", k.comment
         FROM ${TASK_TABLE} k LEFT JOIN ${users} a ON a.id = k.assignee WHERE k.instance_id = ANY($1::uuid[]) ORDER BY k.id`,
      [ids],
    );
    const history = await db.query(
      `SELECT h.instance_id AS "instanceId", i.flow_name AS flow, h.step_name AS step, h.action, h.actor_id AS "actorId", h.actor_name AS "actorName",
              h.delegated_from AS "delegatedFrom", h.comment, h.detail, h.at
         FROM ${HISTORY_TABLE} h JOIN ${INSTANCE_TABLE} i ON i.id = h.instance_id WHERE h.instance_id = ANY($1::uuid[]) ORDER BY h.id`,
      [ids],
    );
    return { instances, tasks, history };
  });
  const last = instances.rows[instances.rows.length - 1];
  return {
    status: last?.status ?? 'none',
    instance: last ? { ...last, tasks: tasks.rows.filter((t) => t.instanceId === last.id).map(({ instanceId: _i, ...t }) => t) } : null,
    submissions: instances.rows,
    history: history.rows,
  };
}

/** The open tasks waiting for `userId`: theirs, and those of users whose standing delegation names them today. */
export async function readInbox(deps: ViewDeps, userId: string) {
  const res = await deps.pool.query<{
    taskId: string;
    entity: string;
    recordId: string;
    flow: string;
    step: string;
    assignedAt: string;
    assignee: string;
    delegatedFrom: string | null;
    via: string;
  }>(
    `SELECT k.id AS "taskId", i.entity, i.record_id AS "recordId", i.flow_name AS flow, k.step_name AS step, k.created_at AS "assignedAt",
            k.assignee, k.delegated_from AS "delegatedFrom", CASE WHEN k.assignee = $1 THEN 'direct' ELSE 'delegation' END AS via
       FROM ${TASK_TABLE} k JOIN ${INSTANCE_TABLE} i ON i.id = k.instance_id
      WHERE k.status = 'open' AND i.status = 'pending' AND (k.assignee = $1 OR ${delegatedToday('k.assignee', '$1::uuid')})
      ORDER BY k.created_at, k.id`,
    [userId],
  );
  const byEntity = new Map<string, string[]>();
  for (const r of res.rows) byEntity.set(r.entity, [...(byEntity.get(r.entity) ?? []), r.recordId]);
  const titles = new Map<string, unknown>();
  for (const [name, ids] of byEntity) {
    const entity = deps.runtime.entities.get(name)?.entity;
    const column = entity?.titleField ? entity.fields.find((f) => f.name === entity.titleField)?.columns[0]?.name : undefined;
    if (!entity || !column) continue;
    const rows = await deps.pool.query<{ id: string; title: unknown }>(
      `SELECT id, ${q(column)} AS title FROM ${q(entity.table)} WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    for (const r of rows.rows) titles.set(`${name}:${r.id}`, r.title);
  }
  return res.rows.map((r) => ({ ...r, title: titles.get(`${r.entity}:${r.recordId}`) ?? null }));
}

/** Runs `fn`'s reads on one connection in one repeatable-read snapshot. */
async function inOneSnapshot<T>(pool: pg.Pool, fn: (db: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
