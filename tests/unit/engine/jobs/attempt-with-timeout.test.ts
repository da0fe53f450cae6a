import { describe, expect, it } from 'vitest';
import { attemptWithTimeout } from '../../../../engine/src/jobs/attempt-with-timeout.js';

describe('attemptWithTimeout', () => {
  it('resolves and rejects with the handler when it is in time', async () => {
    await expect(attemptWithTimeout(async () => {}, 100)).resolves.toBeUndefined();
    await expect(attemptWithTimeout(async () => Promise.reject(new Error('no')), undefined)).rejects.toThrow('no');
  });

  it('turns a synchronous throw into a failed attempt', async () => {
    await expect(
      attemptWithTimeout(() => {
        throw new Error('sync');
      }, 100),
    ).rejects.toThrow('sync');
  });

  it('fails at the timeout, aborts the signal, and drops a late rejection', async () => {
    let signal: AbortSignal | undefined;
    const attempt = attemptWithTimeout(async (s) => {
      signal = s;
      await new Promise((resolve) => setTimeout(resolve, 80));
      throw new Error('late');
    }, 20);
    await expect(attempt).rejects.toThrow('Job timed out after 20 ms');
    expect(signal?.aborted).toBe(true);
    // An unhandled 'late' rejection would fail the run.
    await new Promise((resolve) => setTimeout(resolve, 100));
  });
});
