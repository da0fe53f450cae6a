// The SQL of approval flows' runtime tables (approval-tables.ts): instances, tasks, history. Statements whose
// results nobody reads are deferred, so they travel with the transaction's next statement or its COMMIT.
import type { Transaction } from '../db/transaction.js';
import type { EntityRuntime } from '../data/entity-runtime.js';
import { q } from '../sql/q.js';
import type { SqlParams } from '../sql/sql-params.js';
import { DELEGATION_TABLE, HISTORY_TABLE, INSTANCE_TABLE, TASK_TABLE } from './approval-tables.js';

export type InstanceStatus = 'pending' | 'approved' | 'rejected' | 'withdrawn';

export interface InstanceRow {
  readonly id: string;
  readonly entity: string;
  readonly record_id: string;
  readonly flow_id: string;
  readonly flow_name: string;
  readonly status: InstanceStatus;
  readonly step_index: number | null;
  readonly step_name: string | null;
  readonly submitted_by: string | null;
}

/** An open task of the current step, and how the caller stands to it. */
export interface OpenTask {
  readonly id: string;
  readonly assignee: string;
  readonly delegated_from: string | null;
  readonly step_index: number;
  /** The caller is the assignee. */
  readonly mine: boolean;
  /** The assignee has a standing delegation to the caller today. */
  readonly delegated: boolean;
}

export interface HistoryEntry {
  readonly instanceId: string;
  readonly step?: string | null;
  readonly action: string;
  readonly actorId: string | null;
  readonly actorName: string;
  readonly delegatedFrom?: string | null;
  readonly comment?: string | null;
  readonly detail?: unknown;
}

const INSTANCE_COLUMNS = 'id, entity, record_id, flow_id, flow_name, status, step_index, step_name, submitted_by';

/** Standing delegations in force today from `assignee` to `delegate` (both SQL expressions). */
export const delegatedToday = (assignee: string, delegate: string): string =>
  `EXISTS (SELECT 1 FROM ${DELEGATION_TABLE} d WHERE d.user_id = ${assignee} AND d.delegate_id = ${delegate} AND current_date BETWEEN d.valid_from AND d.valid_until)`;

/**
 * The record's pending instance, locked for the rest of the transaction, with the open tasks of its current step and
 * how `caller` stands to each: the lock and the read travel in one round trip. The read is its own statement, so
 * after waiting for the lock it sees what the transaction it waited for committed.
 */
export async function lockPendingWithTasks(
  tx: Transaction,
  entity: string,
  recordId: string,
  caller: string | null,
): Promise<{ instance: InstanceRow; tasks: OpenTask[] } | undefined> {
  tx.defer(
    tx.statement(`SELECT 1 FROM ${INSTANCE_TABLE} WHERE entity = $1 AND record_id = $2 AND status = 'pending' FOR UPDATE`, [
      entity,
      recordId,
    ]),
  );
  const res = await tx.query<
    InstanceRow & { task_id: string | null; assignee: string; delegated_from: string | null; mine: boolean; delegated: boolean }
  >(
    tx.statement(
      `SELECT ${INSTANCE_COLUMNS.split(', ')
        .map((c) => `i.${c}`)
        .join(', ')}, k.id AS task_id, k.assignee, k.delegated_from,
              k.assignee = $3::uuid AS mine, ${delegatedToday('k.assignee', '$3::uuid')} AS delegated
         FROM ${INSTANCE_TABLE} i LEFT JOIN ${TASK_TABLE} k ON k.instance_id = i.id AND k.step_index = i.step_index AND k.status = 'open'
        WHERE i.entity = $1 AND i.record_id = $2 AND i.status = 'pending' ORDER BY k.id`,
      [entity, recordId, caller],
    ),
  );
  const first = res.rows[0];
  if (!first) return undefined;
  const instance: InstanceRow = {
    id: first.id,
    entity: first.entity,
    record_id: first.record_id,
    flow_id: first.flow_id,
    flow_name: first.flow_name,
    status: first.status,
    step_index: first.step_index,
    step_name: first.step_name,
    submitted_by: first.submitted_by,
  };
  const tasks = res.rows.flatMap((r): OpenTask[] =>
    r.task_id === null || r.step_index === null
      ? []
      : [
          {
            id: r.task_id,
            assignee: r.assignee,
            delegated_from: r.delegated_from,
            step_index: r.step_index,
            mine: r.mine,
            delegated: r.delegated,
          },
        ],
  );
  return { instance, tasks };
}

/** The record's pending instance, locked for the rest of the transaction. */
export async function lockPending(tx: Transaction, entity: string, recordId: string): Promise<InstanceRow | undefined> {
  const res = await tx.query<InstanceRow>(
    tx.statement(
      `SELECT ${INSTANCE_COLUMNS} FROM ${INSTANCE_TABLE} WHERE entity = $1 AND record_id = $2 AND status = 'pending' FOR UPDATE`,
      [entity, recordId],
    ),
  );
  return res.rows[0];
}

export async function lockInstance(tx: Transaction, id: string): Promise<InstanceRow | undefined> {
  const res = await tx.query<InstanceRow>(tx.statement(`SELECT ${INSTANCE_COLUMNS} FROM ${INSTANCE_TABLE} WHERE id = $1 FOR UPDATE`, [id]));
  return res.rows[0];
}

