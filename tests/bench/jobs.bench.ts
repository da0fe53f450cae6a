// npm run bench:jobs (part 1 of 3) — what the outbox costs and how fast it relays (#20), on local PostgreSQL and Redis:
// 1. validated, audited creates of a plain entity against creates of the same entity with a plugin after hook, whose
//    write also leaves an outbox row (16 connections, rounds alternating): first with the engine serving HTTP only,
//    as in the scaled topology where workers relay and run the jobs (the write path's own cost), then as one process
//    that also relays the rows and runs the hooks (the embedded default's whole cost, on the same two cores);
// 2. the relay moving BENCH_RELAY_ROWS outbox rows to Bull (and, for comparison, to the in-process queue).
// Prints figures; asserts nothing. BENCH_SECONDS (default 15) and BENCH_ROUNDS (default 3) set the runs.
import type { ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { freeLoopbackPort } from '../../engine/src/db/free-port.js';
import { ensureOutboxTable, OUTBOX_TABLE } from '../../engine/src/db/outbox.js';
import { connectDatabase } from '../../engine/src/db/database.js';
import { BullQueue } from '../../engine/src/jobs/bull-queue.js';
import { InProcessQueue } from '../../engine/src/jobs/in-process-queue.js';
import type { JobQueue } from '../../engine/src/jobs/job-queue.js';
import { OutboxRelay } from '../../engine/src/jobs/outbox-relay.js';
import { createLogger } from '../../engine/src/shared/logger.js';
import { BENCH_ADMIN_URL, benchApi, benchDbUrl, freshBenchDatabase, startBenchEngine } from './bench-engine.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RELAY_ROWS = Number(process.env.BENCH_RELAY_ROWS ?? 20_000);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DB = 'tessera_bench_jobs';
const PASSWORD = 'bench-password-123';
const PREFIX = `tessera-bench-jobs-${process.pid}`;
const log = createLogger('silent');

async function createRate(port: number, token: string, entity: string): Promise<{ rps: number; errors: number }> {
  let n = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: 16,
    duration: SECONDS,
    requests: [
      {
        method: 'POST',
        path: `/api/v1/${entity}`,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        setupRequest: (req) => ({ ...req, body: JSON.stringify({ name: `item ${++n}`, qty: n % 100, note: 'bench' }) }),
      },
    ],
  });
  return { rps: result.requests.average, errors: result.non2xx + result.errors };
}

async function writePath(label: string, env: Record<string, string>): Promise<void> {
  console.log(label);
  const port = await freeLoopbackPort();
  const engine: ChildProcess = await startBenchEngine(port, {
    DATABASE_URL: benchDbUrl(DB),
    TESSERA_PACKS: 'metadata/packs/core,tests/bench/packs/jobs',
    TESSERA_PLUGINS_DIR: 'tests/bench/plugins',
    TESSERA_ADMIN_PASSWORD: PASSWORD,
    ...env,
  });
  try {
    const token = (await benchApi(port, undefined, 'POST', '/api/auth/login', { username: 'admin', password: PASSWORD })).data
      .token as string;
    await createRate(port, token, 'jb_plain_item'); // warm-up
    await createRate(port, token, 'jb_hooked_item');
    const ratios: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const plain = await createRate(port, token, 'jb_plain_item');
      const hooked = await createRate(port, token, 'jb_hooked_item');
      ratios.push(hooked.rps / plain.rps);
      console.log(
        `  round ${round}: plain create ${plain.rps.toFixed(0)} req/s, create + outbox row ${hooked.rps.toFixed(0)} req/s` +
          ` = ${((100 * hooked.rps) / plain.rps).toFixed(0)}% (errors ${plain.errors + hooked.errors})`,
      );
    }
    const median = ratios.sort((a, b) => a - b)[Math.floor(ratios.length / 2)] ?? 0;
    console.log(`  create with an outbox row: median ${(100 * median).toFixed(0)}% of the plain create (target >= 85%)`);
  } finally {
    engine.kill('SIGTERM');
    await new Promise((r) => engine.once('exit', r));
  }
}

async function relayRate(label: string, queue: JobQueue): Promise<void> {
  const db = connectDatabase(benchDbUrl(DB), 'postgres');
  try {
    await ensureOutboxTable(db.knex);
    await db.pool.query(`TRUNCATE ${OUTBOX_TABLE}`);
    await db.pool.query(
      `INSERT INTO ${OUTBOX_TABLE} (job_name, job_key, data) SELECT 'bench:noop', '', jsonb_build_object('n', n) FROM generate_series(1, $1) n`,
      [RELAY_ROWS],
    );
    const relay = new OutboxRelay({ pool: db.pool, queue, log, run: { attempts: 5, backoff: { type: 'exponential', delayMs: 1000 } } });
    const started = performance.now();
    let relayed = 0;
    for (let n = await relay.relayOnce(); n > 0; n = await relay.relayOnce()) relayed += n;
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `relay to ${label}: ${relayed} jobs in ${seconds.toFixed(2)} s = ${(relayed / seconds).toFixed(0)} jobs/s ${label === 'Bull' ? '(target > 2,000)' : ''}`,
    );
  } finally {
    await queue.close();
    await db.close();
  }
}

async function dropRedisKeys(): Promise<void> {
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}

console.log(`bench:jobs on ${BENCH_ADMIN_URL.replace(/\/[^/]*$/, '')} and ${REDIS_URL}, ${SECONDS} s runs, ${ROUNDS} rounds`);
await freshBenchDatabase(DB);
try {
  await writePath('write path, HTTP-only engine (scaled topology: workers relay and run the jobs)', {
    REDIS_URL,
    TESSERA_REDIS_PREFIX: PREFIX,
    TESSERA_RUN_JOBS: 'false',
  });
  await writePath('one process relaying and running the hooks too (embedded default, in-process queue)', {});
  await relayRate('Bull', new BullQueue({ redisUrl: REDIS_URL, prefix: `${PREFIX}-relay`, log }));
  await relayRate('the in-process queue', new InProcessQueue({ log }));
} finally {
  await dropRedisKeys();
}
