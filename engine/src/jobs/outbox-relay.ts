// Moves outbox rows to the job queue: a batch at a time, oldest first, rows locked with SKIP LOCKED so that
// several engine processes relay side by side without taking the same row. A row is marked relayed in the same
// transaction that read it, after the queue took its job; if the queue is down the transaction rolls back and
// the rows wait for the next pass. A job added but not marked (a crash between the two) is added again on the
// next pass with the same key, which the queue ignores: each job is delivered once.
// It polls when idle; a write in this process that left jobs wakes it at once (WriteServices.onOutbox).
// A queue that keeps jobs only in memory (the in-process driver) would lose relayed jobs with the process, so for
// it a row is settled only when its job completes, and a starting relay relays the unsettled rows again (their
// keys keep handlers idempotent). Settled rows are kept a while as history, then purged.
import type pg from 'pg';
import { withTransaction } from '../db/transaction.js';
import type { Logger } from '../shared/logger.js';
import type { JobQueue, RunOptions } from './job-queue.js';
import { OUTBOX_TABLE } from '../db/outbox.js';

const BATCH = 500;

/**
 * A wake runs a pass this soon rather than at once, so that a burst of writes is relayed in a few batches instead
 * of one pass per write (each pass is a transaction of its own).
 */
const WAKE_MS = 25;

/** Passes between purges of relayed rows. */
const PURGE_EVERY = 300;

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
  /** How long settled rows are kept (default one day). */
  readonly keepRelayedMs?: number;
}

/** The queue key of a row: its own key, or `outbox:<id>`; both are unique across job names. */
export function outboxJobKey(row: { readonly id: string; readonly job_key: string }): string {
  return row.job_key === '' ? `outbox:${row.id}` : row.job_key;
}

export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private woken = false;
  private dueAt = 0;
  /** Memory queues only: relayed rows by job key until their job completes, and the completed ones to settle. */
  private readonly inFlight = new Map<string, string>();
  private completed: string[] = [];
  private failing = false;
  private passes = 0;

  constructor(private readonly o: OutboxRelayOptions) {
    if (!o.queue.durable) {
      o.queue.onCompleted((key) => {
        const id = this.inFlight.get(key);
        if (id === undefined) return;
        this.inFlight.delete(key);
        this.completed.push(id);
        this.wake();
      });
    }
  }

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
      // Before adding: a memory queue may complete a job before add returns. (Completions are settled at the next
      // pass, after this transaction has committed.)
      if (!this.o.queue.durable) for (const row of rows) this.inFlight.set(outboxJobKey(row), row.id);
      // All at once: Bull pipelines the adds on its connection, so a batch costs about one round trip.
      await Promise.all(
        rows.map((row) =>
          this.o.queue.add(row.job_name, row.data, {
            ...this.o.run,
            jobKey: outboxJobKey(row),
            ...(row.delay_ms > 0 ? { delayMs: row.delay_ms } : {}),
          }),
        ),
      );
      const settled = this.o.queue.durable ? 'now()' : 'NULL';
      await tx.query(`UPDATE ${OUTBOX_TABLE} SET relayed_at = now(), settled_at = ${settled} WHERE id = ANY($1::bigint[])`, [
        rows.map((r) => r.id),
      ]);
      return rows.length;
    });
  }

  /** Memory queues: marks the rows whose jobs completed since the last call. */
  async settleCompleted(): Promise<void> {
    if (this.completed.length === 0) return;
    const ids = this.completed;
    this.completed = [];
    try {
      await this.o.pool.query(`UPDATE ${OUTBOX_TABLE} SET settled_at = now() WHERE id = ANY($1::bigint[])`, [ids]);
    } catch (err) {
      this.completed.push(...ids);
      throw err;
    }
  }

  /**
   * Memory queues: rows relayed to a queue that died with its process go back to be relayed again. Called when
   * the relay starts, so it assumes that no other process relays to a memory queue on this database (without
   * Redis there is one engine process).
   */
  async reclaimUnsettled(): Promise<number> {
    if (this.o.queue.durable) return 0;
    const res = await this.o.pool.query(`UPDATE ${OUTBOX_TABLE} SET relayed_at = NULL WHERE relayed_at IS NOT NULL AND settled_at IS NULL`);
    return res.rowCount ?? 0;
  }

  /** Deletes rows settled longer ago than `keepRelayedMs`; returns how many. */
  async purgeRelayed(): Promise<number> {
    const res = await this.o.pool.query(
      `DELETE FROM ${OUTBOX_TABLE} WHERE settled_at < now() - make_interval(secs => $1::double precision / 1000)`,
      [this.o.keepRelayedMs ?? 24 * 3600 * 1000],
    );
    return res.rowCount ?? 0;
  }

  /** Relays until stopped: at once while there are rows or after a wake, else every `idleMs`. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.running = this.reclaimUnsettled().then(
      (reclaimed) => {
        if (reclaimed > 0) this.o.log.warn({ reclaimed }, 'outbox: relaying again the jobs a previous process had not finished');
        return this.pass();
      },
      (err: unknown) => {
        this.o.log.warn({ err }, 'outbox: could not reclaim unfinished jobs; relaying the rest');
        return this.pass();
      },
    );
  }

  /**
   * New rows have committed: relay them within WAKE_MS rather than at the next poll. A pass under way runs again
   * soon after; a relay waiting out a failure (the queue is down) keeps waiting.
   */
  wake(): void {
    if (this.stopped || this.failing) return;
    if (this.timer === undefined) {
      this.woken = true;
      return;
    }
    if (this.dueAt - Date.now() <= WAKE_MS) return;
    clearTimeout(this.timer);
    this.schedule(WAKE_MS);
  }

  private schedule(wait: number): void {
    if (this.stopped) return;
    this.dueAt = Date.now() + wait;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.pass();
    }, wait);
  }

  private async pass(): Promise<void> {
    this.woken = false;
    let wait = this.o.idleMs ?? 200;
    try {
      await this.settleCompleted();
      if ((await this.relayOnce()) === BATCH) wait = 0;
      this.failing = false;
      if (++this.passes % PURGE_EVERY === 0) await this.purgeRelayed();
    } catch (err) {
      this.o.log.warn({ err }, 'outbox relay pass failed; the rows stay and are tried again');
      this.failing = true;
      wait = this.o.retryMs ?? 1000;
    }
    this.schedule(this.woken && !this.failing ? Math.min(wait, WAKE_MS) : wait);
  }

  /** Stops after the pass under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
