// The outbox (#20): jobs written in a write's transaction reach the queue exactly once — through a queue that
// is down for a while, a relay that added jobs but died before marking them, two relays side by side, and (memory
// queue) a process that died with relayed jobs unfinished.
// On the in-process queue, and on Bull when Redis answers (CI sets REDIS_URL).
import { dropRedisKeys, redisAnswers, TEST_REDIS_URL } from '../../support/redis-available.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { withTransaction } from '../../../engine/src/db/transaction.js';
import { BullQueue } from '../../../engine/src/jobs/bull-queue.js';
import { InProcessQueue } from '../../../engine/src/jobs/in-process-queue.js';
import type { JobQueue } from '../../../engine/src/jobs/job-queue.js';
import { OUTBOX_TABLE, deferOutboxJob, ensureOutboxTable } from '../../../engine/src/db/outbox.js';
import { OutboxRelay, outboxJobKey } from '../../../engine/src/jobs/outbox-relay.js';
import { createLogger } from '../../../engine/src/shared/logger.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

const log = createLogger('silent');
const REDIS_URL = TEST_REDIS_URL;
const RUN_PREFIX = `tessera-test-outbox-${process.pid}-${Date.now()}`;
let db: TestDatabase;

const withRedis = await redisAnswers();

beforeAll(async () => {
  db = await createTestDatabase();
  await ensureOutboxTable(db.knex);
});

afterAll(async () => {
  await db?.dispose();
  if (!withRedis) return;
  // Bull's keys of this run's queues go with it.
  await dropRedisKeys(RUN_PREFIX);
});

/** Writes `count` jobs, `perWrite` per transaction, as writes would. */
async function writeJobs(name: string, count: number, perWrite = 10): Promise<void> {
  for (let start = 0; start < count; start += perWrite) {
    await withTransaction(db.pool, async (tx) => {
      for (let i = start; i < Math.min(count, start + perWrite); i++) deferOutboxJob(tx, { name, data: { i } });
    });
  }
}

async function pending(name: string): Promise<number> {
  const res = await db.pool.query(`SELECT count(*)::int AS n FROM ${OUTBOX_TABLE} WHERE job_name = $1 AND relayed_at IS NULL`, [name]);
  return res.rows[0].n as number;
}

/** Collects how often each job ran. */
function counting(queue: JobQueue, name: string): Map<number, number> {
  const runs = new Map<number, number>();
  queue.process(name, { concurrency: 4 }, async (job) => {
    const i = (job.data as { i: number }).i;
    runs.set(i, (runs.get(i) ?? 0) + 1);
  });
  return runs;
}

type Driver = [string, (prefix: string) => JobQueue];
const inProcess: Driver = ['in-process', () => new InProcessQueue({ log })];
const bull: Driver = ['bull', (prefix) => new BullQueue({ redisUrl: REDIS_URL, prefix: `${RUN_PREFIX}-${prefix}`, log })];
const drivers: Driver[] = withRedis ? [inProcess, bull] : [inProcess];

describe.each(drivers)('the outbox on the %s queue', (driver, createQueue) => {
  it('delivers 1,000 jobs written while the queue was down exactly once, after it comes back', async () => {
    const name = `test:outbox-${driver}-down`;
    const down = createQueue('down');
    await down.close();
    await writeJobs(name, 1000, 50);
    // A relay pass against a queue that refuses changes nothing: every row still waits.
    await expect(new OutboxRelay({ pool: db.pool, queue: down, log }).relayOnce()).rejects.toThrow();
    expect(await pending(name)).toBe(1000);

    const queue = createQueue('up');
    try {
      const runs = counting(queue, name);
      const relay = new OutboxRelay({ pool: db.pool, queue, log, idleMs: 20 });
      relay.start();
      await vi.waitFor(() => expect(runs.size).toBe(1000), { timeout: 20_000, interval: 50 });
      await relay.stop();
      expect([...runs.values()].every((n) => n === 1)).toBe(true);
      expect(await pending(name)).toBe(0);
    } finally {
      await queue.close();
    }
  });

  it('adds no job twice when a relay died between adding jobs and marking them, or two relays run at once', async () => {
    const name = `test:outbox-${driver}-twice`;
    await writeJobs(name, 300, 30);
    const queue = createQueue('twice');
    try {
      // As if a relay had added the first 100 and died before its transaction committed.
      const first = await db.pool.query<{ id: string; job_key: string; data: unknown }>(
        `SELECT id::text AS id, job_key, data FROM ${OUTBOX_TABLE} WHERE job_name = $1 ORDER BY id LIMIT 100`,
        [name],
      );
      for (const row of first.rows) await queue.add(name, row.data, { jobKey: outboxJobKey(row) });
      const runs = counting(queue, name);
      const relays = [0, 1].map(() => new OutboxRelay({ pool: db.pool, queue, log, idleMs: 10 }));
      for (const relay of relays) relay.start();
      await vi.waitFor(() => expect(runs.size).toBe(300), { timeout: 10_000, interval: 20 });
      await Promise.all(relays.map((relay) => relay.stop()));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect([...runs.values()].every((n) => n === 1)).toBe(true);
      expect(await pending(name)).toBe(0);
    } finally {
      await queue.close();
    }
  });

  it('writes nothing when the write rolls back', async () => {
    const name = `test:outbox-${driver}-rollback`;
    await expect(
      withTransaction(db.pool, async (tx) => {
        deferOutboxJob(tx, { name, data: { i: 1 } });
        await tx.query('SELECT 1/0');
      }),
    ).rejects.toThrow();
    expect(await pending(name)).toBe(0);
  });
});

describe('the outbox on a queue that keeps jobs in memory', () => {
  it('settles a row when its job completes; a restart relays the unfinished ones again, and only those', async () => {
    const name = 'test:outbox-restart';
    await writeJobs(name, 50, 10);
    const settled = async () =>
      (await db.pool.query(`SELECT count(*)::int AS n FROM ${OUTBOX_TABLE} WHERE job_name = $1 AND settled_at IS NOT NULL`, [name])).rows[0]
        .n as number;

    // The first process runs 20 jobs, then dies with the other 30 relayed into its memory.
    const first = new InProcessQueue({ log });
    const firstRuns = new Map<number, number>();
    let release: () => void = () => undefined;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    first.process(name, { concurrency: 1 }, async (job) => {
      const i = (job.data as { i: number }).i;
      if (firstRuns.size >= 20) await blocked;
      firstRuns.set(i, (firstRuns.get(i) ?? 0) + 1);
    });
    const dying = new OutboxRelay({ pool: db.pool, queue: first, log, idleMs: 10 });
    dying.start();
    await vi.waitFor(async () => expect(await settled()).toBe(20), { timeout: 5000, interval: 20 });
    await dying.stop();
    expect(await pending(name)).toBe(0);

    // The next process relays the 30 unsettled rows again, runs them once each, and never the 20 finished ones.
    const second = new InProcessQueue({ log });
    try {
      const runs = counting(second, name);
      const relay = new OutboxRelay({ pool: db.pool, queue: second, log, idleMs: 10 });
      relay.start();
      await vi.waitFor(async () => expect(await settled()).toBe(50), { timeout: 5000, interval: 20 });
      await relay.stop();
      expect(runs.size).toBe(30);
      expect([...runs.values()].every((n) => n === 1)).toBe(true);
      expect([...runs.keys()].some((i) => firstRuns.has(i))).toBe(false);
    } finally {
      release();
      await first.close();
      await second.close();
    }
  });
});
