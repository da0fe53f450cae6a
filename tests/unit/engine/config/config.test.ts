import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../engine/src/config/config.js';

describe('loadConfig: job settings', () => {
  it('runs jobs in every process by default, with 5 attempts, a 1 s backoff, a 30 s lock and the tessera Redis prefix', () => {
    const config = loadConfig({}, '/app');
    expect(config).toMatchObject({ runJobs: true, jobAttempts: 5, jobBackoffMs: 1000, jobLockMs: 30_000, redisPrefix: 'tessera' });
  });

  it('makes an HTTP-only process only where Redis lets other processes run the jobs', () => {
    expect(loadConfig({ TESSERA_RUN_JOBS: 'false', REDIS_URL: 'redis://127.0.0.1:6379' }, '/app').runJobs).toBe(false);
    expect(() => loadConfig({ TESSERA_RUN_JOBS: 'false' }, '/app')).toThrow(/needs REDIS_URL/);
    expect(() => loadConfig({ TESSERA_RUN_JOBS: 'no' }, '/app')).toThrow(/TESSERA_RUN_JOBS must be true or false/);
    expect(() => loadConfig({ TESSERA_JOB_ATTEMPTS: '0' }, '/app')).toThrow(/TESSERA_JOB_ATTEMPTS must be a positive whole number/);
  });
});
