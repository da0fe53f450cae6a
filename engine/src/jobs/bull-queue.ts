// The job queue on Redis with Bull: what every engine process and `tessera worker` share in production.
// One Bull queue per job name, not one shared queue with named processors: Bull adds up the concurrency of
// all named processors of a queue (so "2 at a time for sla:recalc" cannot be said), and a process that lacks
// the handler for one name fails that name's jobs instead of leaving them to a process that has it.
// The cost is a few Redis connections per name in use; the names in use are kept in one Redis set so that
// an admin list in any process sees every queue.
import Bull from 'bull';
import { Redis } from 'ioredis';
import type { Logger } from '../shared/logger.js';
import { attemptWithTimeout } from './attempt-with-timeout.js';
import { DEFAULT_CRON_TZ } from '../shared/cron.js';
import { validateCron } from './cron-schedule.js';
import { jobError, type JobErrorCode } from './errors.js';
import {
  checkAddOptions,
  checkConcurrency,
  checkJobName,
  checkRunOptions,
  completedRetention,
  errorText,
  toJsonText,
  type CheckedRunOptions,
} from './job-options.js';
import type { AddOptions, JobHandler, JobInfo, JobQueue, JobQueueSettings, JobState, ProcessOptions, RepeatOptions } from './job-queue.js';

export interface BullQueueSettings extends JobQueueSettings {
  readonly redisUrl: string;
  /** Prefix of every Redis key (Bull's default is 'bull'); tests use their own. */
  readonly prefix?: string;
  /** Bull's job lock (default 30 s): how soon a job whose worker died is run again by another. */
  readonly lockMs?: number;
  readonly log: Logger;
}

export const DEFAULT_BULL_PREFIX = 'tessera';

/** Bull lists read in pages when a state is a filter over Bull's lists (see JobState). */
const PAGE = 200;

type BullState = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed';

/** Each of our states as Bull lists and a filter on failed attempts (Bull keeps retrying jobs in wait/delayed). */
const STATE_SOURCES: Record<JobState, { lists: BullState[]; failed?: boolean }> = {
  waiting: { lists: ['waiting'], failed: false },
  delayed: { lists: ['delayed'], failed: false },
  failed: { lists: ['waiting', 'delayed'], failed: true },
  active: { lists: ['active'] },
  completed: { lists: ['completed'] },
  dead: { lists: ['failed'] },
};

export class BullQueue implements JobQueue {
  readonly driver = 'bull';
  readonly durable = true;
  private readonly completedListeners: Array<(key: string) => void> = [];
  private readonly queues = new Map<string, Bull.Queue>();
  private readonly registered = new Map<string, Promise<unknown>>();
  private readonly handled = new Set<string>();
  private readonly names: Redis;
  private readonly namesKey: string;
  private readonly prefix: string;
  private readonly removeOnComplete: Bull.KeepJobsOptions;
  private readonly log: Logger;
  private closing?: Promise<void>;

  constructor(private readonly settings: BullQueueSettings) {
    this.prefix = settings.prefix ?? DEFAULT_BULL_PREFIX;
    this.namesKey = `${this.prefix}:job-names`;
    this.log = settings.log;
    const retention = completedRetention(settings);
    this.removeOnComplete = { age: Math.ceil(retention.ttlMs / 1000), count: retention.max };
    this.names = new Redis(settings.redisUrl, { lazyConnect: true });
    this.names.on('error', (err) => this.log.error({ err }, 'job queue: Redis connection failed'));
  }

  onCompleted(listener: (key: string) => void): void {
    this.completedListeners.push(listener);
  }

  async add(name: string, data: unknown, options: AddOptions): Promise<void> {
    this.assertOpen();
    const checked = checkAddOptions(name, options);
    const json = JSON.parse(toJsonText(data)) as unknown;
    const queue = await this.queueFor(name);
    // An existing jobId (in any state Bull still holds) makes Bull's add a no-op: that is the idempotency.
    await backend(() =>
      queue.add(json, {
        ...this.jobOptions(checked),
        jobId: checked.jobKey,
        ...(checked.delayMs > 0 ? { delay: checked.delayMs } : {}),
      }),
    );
  }

