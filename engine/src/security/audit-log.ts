// The audit trail: one row per create, update, delete and action, written in the same transaction as the
// change. A trigger refuses UPDATE and DELETE on it, so not even a plugin's SQL can rewrite history.
import type { Knex } from 'knex';
import type pg from 'pg';
import type { Transaction } from '../db/transaction.js';
import { q as quoteIdent } from '../sql/q.js';
import { sqlLiteral as quoteLiteral } from '../sql/sql-literal.js';

export const AUDIT_TABLE = 'tessera_audit';

export interface AuditEntry {
  readonly entity: string;
  readonly recordId: string;
  /** create, update, delete, or action:<name>. */
  readonly action: string;
  readonly actorId: string | null;
  readonly actorName: string;
  readonly requestId: string;
  /** field -> { before, after } for the fields that changed (or the action's input). */
  readonly changes: Record<string, { before?: unknown; after?: unknown }>;
}

export async function ensureAuditTable(db: Knex): Promise<void> {
  await db.raw(`
    CREATE TABLE IF NOT EXISTS ${AUDIT_TABLE} (
      id bigserial PRIMARY KEY,
      entity text NOT NULL,
      record_id uuid NOT NULL,
      action text NOT NULL,
      actor_id uuid,
      actor_name text NOT NULL,
      request_id text NOT NULL,
      at timestamptz NOT NULL DEFAULT now(),
      changes jsonb NOT NULL
    )`);
  await db.raw(`CREATE INDEX IF NOT EXISTS ${AUDIT_TABLE}_record_idx ON ${AUDIT_TABLE} (entity, record_id, id)`);
  await db.raw(`
    CREATE OR REPLACE FUNCTION ${AUDIT_TABLE}_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit rows cannot be changed or deleted'; END $$`);
  await db.raw(`DROP TRIGGER IF EXISTS ${AUDIT_TABLE}_no_change ON ${AUDIT_TABLE}`);
  await db.raw(
    `CREATE TRIGGER ${AUDIT_TABLE}_no_change BEFORE UPDATE OR DELETE ON ${AUDIT_TABLE} FOR EACH ROW EXECUTE FUNCTION ${AUDIT_TABLE}_immutable()`,
  );
  await db.raw(`DROP TRIGGER IF EXISTS ${AUDIT_TABLE}_no_truncate ON ${AUDIT_TABLE}`);
  await db.raw(
    `CREATE TRIGGER ${AUDIT_TABLE}_no_truncate BEFORE TRUNCATE ON ${AUDIT_TABLE} FOR EACH STATEMENT EXECUTE FUNCTION ${AUDIT_TABLE}_immutable()`,
  );
}

const INSERT_AUDIT = `INSERT INTO ${AUDIT_TABLE} (entity, record_id, action, actor_id, actor_name, request_id, changes) VALUES ($1, $2, $3, $4, $5, $6, $7)`;

/** The audit row goes with the transaction's next statement or its COMMIT; if it fails, the write fails. */
export function deferAudit(tx: Transaction, e: AuditEntry): void {
  tx.defer(tx.statement(INSERT_AUDIT, [e.entity, e.recordId, e.action, e.actorId, e.actorName, e.requestId, JSON.stringify(e.changes)]));
}

/**
 * The audit row of a write some of whose values are drawn at commit (see Transaction.atCommit): sent after
 * them, it reads those fields' values from the record's row.
 */
export function auditAtCommit(
  tx: Transaction,
  e: AuditEntry,
  row: { readonly table: string; readonly fields: ReadonlyArray<{ field: string; column: string }> },
): void {
  const drawn = row.fields
    .map(
      (f) =>
        `${quoteLiteral(f.field)}, jsonb_build_object('after', (SELECT r.${quoteIdent(f.column)} FROM ${quoteIdent(row.table)} r WHERE r.id = $2::uuid))`,
    )
    .join(', ');
  const text = `INSERT INTO ${AUDIT_TABLE} (entity, record_id, action, actor_id, actor_name, request_id, changes)
    VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb || jsonb_build_object(${drawn}))`;
  tx.atCommit(
    tx.statement(text, [e.entity, e.recordId, e.action, e.actorId, e.actorName, e.requestId, JSON.stringify(e.changes)]),
    () => undefined,
  );
}

export interface AuditRow {
  id: string;
  action: string;
  actor_id: string | null;
  actor_name: string;
  request_id: string;
  at: string;
  changes: Record<string, { before?: unknown; after?: unknown }>;
}

export async function readAudit(pool: pg.Pool, entity: string, recordId: string, limit: number, beforeId?: string): Promise<AuditRow[]> {
  const res = await pool.query<AuditRow>(
    `SELECT a.id::text AS id, a.action, a.actor_id, a.actor_name, a.request_id, a.at, a.changes FROM ${AUDIT_TABLE} a
      WHERE a.entity = $1 AND a.record_id = $2 ${beforeId ? 'AND a.id < $4::bigint' : ''} ORDER BY a.id DESC LIMIT $3`,
    beforeId ? [entity, recordId, limit, beforeId] : [entity, recordId, limit],
  );
  return res.rows;
}
