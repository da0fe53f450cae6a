// One PostgreSQL transaction on one pooled client; rolls back on any error.
//
// On PostgreSQL the pool's clients pipeline. Network writes and round trips are what a short write costs
// most (each is a system call on both sides), so BEGIN travels with the first statement, and statements
// whose results nobody reads (audit rows, assertions, link rows) wait and travel with the next statement or
// with COMMIT: one write and one round trip per batch. On the embedded database statements go one by one
// in the same order, so the result is the same.
import type pg from 'pg';
import { statement } from './prepared-name.js';

/** What a statement needs to run SQL: the pool, a pooled client, or a Transaction. */
export interface Sql {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

type MapError = (err: unknown) => unknown;

interface Statement {
  readonly config: pg.QueryConfig;
  readonly mapError?: MapError;
}

interface Corkable {
  cork?(): void;
  uncork?(): void;
}

export class Transaction implements Sql {
  private queued: Statement[] = [{ config: { text: 'BEGIN' } }];
  private finals: Array<{ statement: Statement; onResult: (result: pg.QueryResult) => void }> = [];
  private begun = false;

  constructor(private readonly client: pg.PoolClient) {}

  /**
   * A statement for the engine's own SQL: named on PostgreSQL, so the server parses and plans it once per
   * connection. Only texts the engine builds from the Model are named; their number is bounded.
   */
  statement(text: string, values: unknown[]): pg.QueryConfig {
    return statement(text, values);
  }

  /** Runs a statement whose result is not needed now; if it fails, the transaction fails with `mapError(err)`. */
  defer(config: pg.QueryConfig, mapError?: MapError): void {
    this.queued.push(mapError ? { config, mapError } : { config });
  }

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string | pg.QueryConfig,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    const config: pg.QueryConfig = typeof text === 'string' ? { text, ...(values ? { values } : {}) } : text;
    const results = await this.send([...this.drain(), { config }]);
    return results[results.length - 1] as pg.QueryResult<R>;
  }

  /**
   * A statement sent with COMMIT, after everything else: what holds a lock every writer needs (a number's counter)
   * is taken as late as possible, so writers queue on it for one server-side batch instead of the whole write.
   * `onResult` gets its result once the transaction has committed.
   */
  atCommit(config: pg.QueryConfig, onResult: (result: pg.QueryResult) => void, mapError?: MapError): void {
    this.finals.push({ statement: mapError ? { config, mapError } : { config }, onResult });
  }

  async commit(): Promise<void> {
    if (!this.begun && this.queued.length === 1 && this.finals.length === 0) return;
    const finals = this.finals;
    this.finals = [];
    const results = await this.send([...this.drain(), ...finals.map((f) => f.statement), { config: { text: 'COMMIT' } }]);
    const first = results.length - 1 - finals.length;
    finals.forEach((f, i) => {
      const result = results[first + i];
      if (result) f.onResult(result);
    });
  }

  async rollback(): Promise<void> {
    this.queued = [];
    this.finals = [];
    if (this.begun) await this.client.query('ROLLBACK');
  }

  private drain(): Statement[] {
    const out = this.queued;
    this.queued = [];
    return out;
  }

  private async send(batch: Statement[]): Promise<pg.QueryResult[]> {
    this.begun = true;
    // Corked, the batch leaves in one write; pg sends each statement with its own Sync, so the server answers
    // them in order and a failure leaves the ones after it failing with "transaction aborted".
    const stream = (this.client as unknown as { connection?: { stream?: Corkable } }).connection?.stream;
    stream?.cork?.();
    let pending: Array<Promise<pg.QueryResult>>;
    try {
      pending = batch.map((s) => this.client.query(s.config));
    } finally {
      stream?.uncork?.();
    }
    const settled = await Promise.allSettled(pending);
    const out: pg.QueryResult[] = [];
    for (const [i, s] of settled.entries()) {
      if (s.status === 'rejected') {
        const mapError = batch[i]?.mapError;
        throw mapError ? mapError(s.reason) : s.reason;
      }
      out.push(s.value);
    }
    return out;
  }
}

/**
 * pg pipelines per client. Only transactions use it: single reads measured slower in pipeline mode, so a client
 * pipelines while it holds a transaction and goes back before it returns to the pool (idle both times).
 */
function setPipeline(client: pg.PoolClient, on: boolean): void {
  (client as unknown as { pipeline: boolean }).pipeline = on;
}

export async function withTransaction<T>(pool: pg.Pool, fn: (tx: Transaction) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  setPipeline(client, true);
  const tx = new Transaction(client);
  let broken: Error | undefined;
  try {
    const result = await fn(tx);
    await tx.commit();
    return result;
  } catch (err) {
    await tx.rollback().catch((rollbackError: Error) => {
      // A connection that cannot roll back is not returned to the pool.
      broken = rollbackError;
    });
    throw err;
  } finally {
    setPipeline(client, false);
    client.release(broken);
  }
}