  process(name: string, options: ProcessOptions, handler: JobHandler): void {
    this.assertOpen();
    checkJobName(name);
    checkConcurrency(options.concurrency);
    if (this.handled.has(name)) throw jobError('jobs.handler_exists', `Job '${name}' already has a handler in this process`);
    this.handled.add(name);
    const queue = this.queueSync(name);
    queue
      .process(options.concurrency, async (job: Bull.Job) => {
        // Bull also fails the attempt at opts.timeout (kept as a backstop and for what Bull shows); this
        // timer starts first, so the attempt fails with the same message as in-process, and the signal aborts.
        await attemptWithTimeout(
          (signal) => handler({ key: String(job.id), name, data: job.data as unknown, attempt: job.attemptsMade + 1, signal }),
          job.opts.timeout,
        );
      })
      .catch((err: unknown) => this.log.error({ err, job: name }, 'job queue: processing stopped'));
  }

  async repeat(name: string, cron: string, data: unknown, options: RepeatOptions = {}): Promise<void> {
    this.assertOpen();
    checkJobName(name);
    const tz = options.tz ?? DEFAULT_CRON_TZ;
    validateCron(cron, tz);
    const checked = checkRunOptions(options);
    const json = JSON.parse(toJsonText(data)) as unknown;
    const queue = await this.queueFor(name);
    // Bull keys a repeat by name, cron and tz, but adding it again also queues the next tick with the new data when a
    // tick falls between the two adds; so a repeat that exists already is left as it is (its first data stays).
    const existing = await backend(() => queue.getRepeatableJobs());
    if (existing.some((r) => r.cron === cron.trim() && (r.tz ?? DEFAULT_CRON_TZ) === tz)) return;
    // Each tick gets jobId repeat:<hash>:<time>.
    await backend(() => queue.add(json, { ...this.jobOptions(checked), repeat: { cron: cron.trim(), tz } }));
  }

  async unrepeat(name: string, cron: string, options: Pick<RepeatOptions, 'tz'> = {}): Promise<void> {
    checkJobName(name);
    const queue = await this.queueFor(name);
    await backend(() => queue.removeRepeatable({ cron: cron.trim(), tz: options.tz ?? DEFAULT_CRON_TZ }));
  }

  async list(state: JobState, limit: number): Promise<JobInfo[]> {
    const wanted = Math.max(0, limit);
    if (wanted === 0) return [];
    const found: JobInfo[] = [];
    for (const name of await this.knownNames()) {
      const queue = await this.queueFor(name);
      found.push(...(await this.listOne(queue, name, state, wanted)));
    }
    return found.sort((a, b) => b.createdAt - a.createdAt).slice(0, wanted);
  }

  async retry(jobKey: string): Promise<void> {
    const { queue, job } = await this.find(jobKey);
    const state = await backend(() => job.getState());
    if (state === 'waiting' || state === 'paused') return;
    if (state === 'failed') {
      // Bull's retry keeps attemptsMade, so a dead job would get no attempt beyond one; reset it first
      // so that a retried job gets its full attempts and backoff again, as in the in-process driver.
      await backend(() => queue.client.hset(queue.toKey(String(job.id)), 'attemptsMade', 0));
      await backend(() => job.retry(), 'jobs.not_retryable');
      return;
    }
    if (state === 'delayed') {
      await backend(() => job.promote(), 'jobs.not_retryable');
      return;
    }
    throw jobError('jobs.not_retryable', `Job '${jobKey}' is ${state}; only a waiting, delayed, failed or dead job can be retried`);
  }

  async discard(jobKey: string): Promise<void> {
    const { job } = await this.find(jobKey);
    const state = await backend(() => job.getState());
    if (state === 'active') throw jobError('jobs.job_active', `Job '${jobKey}' is running and cannot be discarded`);
    // Bull refuses to remove a locked job; if it became active since getState, say so rather than fail vaguely.
    await backend(() => job.remove(), 'jobs.job_active');
  }

