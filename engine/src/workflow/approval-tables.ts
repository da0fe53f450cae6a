// The runtime tables of approval flows, ensured at start-up like the outbox: one instance per submission of a record
// (at most one pending per record, which the unique index enforces under concurrent submits), one task per
// approver and step, the full history, and users' standing delegations. Records are named by entity and id, not by
// foreign key: entity tables come and go with the Model. The record lock (data/approval-lock.ts) reads the instances.
import type { Knex } from 'knex';
import { APPROVAL_INSTANCE_TABLE } from '../data/approval-lock.js';

export const INSTANCE_TABLE = APPROVAL_INSTANCE_TABLE;
export const TASK_TABLE = 'tessera_approval_task';
export const HISTORY_TABLE = 'tessera_approval_history';
export const DELEGATION_TABLE = 'tessera_approval_delegation';

export async function ensureApprovalTables(db: Knex): Promise<void> {
  await db.raw(`CREATE TABLE IF NOT EXISTS ${INSTANCE_TABLE} (
    id uuid PRIMARY KEY,
    entity text NOT NULL,
    record_id uuid NOT NULL,
    flow_id text NOT NULL,
    flow_name text NOT NULL,
    status text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
    step_index integer,
    step_name text,
    submitted_by uuid,
    submitted_at timestamptz NOT NULL DEFAULT now(),
    decided_at timestamptz)`);
  await db.raw(
    `CREATE UNIQUE INDEX IF NOT EXISTS ${INSTANCE_TABLE}_pending_key ON ${INSTANCE_TABLE} (entity, record_id) WHERE status = 'pending'`,
  );
  await db.raw(`CREATE INDEX IF NOT EXISTS ${INSTANCE_TABLE}_record_idx ON ${INSTANCE_TABLE} (entity, record_id, submitted_at)`);
  await db.raw(`CREATE TABLE IF NOT EXISTS ${TASK_TABLE} (
    id bigserial PRIMARY KEY,
    instance_id uuid NOT NULL REFERENCES ${INSTANCE_TABLE} (id),
    step_index integer NOT NULL,
    step_name text NOT NULL,
    assignee uuid NOT NULL,
    delegated_from uuid,
    status text NOT NULL CHECK (status IN ('open', 'approved', 'rejected', 'skipped', 'cancelled', 'escalated', 'delegated', 'reassigned')),
    decided_by uuid,
    decided_at timestamptz,
    comment text,
    created_at timestamptz NOT NULL DEFAULT now())`);
  await db.raw(`CREATE INDEX IF NOT EXISTS ${TASK_TABLE}_open_idx ON ${TASK_TABLE} (assignee) WHERE status = 'open'`);
  await db.raw(`CREATE INDEX IF NOT EXISTS ${TASK_TABLE}_instance_idx ON ${TASK_TABLE} (instance_id, step_index)`);
  await db.raw(`CREATE TABLE IF NOT EXISTS ${HISTORY_TABLE} (
    id bigserial PRIMARY KEY,
    instance_id uuid NOT NULL REFERENCES ${INSTANCE_TABLE} (id),
    step_name text,
    action text NOT NULL,
    actor_id uuid,
    actor_name text NOT NULL,
    delegated_from uuid,
    comment text,
    detail jsonb,
    at timestamptz NOT NULL DEFAULT clock_timestamp())`);
  await db.raw(`CREATE INDEX IF NOT EXISTS ${HISTORY_TABLE}_instance_idx ON ${HISTORY_TABLE} (instance_id, id)`);
  await db.raw(`CREATE TABLE IF NOT EXISTS ${DELEGATION_TABLE} (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL,
    delegate_id uuid NOT NULL,
    valid_from date NOT NULL,
    valid_until date NOT NULL,
    comment text,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (valid_from <= valid_until),
    CHECK (user_id <> delegate_id))`);
  await db.raw(`CREATE INDEX IF NOT EXISTS ${DELEGATION_TABLE}_delegate_idx ON ${DELEGATION_TABLE} (delegate_id, valid_until)`);
  await db.raw(`CREATE INDEX IF NOT EXISTS ${DELEGATION_TABLE}_user_idx ON ${DELEGATION_TABLE} (user_id, valid_until)`);
}
