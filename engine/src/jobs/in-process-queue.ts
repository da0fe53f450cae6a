// The job queue of a single process without Redis (the embedded default). Same semantics as the Bull driver:
// delay, retries with backoff, per-attempt timeout, concurrency per name, idempotent keys, dead jobs kept,
// cron repeats. Jobs live in memory, so a restart loses queued ones: the outbox is what makes them durable.
import type { Logger } from '../shared/logger.js';
import { attemptWithTimeout } from './attempt-with-timeout.js';
import { backoffDelay } from './backoff-delay.js';
import { DEFAULT_CRON_TZ, nextCronTime } from '../shared/cron.js';
import { validateCron } from './cron-schedule.js';
import { jobError } from './errors.js';
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

interface Entry {
  readonly key: string;
  readonly name: string;
  readonly dataText: string;
  readonly options: CheckedRunOptions;
  readonly createdAt: number;
  state: JobState;
  failures: number;
  error?: string;
  finishedAt?: number;
  /** Set while delayed, or failed and waiting for its backoff. */
  timer?: NodeJS.Timeout;
}

interface Worker {
  readonly handler: JobHandler;
  readonly concurrency: number;
  running: number;
}

interface Repeat {
  timer?: NodeJS.Timeout;
}

export interface InProcessQueueSettings extends JobQueueSettings {
  readonly log: Logger;
}

export class InProcessQueue implements JobQueue {
  readonly driver = 'in-process';
  readonly durable = false;
  private readonly completedListeners: Array<(key: string) => void> = [];
  /** name -> key -> entry, every state. */
  private readonly jobs = new Map<string, Map<string, Entry>>();
  /** name -> entries ready to run, oldest first. */
  private readonly ready = new Map<string, Entry[]>();
  private readonly workers = new Map<string, Worker>();
  private readonly repeats = new Map<string, Repeat>();
  private readonly running = new Set<Promise<void>>();
  private readonly retention: { ttlMs: number; max: number };
  private readonly log: Logger;
  private closed = false;

  constructor(settings: InProcessQueueSettings) {
    this.retention = completedRetention(settings);
    this.log = settings.log;
  }

  onCompleted(listener: (key: string) => void): void {
    this.completedListeners.push(listener);
  }

  async add(name: string, data: unknown, options: AddOptions): Promise<void> {
    this.assertOpen();
    const checked = checkAddOptions(name, options);
    const byKey = this.jobsOf(name);
    if (byKey.has(checked.jobKey)) return;
    const { jobKey, delayMs, ...runOptions } = checked;
    const entry: Entry = {
      key: jobKey,
      name,
      dataText: toJsonText(data),
      options: runOptions,
      createdAt: Date.now(),
      state: delayMs > 0 ? 'delayed' : 'waiting',
      failures: 0,
    };
    byKey.set(jobKey, entry);
    if (delayMs > 0) this.wake(entry, delayMs);
    else this.enqueue(entry);
  }

  process(name: string, options: ProcessOptions, handler: JobHandler): void {
    this.assertOpen();
    checkJobName(name);
    checkConcurrency(options.concurrency);
    if (this.workers.has(name)) throw jobError('jobs.handler_exists', `Job '${name}' already has a handler in this process`);
    this.workers.set(name, { handler, concurrency: options.concurrency, running: 0 });
    this.pump(name);
  }

  async repeat(name: string, cron: string, data: unknown, options: RepeatOptions = {}): Promise<void> {
    this.assertOpen();
    checkJobName(name);
    const tz = options.tz ?? DEFAULT_CRON_TZ;
    validateCron(cron, tz);
    const runOptions = checkRunOptions(options);
    const dataText = toJsonText(data);
    const id = repeatId(name, cron, tz);
    if (this.repeats.has(id)) return;
    const repeat: Repeat = {};
    this.repeats.set(id, repeat);
    const schedule = (after: number): void => {
      const at = nextCronTime(cron, tz, after);
      repeat.timer = setTimeout(
        () => {
          // Like Bull, one run per tick, keyed by its tick; then the next tick is computed from this one.
          this.addParsed(name, `repeat:${id}:${at}`, dataText, runOptions);
          schedule(Math.max(at, Date.now()));
        },
        Math.max(0, at - Date.now()),
      );
      repeat.timer.unref();
    };
    schedule(Date.now());
  }

  async unrepeat(name: string, cron: string, options: Pick<RepeatOptions, 'tz'> = {}): Promise<void> {
    const id = repeatId(name, cron, options.tz ?? DEFAULT_CRON_TZ);
    const repeat = this.repeats.get(id);
    if (repeat === undefined) return;
    clearTimeout(repeat.timer);
    this.repeats.delete(id);
  }

