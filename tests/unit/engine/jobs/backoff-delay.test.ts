import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../../engine/src/jobs/backoff-delay.js';

describe('backoffDelay', () => {
  it('retries at once without a backoff', () => {
    expect(backoffDelay(undefined, 1)).toBe(0);
  });

  it('waits the same after every failure with a fixed backoff', () => {
    expect([1, 2, 5].map((n) => backoffDelay({ type: 'fixed', delayMs: 250 }, n))).toEqual([250, 250, 250]);
  });

  it("waits (2^n - 1) x delay after the n-th failure with an exponential backoff, as Bull's does", () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay({ type: 'exponential', delayMs: 300 }, n))).toEqual([300, 900, 2100, 4500]);
  });
});
