// `npm run bench:crm`: the time of `tessera seed crm --size large` (1,000,000 customers, 2,000,000
// opportunities, 5,000,000 activities) on local PostgreSQL, from a fresh database with the packs applied, run
// as the CLI runs it. Prints the figure against the target (under 3 minutes) and each step's share; asserts
// nothing. Then the customer list on that data (customer-list.ts). BENCH_PG_URL picks the server (default
// postgres://postgres@127.0.0.1:5432/postgres); BENCH_KEEP=1 keeps the database (for crm-list.bench.ts).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { measureCustomerList } from './customer-list.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SERVER = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TARGET_SECONDS = 180;

function run(args: string[], url: string, onLine: (line: string) => void): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['bin/tessera.js', ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffered = '';
    const take = (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`tessera ${args.join(' ')} exited with ${code}`))));
  });
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: SERVER });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const name = `tessera_bench_crm_${randomBytes(4).toString('hex')}`;
const url = new URL(SERVER);
url.pathname = `/${name}`;
console.log(
  `bench:crm on ${cpus().length} CPU(s), load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; database ${name}`,
);
await admin((c) => c.query(`CREATE DATABASE ${name}`));
try {
  await run(['apply'], url.toString(), () => undefined);
  const steps: string[] = [];
  const started = performance.now();
  await run(['seed', 'crm', '--size', 'large'], url.toString(), (line) => {
    if (line.startsWith('  [crm]')) {
      steps.push(line);
      console.log(line);
    } else if (line.startsWith('Seeded')) console.log(line);
  });
  const seconds = (performance.now() - started) / 1000;
  const sizes = await admin(async () => {
    const c = new pg.Client({ connectionString: url.toString() });
    await c.connect();
    try {
      return (await c.query(`SELECT pg_size_pretty(pg_database_size(current_database())) AS size`)).rows[0]?.size as string;
    } finally {
      await c.end();
    }
  });
  console.log(
    `\nseed crm --size large: ${seconds.toFixed(1)} s (target < ${TARGET_SECONDS} s: ${seconds < TARGET_SECONDS ? 'met' : 'MISSED'}); database ${sizes}`,
  );
  await measureCustomerList(url.toString());
} finally {
  if (process.env.BENCH_KEEP === '1') console.log(`kept ${url.toString()}`);
  else await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
