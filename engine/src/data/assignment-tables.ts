// The engine's assignment tables: each rule's round-robin cursor, and the history of every change of a record's
// assignee with its reason. Fixed by the engine's version, not by a pack, so they are ensured at start-up
// (engine.ts) and by `tessera pool-return`, idempotently. Written in the same transaction as the change.
import type { Knex } from 'knex';
import type pg from 'pg';
import type { Transaction } from '../db/transaction.js';

export const ASSIGNMENT_CURSOR_TABLE = 'tessera_assignment_cursor';
export const ASSIGNMENT_HISTORY_TABLE = 'tessera_assignment_history';

/**
 * Why a record's assignee changed. `rule`: an assignment rule chose the user; `no_match`: no rule matched (or no
 * matching rule's target had an active user), the record went to the pool; `cap_full`: the deciding rule's users
 * were all at the cap, the record went to the pool; `manual`: a client set the owner; `release`, `claim`,
 * `pool_return`: the pool operations.
 */
export type AssignmentReason = 'rule' | 'no_match' | 'cap_full' | 'manual' | 'release' | 'claim' | 'pool_return';

export interface AssignmentChange {
  readonly entity: string;
  readonly recordId: string;
  readonly fromUser: string | null;
  readonly toUser: string | null;
  readonly reason: AssignmentReason;
  readonly rule?: { readonly id: string; readonly name: string };
  readonly actorId: string | null;
  readonly actorName: string;
  readonly requestId: string;
}

export async function ensureAssignmentTables(db: Knex): Promise<void> {
  await db.raw(`CREATE TABLE IF NOT EXISTS ${ASSIGNMENT_CURSOR_TABLE} (
    entity text NOT NULL, rule_id text NOT NULL, counter bigint NOT NULL, PRIMARY KEY (entity, rule_id))`);
  await db.raw(`CREATE TABLE IF NOT EXISTS ${ASSIGNMENT_HISTORY_TABLE} (
    id bigserial PRIMARY KEY, entity text NOT NULL, record_id uuid NOT NULL, from_user uuid, to_user uuid,
    reason text NOT NULL, rule_id text, rule_name text, actor_id uuid, actor_name text NOT NULL, request_id text NOT NULL,
    at timestamptz NOT NULL DEFAULT now())`);
  await db.raw(`CREATE INDEX IF NOT EXISTS ${ASSIGNMENT_HISTORY_TABLE}_record_idx ON ${ASSIGNMENT_HISTORY_TABLE} (entity, record_id, id)`);
}

/**
 * Moves the rule's cursor on by one and returns its new value, in one statement: the row stays locked until the
 * transaction ends, so concurrent creates through the same rule take turns and the counts stay fair.
 */
export async function advanceCursor(tx: Transaction, entity: string, ruleId: string): Promise<number> {
  const res = await tx.query<{ counter: string }>(
    tx.statement(
      `INSERT INTO ${ASSIGNMENT_CURSOR_TABLE} AS c (entity, rule_id, counter) VALUES ($1, $2, 1)
        ON CONFLICT (entity, rule_id) DO UPDATE SET counter = c.counter + 1 RETURNING c.counter`,
      [entity, ruleId],
    ),
  );
  return Number(res.rows[0]?.counter ?? 1);
}

const INSERT_CHANGE = `INSERT INTO ${ASSIGNMENT_HISTORY_TABLE}
  (entity, record_id, from_user, to_user, reason, rule_id, rule_name, actor_id, actor_name, request_id)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`;

/** The history row travels with the transaction's next statement or its COMMIT; if it fails, the write fails. */
export function deferAssignmentChange(tx: Transaction, c: AssignmentChange): void {
  tx.defer(
    tx.statement(INSERT_CHANGE, [
      c.entity,
      c.recordId,
      c.fromUser,
      c.toUser,
      c.reason,
      c.rule?.id ?? null,
      c.rule?.name ?? null,
      c.actorId,
      c.actorName,
      c.requestId,
    ]),
  );
}

export interface AssignmentHistoryRow {
  id: string;
  from_user: string | null;
  to_user: string | null;
  reason: AssignmentReason;
  rule_id: string | null;
  rule_name: string | null;
  actor_id: string | null;
  actor_name: string;
  request_id: string;
  at: string;
}

/** Newest first. */
export async function readAssignmentHistory(
  pool: pg.Pool,
  entity: string,
  recordId: string,
  limit: number,
): Promise<AssignmentHistoryRow[]> {
  const res = await pool.query<AssignmentHistoryRow>(
    `SELECT h.id::text AS id, h.from_user, h.to_user, h.reason, h.rule_id, h.rule_name, h.actor_id, h.actor_name, h.request_id, h.at
       FROM ${ASSIGNMENT_HISTORY_TABLE} h WHERE h.entity = $1 AND h.record_id = $2 ORDER BY h.id DESC LIMIT $3`,
    [entity, recordId, limit],
  );
  return res.rows;
}
