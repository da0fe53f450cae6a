// Wait before the next attempt; the in-process driver calls it, and it matches what Bull computes itself
// (lib/backoffs.js), so both drivers retry on the same schedule.
import type { Backoff } from './job-queue.js';

/** Milliseconds to wait after the `failures`-th failed attempt (1 after the first failure). */
export function backoffDelay(backoff: Backoff | undefined, failures: number): number {
  if (backoff === undefined) return 0;
  if (backoff.type === 'fixed') return backoff.delayMs;
  return Math.round((2 ** failures - 1) * backoff.delayMs);
}
