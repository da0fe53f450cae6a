// The one job queue interface. Two drivers implement it: bull-queue.ts (Redis, production, many processes)
// and in-process-queue.ts (one process without Redis); create-job-queue.ts picks one from config.
// The outbox relay, the admin routes and `tessera worker` are written against this file only.

/**
 * Where a job is. The states do not overlap, so an admin list shows each job once:
 * - `waiting`: ready to run, never failed;
 * - `delayed`: waiting for its `delayMs`, never failed;
 * - `active`: a handler is running it;
 * - `failed`: an attempt failed and another one is scheduled (after its backoff);
 * - `dead`: every attempt failed; it stays, with its error, until `retry` or `discard`.
 *   On Bull this is Bull's own `failed` set: Bull moves a job there only once its attempts are exhausted
 *   (a retryable failure goes back to Bull's `delayed` or `wait` with `attemptsMade > 0`, which is our `failed`);
 * - `completed`: finished; kept for a while (see `JobQueueSettings`) so that re-adding its key is a no-op.
 */
export type JobState = 'waiting' | 'delayed' | 'active' | 'failed' | 'completed' | 'dead';

export const JOB_STATES: readonly JobState[] = ['waiting', 'delayed', 'active', 'failed', 'completed', 'dead'];

/** Wait between attempts. `exponential` waits `(2^n - 1) * delayMs` after the n-th failure (Bull's formula). */
export interface Backoff {
  readonly type: 'fixed' | 'exponential';
  readonly delayMs: number;
}

/** How a job is retried and bounded; shared by one-off and repeated jobs. */
export interface RunOptions {
  /** Attempts in all, the first included (default 1: no retry). */
  readonly attempts?: number;
  /** Without one, a failed attempt is retried at once. */
  readonly backoff?: Backoff;
  /**
   * An attempt running longer counts as failed. The handler cannot be stopped from outside: its `signal`
   * aborts, and a handler that does I/O should pass it on.
   */
  readonly timeoutMs?: number;
}

export interface AddOptions extends RunOptions {
  /**
   * Makes `add` idempotent: while a job with this key (and name) is waiting, delayed, active, failed, dead or
   * recently completed, adding it again does nothing. Unique per job name; callers make it unique overall
   * (the outbox uses its row id) so that `retry` and `discard` by key are unambiguous.
   */
  readonly jobKey: string;
  /** Run no earlier than this many milliseconds from now. */
  readonly delayMs?: number;
}

export interface RepeatOptions extends RunOptions {
  /** IANA time zone the cron reads in (default UTC, so that every process agrees). */
  readonly tz?: string;
}

export interface ProcessOptions {
  /** Handlers of this name running at once in this process (each process has its own limit). */
  readonly concurrency: number;
}

/** What a handler receives for one attempt. */
export interface JobRun {
  readonly key: string;
  readonly name: string;
  /** The added data, after a JSON round trip (both drivers), so it holds only JSON values. */
  readonly data: unknown;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Aborts when the attempt times out. */
  readonly signal: AbortSignal;
}

/** Resolves when the job is done; a rejection (or a timeout) fails the attempt. */
export type JobHandler = (job: JobRun) => Promise<void>;

/** One job as an admin list shows it. */
export interface JobInfo {
  readonly key: string;
  readonly name: string;
  readonly data: unknown;
  readonly state: JobState;
  /** Attempts that failed so far. */
  readonly failures: number;
  readonly maxAttempts: number;
  /** The message of the last failed attempt. */
  readonly error?: string;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  readonly finishedAt?: number;
}

/** Settings both drivers take. */
export interface JobQueueSettings {
  /** How long a completed job is kept (and so blocks its key); default one day. */
  readonly completedTtlMs?: number;
  /** How many completed jobs per name are kept at most; default 1000. */
  readonly completedMax?: number;
}

export interface JobQueue {
  readonly driver: 'bull' | 'in-process';
  /** Whether queued jobs outlive this process (Bull keeps them in Redis; the in-process queue in memory). */
  readonly durable: boolean;
  /** Calls `listener` with the key of every job that completes in this process. */
  onCompleted(listener: (key: string) => void): void;
  /** Queues a job unless one with the same name and key exists (see `AddOptions.jobKey`). */
  add(name: string, data: unknown, options: AddOptions): Promise<void>;
  /** Runs jobs of `name` in this process; once per name. Jobs added before a handler exists wait for it. */
  process(name: string, options: ProcessOptions, handler: JobHandler): void;
  /** Adds a job of `name` on every tick of `cron` (5 fields, or 6 with seconds first). Repeating the same
   * name, cron and tz again is a no-op (the first data stays); `unrepeat` first to change it. */
  repeat(name: string, cron: string, data: unknown, options?: RepeatOptions): Promise<void>;
  /** Stops a `repeat`; its next, not yet started, run is dropped too. */
  unrepeat(name: string, cron: string, options?: Pick<RepeatOptions, 'tz'>): Promise<void>;
  /** Up to `limit` jobs in `state`, over every job name, newest first. */
  list(state: JobState, limit: number): Promise<JobInfo[]>;
  /**
   * Runs a job again now: a dead job gets a fresh set of attempts; a delayed or failed one skips its wait;
   * a waiting one is left as it is. An active or completed job is `jobs.not_retryable`.
   */
  retry(jobKey: string): Promise<void>;
  /** Removes a job that is not running (an active one is `jobs.job_active`), which frees its key. */
  discard(jobKey: string): Promise<void>;
  /** Stops taking jobs and timers, then waits for the attempts that are running. */
  close(): Promise<void>;
}