export async function insertInstance(tx: Transaction, row: Omit<InstanceRow, 'status' | 'step_index' | 'step_name'>): Promise<void> {
  await tx.query(
    tx.statement(
      `INSERT INTO ${INSTANCE_TABLE} (id, entity, record_id, flow_id, flow_name, status, submitted_by) VALUES ($1, $2, $3, $4, $5, 'pending', $6)`,
      [row.id, row.entity, row.record_id, row.flow_id, row.flow_name, row.submitted_by],
    ),
  );
}

export function setStep(tx: Transaction, instanceId: string, index: number, name: string): void {
  tx.defer(tx.statement(`UPDATE ${INSTANCE_TABLE} SET step_index = $2, step_name = $3 WHERE id = $1`, [instanceId, index, name]));
}

/** Ends the instance; its still-open tasks end with `taskStatus`. */
export function finishInstance(
  tx: Transaction,
  instanceId: string,
  status: Exclude<InstanceStatus, 'pending'>,
  taskStatus: 'skipped' | 'cancelled',
): void {
  tx.defer(tx.statement(`UPDATE ${TASK_TABLE} SET status = $2 WHERE instance_id = $1 AND status = 'open'`, [instanceId, taskStatus]));
  tx.defer(tx.statement(`UPDATE ${INSTANCE_TABLE} SET status = $2, decided_at = now() WHERE id = $1`, [instanceId, status]));
}

export function insertTasks(tx: Transaction, instanceId: string, stepIndex: number, stepName: string, userIds: readonly string[]): void {
  tx.defer(
    tx.statement(
      `INSERT INTO ${TASK_TABLE} (instance_id, step_index, step_name, assignee, status) SELECT $1, $2, $3, u, 'open' FROM unnest($4::uuid[]) u`,
      [instanceId, stepIndex, stepName, userIds],
    ),
  );
}

/** The open tasks of the instance's current step, with how `caller` stands to each. */
export async function openTasks(tx: Transaction, instance: InstanceRow, caller: string | null): Promise<OpenTask[]> {
  const res = await tx.query<OpenTask>(
    tx.statement(
      `SELECT t.id, t.assignee, t.delegated_from, t.step_index, t.assignee = $3::uuid AS mine, ${delegatedToday('t.assignee', '$3::uuid')} AS delegated
         FROM ${TASK_TABLE} t WHERE t.instance_id = $1 AND t.step_index = $2 AND t.status = 'open' ORDER BY t.id`,
      [instance.id, instance.step_index, caller],
    ),
  );
  return res.rows;
}

export function decideTask(
  tx: Transaction,
  taskId: string,
  status: 'approved' | 'rejected',
  by: string | null,
  comment: string | null,
): void {
  tx.defer(
    tx.statement(`UPDATE ${TASK_TABLE} SET status = $2, decided_by = $3, decided_at = now(), comment = $4 WHERE id = $1`, [
      taskId,
      status,
      by,
      comment,
    ]),
  );
}

/** Hands an open task to another user (delegation, reassignment); `delegatedFrom` is kept on the task. */
export function moveTask(tx: Transaction, taskId: string, to: string, delegatedFrom: string | null): void {
  tx.defer(tx.statement(`UPDATE ${TASK_TABLE} SET assignee = $2, delegated_from = $3 WHERE id = $1`, [taskId, to, delegatedFrom]));
}

export function endTasks(tx: Transaction, taskIds: readonly string[], status: 'skipped' | 'escalated'): void {
  if (taskIds.length === 0) return;
  tx.defer(tx.statement(`UPDATE ${TASK_TABLE} SET status = $2 WHERE id = ANY($1::bigint[])`, [taskIds, status]));
}

export function recordHistory(tx: Transaction, e: HistoryEntry): void {
  tx.defer(
    tx.statement(
      `INSERT INTO ${HISTORY_TABLE} (instance_id, step_name, action, actor_id, actor_name, delegated_from, comment, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
      [
        e.instanceId,
        e.step ?? null,
        e.action,
        e.actorId,
        e.actorName,
        e.delegatedFrom ?? null,
        e.comment ?? null,
        e.detail === undefined ? null : JSON.stringify(e.detail),
      ],
    ),
  );
}

/** One row of SQL columns over the stored record `t` ($1 is its id). */
export async function readRow(
  tx: Transaction,
  rt: EntityRuntime,
  columns: readonly string[],
  params: SqlParams,
): Promise<Record<string, unknown>> {
  const res = await tx.query(tx.statement(`SELECT ${columns.join(', ')} FROM ${q(rt.entity.table)} t WHERE t.id = $1`, params.values));
  return (res.rows[0] ?? {}) as Record<string, unknown>;
}

/** Each condition (SQL over the stored row `t`) judged on the record in one statement. */
export async function judge(tx: Transaction, rt: EntityRuntime, id: string, conditions: readonly string[]): Promise<boolean[]> {
  if (conditions.length === 0) return [];
  if (conditions.every((c) => c === 'TRUE')) return conditions.map(() => true);
  const res = await tx.query(
    tx.statement(`SELECT ${conditions.map((c, i) => `(${c}) AS c${i}`).join(', ')} FROM ${q(rt.entity.table)} t WHERE t.id = $1`, [id]),
  );
  const row = (res.rows[0] ?? {}) as Record<string, unknown>;
  return conditions.map((_, i) => row[`c${i}`] === true);
}
