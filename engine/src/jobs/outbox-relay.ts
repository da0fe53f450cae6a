// Moves outbox rows to the job queue: a batch at a time, oldest first, rows locked with SKIP LOCKED so that
// several engine processes relay side by side without taking the same row. A row is marked relayed in the same
// transaction that read it, after the queue took its job; if the queue is down the transaction rolls back and
// the rows wait for the next pass. A job added but not marked (a crash between the two) is added again on the
// next pass with the same key, which the queue ignores: each job is delivered once.
import type pg from 'pg';
import { withTransaction } from '../db/transaction.js';
import type { Logger } from '../shared/logger.js';
import type { JobQueue, RunOptions } from './job-queue.js';
import { OUTBOX_TABLE } from './outbox.js';

const BATCH = 500;

interface OutboxRow {
  readonly id: string;
  readonly job_name: string;
  readonly job_key: string;
  readonly data: unknown;
  readonly delay_ms: number;
}

export interface OutboxRelayOptions {
  readonly pool: pg.Pool;
  readonly queue: JobQueue;
  readonly log: Logger;
  /** Pause between passes that found nothing (ms). */
  readonly idleMs?: number;
  /** Pause after a failed pass (the queue is down): the rows stay and are tried again. */
  readonly retryMs?: number;
  /** How the relayed jobs are retried: a handler that throws is retried with backoff, then dead, never lost. */
  readonly run?: RunOptions;
}

/** The queue key of a row: its own key, or `outbox:<id>`; both are unique across job names. */
export function outboxJobKey(row: { readonly id: string; readonly job_key: string }): string {
  return row.job_key === '' ? `outbox:${row.id}` : row.job_key;
}

export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly o: OutboxRelayOptions) {}

  /** One pass: relays up to a batch of rows; returns how many. Throws when the queue refuses (nothing is marked). */
  async relayOnce(): Promise<number> {
    return withTransaction(this.o.pool, async (tx) => {
      const rows = (
        await tx.query<OutboxRow>(
          `SELECT id::text AS id, job_name, job_key, data, delay_ms FROM ${OUTBOX_TABLE}
            WHERE relayed_at IS NULL ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
        )
      ).rows;
      if (rows.length === 0) return 0;
      for (const row of rows) {
        await this.o.queue.add(row.job_name, row.data, {
          ...this.o.run,
          jobKey: outboxJobKey(row),
          ...(row.delay_ms > 0 ? { delayMs: row.delay_ms } : {}),
        });
      }
      await tx.query(`UPDATE ${OUTBOX_TABLE} SET relayed_at = now() WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
      return rows.length;
    });
  }

  /** Relays until stopped: at once while there are rows, then every `idleMs`. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = async (): Promise<void> => {
      let wait = this.o.idleMs ?? 200;
      try {
        if ((await this.relayOnce()) === BATCH) wait = 0;
      } catch (err) {
        this.o.log.warn({ err }, 'outbox relay pass failed; the rows stay and are tried again');
        wait = this.o.retryMs ?? 1000;
      }
      if (!this.stopped) this.timer = setTimeout(() => (this.running = loop()), wait);
    };
    this.running = loop();
  }

  /** Stops after the pass under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
