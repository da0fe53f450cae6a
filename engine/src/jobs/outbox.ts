// The transactional outbox: work a write causes (after hooks, notifications, reminders, rescoring) is written as
// a row in the write's own transaction, so it exists exactly when the write does — nothing is lost when Redis
// is down or the process dies before the job reaches the queue. The relay (outbox-relay.ts) moves rows to the
// queue. Ensured at start-up with the engine's other tables.
import type { Knex } from 'knex';
import type { Transaction } from '../db/transaction.js';

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
  // The relay reads the rows not yet relayed, oldest first; relayed ones are history.
  await db.raw(`CREATE INDEX IF NOT EXISTS ${OUTBOX_TABLE}_pending_idx ON ${OUTBOX_TABLE} (id) WHERE relayed_at IS NULL`);
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

/** Writes the job with the transaction's next statement or its COMMIT: it exists if and only if the write does. */
export function deferOutboxJob(tx: Transaction, job: OutboxJob): void {
  tx.defer(
    tx.statement(`INSERT INTO ${OUTBOX_TABLE} (job_name, job_key, data, delay_ms) VALUES ($1, $2, $3::jsonb, $4)`, [
      job.name,
      job.key ?? '',
      JSON.stringify(job.data ?? null),
      job.delayMs ?? 0,
    ]),
  );
}
