// Picks the job queue driver from config: Bull when REDIS_URL is set (any number of processes share it),
// else the in-process queue (one process, the embedded default). Called by the composition root with its
// Config (only the job settings are read, so jobs/ need not import config/).
import type { Logger } from '../shared/logger.js';
import { BullQueue } from './bull-queue.js';
import { InProcessQueue } from './in-process-queue.js';
import type { JobQueue, JobQueueSettings } from './job-queue.js';

export function createJobQueue(
  config: { readonly redisUrl?: string; readonly redisPrefix?: string; readonly jobLockMs?: number },
  log: Logger,
  settings: JobQueueSettings = {},
): JobQueue {
  const queueLog = log.child({ area: 'jobs' });
  return config.redisUrl === undefined
    ? new InProcessQueue({ ...settings, log: queueLog })
    : new BullQueue({
        ...settings,
        redisUrl: config.redisUrl,
        ...(config.redisPrefix ? { prefix: config.redisPrefix } : {}),
        ...(config.jobLockMs ? { lockMs: config.jobLockMs } : {}),
        log: queueLog,
      });
}
