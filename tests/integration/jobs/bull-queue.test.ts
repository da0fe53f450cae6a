// The shared job queue suite on Bull with a real Redis, plus what only Bull can show: two instances sharing
// Redis (as two processes would) run each job once. CI sets REDIS_URL, which makes Redis required; a newcomer's
// `npm test` without Redis leaves this file out with a warning (README: no Redis is needed for the two commands).
import { Redis } from 'ioredis';
import { redisAnswers, TEST_REDIS_URL } from '../../support/redis-available.js';
import { afterAll, afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { BullQueue } from '../../../engine/src/jobs/bull-queue.js';
import type { JobRun } from '../../../engine/src/jobs/job-queue.js';
import { createLogger } from '../../../engine/src/shared/logger.js';
import { describeJobQueue } from '../../support/job-queue-suite.js';

const REDIS_URL = TEST_REDIS_URL;

const withRedis = await redisAnswers();
if (!withRedis) console.warn(`job queue (bull): no Redis answers at ${REDIS_URL}; set REDIS_URL to run these tests (CI does)`);
// Unique per run, and per queue below, so parallel runs and tests never see each other's keys.
const RUN_PREFIX = `tessera-test-jobs-${process.pid}-${Date.now()}`;
const log = createLogger('silent');
const redis = new Redis(REDIS_URL, { lazyConnect: !withRedis });
let queueCount = 0;

const bullQueue = (prefix = `${RUN_PREFIX}-${++queueCount}`) => new BullQueue({ redisUrl: REDIS_URL, prefix, log });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function deleteKeys(pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

afterEach(async () => {
  if (withRedis) await deleteKeys(`${RUN_PREFIX}*`);
});

afterAll(async () => {
  if (withRedis) await redis.quit();
});

if (withRedis) describeJobQueue('bull', () => bullQueue());

describe.runIf(withRedis)('job queue (bull, two processes)', () => {
  it('two queue instances on one Redis run each job once, and either lists all of them', async () => {
    const prefix = `${RUN_PREFIX}-shared`;
    const [first, second] = [bullQueue(prefix), bullQueue(prefix)];
    onTestFinished(() => Promise.all([first.close(), second.close()]).then(() => undefined));
    const runs = new Map<string, number>();
    const handler = async (job: JobRun) => {
      runs.set(job.key, (runs.get(job.key) ?? 0) + 1);
      await sleep(10);
    };
    first.process('test:shared', { concurrency: 3 }, handler);
    second.process('test:shared', { concurrency: 3 }, handler);
    for (let i = 0; i < 20; i++) await first.add('test:shared', { i }, { jobKey: `s${i}` });
    await vi.waitFor(() => expect(runs.size).toBe(20), { timeout: 5000, interval: 20 });
    await sleep(100);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    await vi.waitFor(async () => expect(await second.list('completed', 100)).toHaveLength(20), { timeout: 5000, interval: 20 });
  });
});
