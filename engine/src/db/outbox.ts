// The transactional outbox: work a write causes (after hooks, notifications, reminders, rescoring) is written as
// a row in the write's own transaction, so it exists exactly when the write does — nothing is lost when Redis
// is down or the process dies before the job reaches the queue. jobs/outbox-relay.ts moves rows to the queue.
// It sits with the transaction (below data/) because the write pipeline writes it.
import type { Knex } from 'knex';
import { q as quoteIdent } from '../sql/q.js';
import { sqlLiteral as quoteLiteral } from '../sql/sql-literal.js';
import type { Transaction } from './transaction.js';

export const OUTBOX_TABLE = 'tessera_outbox';

export async function ensureOutboxTable(db: Knex): Promise<void> {
  await db.raw(`CREATE TABLE IF NOT EXISTS ${OUTBOX_TABLE} (
    id bigserial PRIMARY KEY,
    job_name text NOT NULL,
    job_key text NOT NULL,
    data jsonb NOT NULL,
    delay_ms integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    relayed_at timestamptz)`);
  // When the outbox's part was over: at relaying for a queue that keeps jobs (Redis), at completion for one that
  // keeps them in memory (a restart relays the rest again). Settled rows are history until purged.
  await db.raw(`ALTER TABLE ${OUTBOX_TABLE} ADD COLUMN IF NOT EXISTS settled_at timestamptz`);
  // The relay reads the rows not yet relayed, oldest first.
  await db.raw(`CREATE INDEX IF NOT EXISTS ${OUTBOX_TABLE}_pending_idx ON ${OUTBOX_TABLE} (id) WHERE relayed_at IS NULL`);
  await db.raw(`CREATE INDEX IF NOT EXISTS ${OUTBOX_TABLE}_settled_idx ON ${OUTBOX_TABLE} (settled_at) WHERE settled_at IS NOT NULL`);
}

export interface OutboxJob {
  readonly name: string;
  /**
   * What makes the job one job: the queue runs a key once (idempotent handlers get it too). Left out, the
   * row's id is the key, so each write's job is its own.
   */
  readonly key?: string;
  readonly data: unknown;
  readonly delayMs?: number;
}

/**
 * Values of the written row that only exist at COMMIT (numbers drawn there): the job's `data[at]` object gets
 * them read from the row by the insert itself, which then runs with COMMIT too.
 */
export interface DrawnValues {
  readonly at: string;
  readonly table: string;
  readonly recordId: string;
  readonly fields: ReadonlyArray<{ readonly field: string; readonly column: string }>;
}

/** Writes the job with the transaction's next statement or its COMMIT: it exists if and only if the write does. */
export function deferOutboxJob(tx: Transaction, job: OutboxJob, drawn?: DrawnValues): void {
  const params = [job.name, job.key ?? '', JSON.stringify(job.data ?? null), job.delayMs ?? 0];
  if (drawn === undefined || drawn.fields.length === 0) {
    tx.defer(tx.statement(`INSERT INTO ${OUTBOX_TABLE} (job_name, job_key, data, delay_ms) VALUES ($1, $2, $3::jsonb, $4)`, params));
    return;
  }
  const at = quoteLiteral(drawn.at);
  const values = drawn.fields
    .map((f) => `${quoteLiteral(f.field)}, (SELECT r.${quoteIdent(f.column)} FROM ${quoteIdent(drawn.table)} r WHERE r.id = $5::uuid)`)
    .join(', ');
  const data = `jsonb_set($3::jsonb, ARRAY[${at}], coalesce($3::jsonb -> ${at}, '{}'::jsonb) || jsonb_build_object(${values}))`;
  tx.atCommit(
    tx.statement(`INSERT INTO ${OUTBOX_TABLE} (job_name, job_key, data, delay_ms) VALUES ($1, $2, ${data}, $4)`, [
      ...params,
      drawn.recordId,
    ]),
    () => undefined,
  );
}