  async list(state: JobState, limit: number): Promise<JobInfo[]> {
    const found: Entry[] = [];
    for (const byKey of this.jobs.values()) for (const entry of byKey.values()) if (entry.state === state) found.push(entry);
    return found
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, Math.max(0, limit))
      .map(toInfo);
  }

  async retry(jobKey: string): Promise<void> {
    const entry = this.find(jobKey);
    switch (entry.state) {
      case 'waiting':
        return;
      case 'dead':
        entry.failures = 0;
        delete entry.error;
        delete entry.finishedAt;
        entry.state = 'waiting';
        this.enqueue(entry);
        return;
      case 'delayed':
      case 'failed':
        if (entry.timer !== undefined) {
          clearTimeout(entry.timer);
          delete entry.timer;
          this.enqueue(entry);
        }
        return;
      default:
        throw jobError(
          'jobs.not_retryable',
          `Job '${jobKey}' is ${entry.state}; only a waiting, delayed, failed or dead job can be retried`,
        );
    }
  }

  async discard(jobKey: string): Promise<void> {
    const entry = this.find(jobKey);
    if (entry.state === 'active') throw jobError('jobs.job_active', `Job '${jobKey}' is running and cannot be discarded`);
    clearTimeout(entry.timer);
    this.jobsOf(entry.name).delete(entry.key);
    const ready = this.ready.get(entry.name);
    if (ready !== undefined)
      this.ready.set(
        entry.name,
        ready.filter((e) => e !== entry),
      );
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const repeat of this.repeats.values()) clearTimeout(repeat.timer);
    this.repeats.clear();
    for (const byKey of this.jobs.values()) for (const entry of byKey.values()) clearTimeout(entry.timer);
    await Promise.allSettled([...this.running]);
  }

  private addParsed(name: string, key: string, dataText: string, options: CheckedRunOptions): void {
    const byKey = this.jobsOf(name);
    if (this.closed || byKey.has(key)) return;
    const entry: Entry = { key, name, dataText, options, createdAt: Date.now(), state: 'waiting', failures: 0 };
    byKey.set(key, entry);
    this.enqueue(entry);
  }

  private assertOpen(): void {
    if (this.closed) throw jobError('jobs.queue_closed', 'The job queue is closed');
  }

  private jobsOf(name: string): Map<string, Entry> {
    let byKey = this.jobs.get(name);
    if (byKey === undefined) {
      byKey = new Map();
      this.jobs.set(name, byKey);
    }
    return byKey;
  }

  private find(jobKey: string): Entry {
    for (const byKey of this.jobs.values()) {
      const entry = byKey.get(jobKey);
      if (entry !== undefined) return entry;
    }
    throw jobError('jobs.not_found', `No job with key '${jobKey}'`);
  }

  /** Makes a delayed or backing-off entry ready after `ms`; unref'd so that a waiting job alone does not keep a CLI alive. */
  private wake(entry: Entry, ms: number): void {
    entry.timer = setTimeout(() => {
      delete entry.timer;
      this.enqueue(entry);
    }, ms);
    entry.timer.unref();
  }

  private enqueue(entry: Entry): void {
    // A failed entry keeps its state while it waits its turn: it is still "failed, will retry".
    if (entry.state === 'delayed') entry.state = 'waiting';
    let ready = this.ready.get(entry.name);
    if (ready === undefined) {
      ready = [];
      this.ready.set(entry.name, ready);
    }
    ready.push(entry);
    this.pump(entry.name);
  }

  private pump(name: string): void {
    const worker = this.workers.get(name);
    const ready = this.ready.get(name);
    if (worker === undefined || ready === undefined) return;
    while (!this.closed && worker.running < worker.concurrency) {
      const entry = ready.shift();
      if (entry === undefined) return;
      const attempt = this.runAttempt(entry, worker).finally(() => {
        this.running.delete(attempt);
        this.pump(name);
      });
      this.running.add(attempt);
    }
  }

  private async runAttempt(entry: Entry, worker: Worker): Promise<void> {
    entry.state = 'active';
    worker.running += 1;
    try {
      await attemptWithTimeout(
        (signal) =>
          worker.handler({
            key: entry.key,
            name: entry.name,
            data: JSON.parse(entry.dataText) as unknown,
            attempt: entry.failures + 1,
            signal,
          }),
        entry.options.timeoutMs,
      );
      this.complete(entry);
    } catch (err) {
      this.fail(entry, err);
    } finally {
      worker.running -= 1;
    }
  }

  private complete(entry: Entry): void {
    entry.state = 'completed';
    entry.finishedAt = Date.now();
    this.pruneCompleted(entry.name);
    for (const listener of this.completedListeners) listener(entry.key);
  }

  private fail(entry: Entry, err: unknown): void {
    entry.failures += 1;
    entry.error = errorText(err);
    const final = entry.failures >= entry.options.attempts;
    this.log.warn({ job: entry.name, key: entry.key, attempt: entry.failures, final, err }, 'job attempt failed');
    if (final) {
      entry.state = 'dead';
      entry.finishedAt = Date.now();
      return;
    }
    entry.state = 'failed';
    const delay = backoffDelay(entry.options.backoff, entry.failures);
    if (this.closed) return;
    if (delay > 0) this.wake(entry, delay);
    else this.enqueue(entry);
  }

  /** Completed jobs block their key only for a while, like Bull's removeOnComplete { age, count }. */
  private pruneCompleted(name: string): void {
    const byKey = this.jobsOf(name);
    const completed = [...byKey.values()].filter((e) => e.state === 'completed');
    const oldest = Date.now() - this.retention.ttlMs;
    const excess = completed.length - this.retention.max;
    completed
      .sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0))
      .forEach((entry, index) => {
        if (index < excess || (entry.finishedAt ?? 0) < oldest) byKey.delete(entry.key);
      });
  }
}

function repeatId(name: string, cron: string, tz: string): string {
  return `${name}|${cron.trim()}|${tz}`;
}

function toInfo(entry: Entry): JobInfo {
  return {
    key: entry.key,
    name: entry.name,
    data: JSON.parse(entry.dataText) as unknown,
    state: entry.state,
    failures: entry.failures,
    maxAttempts: entry.options.attempts,
    ...(entry.error === undefined ? {} : { error: entry.error }),
    createdAt: entry.createdAt,
    ...(entry.finishedAt === undefined ? {} : { finishedAt: entry.finishedAt }),
  };
}
