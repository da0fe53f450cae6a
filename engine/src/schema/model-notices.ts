// Publishing tells every engine on the database: the apply transaction sends a notice on commit, and each
// engine follows it by loading the published Model from the schema history, so all of them swap without a
// restart (ARCHITECTURE.md: "every running engine swaps to the new Model").
import type { Knex } from 'knex';
import pg from 'pg';
import { deepFreeze } from '../shared/deep-freeze.js';
import type { Logger } from '../shared/logger.js';
import type { Model } from '../metadata/model.js';
import type { ModelHolder } from '../metadata/model-holder.js';
import { HISTORY_TABLE } from './schema-history.js';

export const MODEL_CHANNEL = 'tessera_model';

/** Queued in the apply transaction: PostgreSQL delivers it only if the transaction commits. */
export async function noticeModelPublished(trx: Knex.Transaction, version: number): Promise<void> {
  await trx.raw('SELECT pg_notify(?, ?)', [MODEL_CHANNEL, String(version)]);
}

/** The newest published Model, when it is newer than `after`. */
export async function loadNewerModel(pool: pg.Pool, after: number): Promise<{ model: Model; version: number } | undefined> {
  const res = await pool.query<{ version: number; model: Model }>(
    `SELECT version, model FROM ${HISTORY_TABLE} WHERE version > $1 ORDER BY version DESC LIMIT 1`,
    [after],
  );
  const row = res.rows[0];
  return row ? { model: deepFreeze(row.model), version: row.version } : undefined;
}

export interface ModelFollowerOptions {
  readonly url: string;
  readonly pool: pg.Pool;
  readonly models: ModelHolder;
  readonly log: Logger;
  /** Wait before listening again after the connection drops. */
  readonly retryMs?: number;
}

/**
 * Listens for published Models on a connection of its own (a pooled one would be handed to queries).
 * After every (re)connect it also checks the history, so a notice missed while disconnected is caught up.
 */
export class ModelFollower {
  private client: pg.Client | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private catchingUp: Promise<void> = Promise.resolve();

  constructor(private readonly o: ModelFollowerOptions) {}

  async start(): Promise<void> {
    await this.connect();
  }

  /** Swaps to the newest published Model if this engine serves an older one; calls run one after another. */
  catchUp(): Promise<void> {
    this.catchingUp = this.catchingUp.then(
      () => this.swapToNewest(),
      () => this.swapToNewest(),
    );
    return this.catchingUp;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
    await this.catchingUp.catch(() => undefined);
  }

  private async swapToNewest(): Promise<void> {
    if (this.stopped) return;
    const current = this.o.models.current().version;
    try {
      const next = await loadNewerModel(this.o.pool, current);
      if (!next || this.stopped || next.version <= this.o.models.current().version) return;
      this.o.models.swap(next);
      this.o.log.info({ version: next.version, hash: next.model.hash }, 'model swapped: published by another engine');
    } catch (err) {
      // Keep serving the current Model: a Model this engine cannot serve must not take it down.
      this.o.log.error({ err, after: current }, 'cannot follow the published model');
    }
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.o.url });
    client.on('error', (err) => this.o.log.warn({ err }, 'model notice connection lost'));
    client.on('end', () => {
      if (this.client !== client || this.stopped) return;
      this.client = undefined;
      this.retry = setTimeout(() => void this.connect().catch(() => undefined), this.o.retryMs ?? 1000);
    });
    client.on('notification', (n) => {
      if (n.channel === MODEL_CHANNEL) void this.catchUp();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${MODEL_CHANNEL}`);
    } catch (err) {
      this.o.log.warn({ err }, 'cannot listen for published models; retrying');
      await client.end().catch(() => undefined);
      if (!this.stopped) this.retry = setTimeout(() => void this.connect().catch(() => undefined), this.o.retryMs ?? 1000);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    await this.catchUp();
  }
}