  close(): Promise<void> {
    // Bull's close waits for the jobs its processors are running (doNotWaitJobs = false).
    this.closing ??= Promise.all([...this.queues.values()].map((queue) => queue.close())).then(async () => {
      if (this.names.status !== 'wait') await this.names.quit();
    });
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing !== undefined) throw jobError('jobs.queue_closed', 'The job queue is closed');
  }

  private jobOptions(options: CheckedRunOptions): Bull.JobOptions {
    return {
      attempts: options.attempts,
      ...(options.backoff === undefined ? {} : { backoff: { type: options.backoff.type, delay: options.backoff.delayMs } }),
      ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
      removeOnComplete: this.removeOnComplete,
      // Dead jobs stay until an admin retries or discards them.
      removeOnFail: false,
    };
  }

  private queueSync(name: string): Bull.Queue {
    let queue = this.queues.get(name);
    if (queue === undefined) {
      const lockMs = this.settings.lockMs ?? 30_000;
      // A stalled job (its worker stopped renewing the lock) is taken again at the next check; a job that stalls
      // twice is failed with "job stalled more than allowable limit" and so retried through its attempts.
      queue = new Bull(name, this.settings.redisUrl, {
        prefix: this.prefix,
        settings: { lockDuration: lockMs, lockRenewTime: lockMs / 2, stalledInterval: lockMs },
      });
      queue.on('error', (err) => this.log.error({ err, job: name }, 'job queue: Redis error'));
      // Bull's local event: jobs this process's own workers completed.
      queue.on('completed', (job) => {
        for (const listener of this.completedListeners) listener(String(job.id));
      });
      queue.on('failed', (job, err) => this.log.warn({ job: name, key: job.id, attempt: job.attemptsMade, err }, 'job attempt failed'));
      this.queues.set(name, queue);
    }
    if (!this.registered.has(name)) {
      const added = this.names.sadd(this.namesKey, name);
      added.catch((err: unknown) => {
        // Forget the failure so that the next use of the name tries again once Redis is back.
        this.registered.delete(name);
        this.log.error({ err, job: name }, 'job queue: could not record the job name');
      });
      this.registered.set(name, added);
    }
    return queue;
  }

  /** The queue of `name`, once its name is recorded for lists in other processes. */
  private async queueFor(name: string): Promise<Bull.Queue> {
    const queue = this.queueSync(name);
    await backend(() => this.registered.get(name) ?? Promise.resolve());
    return queue;
  }

  private async knownNames(): Promise<string[]> {
    return (await backend(() => this.names.smembers(this.namesKey))).sort();
  }

  private async find(jobKey: string): Promise<{ queue: Bull.Queue; job: Bull.Job }> {
    for (const name of await this.knownNames()) {
      const queue = await this.queueFor(name);
      const job = await backend(() => queue.getJob(jobKey));
      if (job !== null) return { queue, job };
    }
    throw jobError('jobs.not_found', `No job with key '${jobKey}'`);
  }

  private async listOne(queue: Bull.Queue, name: string, state: JobState, limit: number): Promise<JobInfo[]> {
    const source = STATE_SOURCES[state];
    const found: JobInfo[] = [];
    for (const list of source.lists) {
      for (let start = 0; found.length < limit; start += PAGE) {
        // Newest first (asc = false) so the limit keeps the newest.
        const jobs = await backend(() => queue.getJobs([list], start, start + PAGE - 1, false));
        for (const job of jobs) {
          // A job removed between the list read and the hash read comes back empty.
          if (job === null || job === undefined) continue;
          if (source.failed !== undefined && job.attemptsMade > 0 !== source.failed) continue;
          found.push(toInfo(job, name, state));
          if (found.length >= limit) break;
        }
        if (jobs.length < PAGE) break;
      }
    }
    return found;
  }
}

/** Runs a Redis call; its failure becomes an EngineError with a stable code. */
async function backend<T>(call: () => Promise<T>, code: JobErrorCode = 'jobs.backend_failed'): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw jobError(code, `Job queue: ${errorText(err)}`, err);
  }
}

function toInfo(job: Bull.Job, name: string, state: JobState): JobInfo {
  return {
    key: String(job.id),
    name,
    data: job.data as unknown,
    state,
    failures: job.attemptsMade,
    maxAttempts: job.opts.attempts ?? 1,
    ...(job.failedReason ? { error: job.failedReason } : {}),
    createdAt: job.timestamp,
    ...(job.finishedOn ? { finishedAt: job.finishedOn } : {}),
  };
}
