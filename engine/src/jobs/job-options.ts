// Checks callers' arguments the same way for both drivers, so a mistake fails at `add`, not in a worker later.
import { jobError } from './errors.js';
import type { AddOptions, Backoff, JobQueueSettings, RunOptions } from './job-queue.js';

/** RunOptions with defaults filled in. */
export interface CheckedRunOptions {
  readonly attempts: number;
  readonly backoff?: Backoff;
  readonly timeoutMs?: number;
}

export interface CheckedAddOptions extends CheckedRunOptions {
  readonly jobKey: string;
  readonly delayMs: number;
}

export const DEFAULT_COMPLETED_TTL_MS = 24 * 3600 * 1000;
export const DEFAULT_COMPLETED_MAX = 1000;

function wholeNumber(value: number | undefined, what: string, min: number): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min)) {
    throw jobError('jobs.invalid_options', `${what} must be a whole number of at least ${min}, got ${String(value)}`);
  }
}

/** Job names are `area:action`; they also name Redis keys, so no spaces and a bounded length. */
export function checkJobName(name: string): void {
  if (!/^[A-Za-z0-9_.:-]{1,100}$/.test(name)) {
    throw jobError('jobs.invalid_options', `Job name '${name}' must be 1-100 letters, digits or _ . : -`);
  }
}

export function checkRunOptions(options: RunOptions = {}): CheckedRunOptions {
  wholeNumber(options.attempts, 'attempts', 1);
  wholeNumber(options.timeoutMs, 'timeoutMs', 1);
  if (options.backoff !== undefined) {
    if (options.backoff.type !== 'fixed' && options.backoff.type !== 'exponential') {
      throw jobError('jobs.invalid_options', `backoff.type must be 'fixed' or 'exponential', got '${String(options.backoff.type)}'`);
    }
    wholeNumber(options.backoff.delayMs, 'backoff.delayMs', 0);
  }
  return {
    attempts: options.attempts ?? 1,
    ...(options.backoff === undefined ? {} : { backoff: { type: options.backoff.type, delayMs: options.backoff.delayMs } }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  };
}

export function checkAddOptions(name: string, options: AddOptions): CheckedAddOptions {
  checkJobName(name);
  // Bull gives repeated runs ids starting with 'repeat:'; a caller's key must not look like one.
  if (typeof options.jobKey !== 'string' || options.jobKey === '' || options.jobKey.length > 200 || options.jobKey.startsWith('repeat:')) {
    throw jobError('jobs.invalid_options', `jobKey must be 1-200 characters and not start with 'repeat:', got '${String(options.jobKey)}'`);
  }
  wholeNumber(options.delayMs, 'delayMs', 0);
  return { ...checkRunOptions(options), jobKey: options.jobKey, delayMs: options.delayMs ?? 0 };
}

export function checkConcurrency(concurrency: number): void {
  wholeNumber(concurrency, 'concurrency', 1);
}

/** Job data goes through JSON in both drivers (Bull stores it as JSON), so handlers see the same values. */
export function toJsonText(data: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(data ?? null);
  } catch (err) {
    throw jobError('jobs.invalid_options', `Job data must be JSON-serialisable: ${errorText(err)}`, err);
  }
  if (text === undefined) throw jobError('jobs.invalid_options', 'Job data must be JSON-serialisable');
  return text;
}

export function completedRetention(settings: JobQueueSettings): { ttlMs: number; max: number } {
  wholeNumber(settings.completedTtlMs, 'completedTtlMs', 0);
  wholeNumber(settings.completedMax, 'completedMax', 0);
  return { ttlMs: settings.completedTtlMs ?? DEFAULT_COMPLETED_TTL_MS, max: settings.completedMax ?? DEFAULT_COMPLETED_MAX };
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
