import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../engine/src/config/config.js';
import { createJobQueue } from '../../../../engine/src/jobs/create-job-queue.js';
import { createLogger } from '../../../../engine/src/shared/logger.js';

const log = createLogger('silent');

describe('createJobQueue', () => {
  it('runs jobs in-process when REDIS_URL is unset or empty', async () => {
    for (const env of [{}, { REDIS_URL: '' }]) {
      const queue = createJobQueue(loadConfig(env, '/app'), log);
      expect(queue.driver).toBe('in-process');
      await queue.close();
    }
  });

  it('runs jobs on Bull when REDIS_URL is set (connecting only when first used)', async () => {
    const config = loadConfig({ REDIS_URL: 'redis://127.0.0.1:1' }, '/app');
    expect(config.redisUrl).toBe('redis://127.0.0.1:1');
    const queue = createJobQueue(config, log);
    expect(queue.driver).toBe('bull');
    await queue.close();
  });
});
