// Jobs through a whole engine (#20): plugin after hooks run from the outbox after commit, retried with backoff
// and finally dead but never lost (both drivers); with Redis, 1,000 writes made while Redis is down are each
// delivered once when it is back, and in the scaled topology (an HTTP-only engine, `tessera worker` processes)
// each job runs once and a worker killed mid-job has its job finished by another.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { freeLoopbackPort } from '../../../engine/src/db/free-port.js';
import { withTransaction } from '../../../engine/src/db/transaction.js';
import { deferOutboxJob } from '../../../engine/src/db/outbox.js';
import { dropRedisKeys, redisAnswers, TEST_REDIS_URL } from '../../support/redis-available.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

const PACKS = ['metadata/packs/core', 'tests/fixtures/packs/jobs-demo'];
const PLUGINS = 'tests/fixtures/plugins';
const RUN_PREFIX = `tessera-test-engine-jobs-${process.pid}-${Date.now()}`;
const withRedis = await redisAnswers();
const cleanups: Array<() => Promise<void>> = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  if (!withRedis) return;
  await dropRedisKeys(RUN_PREFIX);
});

async function engineWith(env: Record<string, string> = {}): Promise<TestEngine> {
  const t = await startTestEngine({ packs: PACKS, pluginsDir: PLUGINS, env });
  cleanups.push(() => t.stop());
  return t;
}

interface Run {
  run_key: string;
  item: string | null;
  phase: string;
  pid: number;
}

async function runs(t: TestEngine, phase: string): Promise<Run[]> {
  return (await t.db.pool.query<Run>(`SELECT run_key, item, phase, pid FROM probe_run WHERE phase = $1 ORDER BY created_at, id`, [phase]))
    .rows;
}

async function createItem(t: TestEngine, title: string, failTimes = 0): Promise<string> {
  const res = await t.request('POST', '/api/v1/probe_item', { title, fail_times: failTimes });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data.id as string;
}

/** Runs `fn` over 0..count-1, `width` at a time. */
async function inParallel(count: number, width: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await fn(next++);
    }),
  );
}

type Driver = [string, () => Record<string, string>];
const drivers: Driver[] = [['in-process', () => ({})]];
let engines = 0;
// Each engine its own prefix: engines on one Redis prefix share queues, whatever database they serve.
if (withRedis) drivers.push(['bull', () => ({ REDIS_URL: TEST_REDIS_URL, TESSERA_REDIS_PREFIX: `${RUN_PREFIX}-hooks-${++engines}` })]);

describe.each(drivers)('plugin after hooks on the %s queue', (_driver, env) => {
  it('run after commit from the outbox, with one delivery key, retried with backoff until they succeed', async () => {
    const t = await engineWith(env());
    const item = await createItem(t, 'flaky twice', 2);
    await vi.waitFor(async () => expect((await runs(t, 'hook')).filter((r) => r.item === item)).toHaveLength(3), {
      timeout: 10_000,
      interval: 50,
    });
    const mine = (await runs(t, 'hook')).filter((r) => r.item === item);
    expect(new Set(mine.map((r) => r.run_key)).size).toBe(1);
    // It succeeded on the third run: no fourth, and nothing dead.
    await new Promise((r) => setTimeout(r, 300));
    expect((await runs(t, 'hook')).filter((r) => r.item === item)).toHaveLength(3);
    expect((await t.request('GET', '/api/admin/jobs?state=dead')).body.data).toEqual([]);
  });

  it('end dead with their error at /api/admin/jobs when they keep failing, and the write stays', async () => {
    const t = await engineWith(env());
    const item = await createItem(t, 'always failing', 99);
    const dead = async () => (await t.request('GET', '/api/admin/jobs?state=dead')).body.data as Array<Record<string, any>>;
    await vi.waitFor(async () => expect(await dead()).toHaveLength(1), { timeout: 10_000, interval: 50 });
    const [job] = await dead();
    expect(job).toMatchObject({
      name: 'hooks:after',
      failures: 5,
      maxAttempts: 5,
      data: { plugin: 'job-probe', entity: 'probe_item', recordId: item },
    });
    expect(job?.error).toMatch(/failing on purpose, run 5 of 99/);
    expect((await t.request('GET', `/api/v1/probe_item/${item}`)).status).toBe(200);
  });
});

/** A Redis of the test's own, so that it can be stopped and started again. */
async function startRedis(port: number): Promise<ChildProcess> {
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const probe = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: 1 });
  probe.on('error', () => undefined);
  await vi.waitFor(async () => expect(await probe.ping()).toBe('PONG'), { timeout: 10_000, interval: 50 });
  probe.disconnect();
  return redis;
}

async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

/** `tessera worker` as its own process on the database of `t`; resolves once it runs jobs. */
async function startWorker(t: TestEngine, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [resolve('bin/tessera.js'), 'worker'], {
    env: {
      ...process.env,
      DATABASE_URL: t.db.url,
      TESSERA_PACKS: PACKS.map((p) => resolve(p)).join(','),
      TESSERA_PLUGINS_DIR: resolve(PLUGINS),
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(() => stopProcess(child, 'SIGKILL'));
  let output = '';
  await new Promise<void>((ready, failed) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Tessera worker is running jobs')) ready();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => failed(new Error(`tessera worker exited with ${code}:\n${output}`)));
  });
  return child;
}

describe.runIf(withRedis)('jobs with Redis', () => {
  it('delivers every job of 1,000 writes made while Redis is down exactly once when it is back', async () => {
    const port = await freeLoopbackPort();
    let redis = await startRedis(port);
    cleanups.push(() => stopProcess(redis));
    const t = await engineWith({ REDIS_URL: `redis://127.0.0.1:${port}`, TESSERA_REDIS_PREFIX: `${RUN_PREFIX}-down` });
    await stopProcess(redis);

    await inParallel(1000, 8, async (i) => void (await createItem(t, `written while Redis is down ${i}`)));
    redis = await startRedis(port);

    await vi.waitFor(async () => expect(await runs(t, 'hook')).toHaveLength(1000), { timeout: 60_000, interval: 200 });
    const hooks = await runs(t, 'hook');
    expect(new Set(hooks.map((r) => r.item)).size).toBe(1000);
    await new Promise((r) => setTimeout(r, 300));
    expect(await runs(t, 'hook')).toHaveLength(1000);
  });

  it('runs each job once across an HTTP-only engine and two workers, and finishes a killed worker’s job elsewhere', async () => {
    const env = { REDIS_URL: TEST_REDIS_URL, TESSERA_REDIS_PREFIX: `${RUN_PREFIX}-scaled`, TESSERA_JOB_LOCK_MS: '1000' };
    const t = await engineWith({ ...env, TESSERA_RUN_JOBS: 'false' });
    const workers = await Promise.all([startWorker(t, env), startWorker(t, env)]);
    const workerPids = new Set(workers.map((w) => w.pid));

    await withTransaction(t.db.pool, async (tx) => {
      for (let n = 0; n < 1000; n++) deferOutboxJob(tx, { name: 'probe:record', data: { n } });
    });
    await vi.waitFor(async () => expect(await runs(t, 'done')).toHaveLength(1000), { timeout: 60_000, interval: 200 });
    const done = await runs(t, 'done');
    expect(new Set(done.map((r) => r.run_key)).size).toBe(1000);
    // The HTTP-only engine wrote them; the workers relayed and ran them.
    expect(done.every((r) => workerPids.has(r.pid))).toBe(true);

    await withTransaction(t.db.pool, async (tx) => deferOutboxJob(tx, { name: 'probe:record', data: { n: 5000, holdMs: 600_000 } }));
    await vi.waitFor(async () => expect(await runs(t, 'started')).toHaveLength(1), { timeout: 20_000, interval: 100 });
    const [started] = await runs(t, 'started');
    const victim = workers.find((w) => w.pid === started?.pid);
    const survivor = workers.find((w) => w !== victim);
    expect(victim).toBeDefined();
    await stopProcess(victim as ChildProcess, 'SIGKILL');

    // Its lock lapses; the other worker takes the stalled job and finishes it.
    await vi.waitFor(async () => expect((await runs(t, 'done')).filter((r) => r.run_key === 'record:5000')).toHaveLength(1), {
      timeout: 30_000,
      interval: 200,
    });
    const finished = (await runs(t, 'done')).find((r) => r.run_key === 'record:5000');
    expect(finished?.pid).toBe(survivor?.pid);
  });
});
