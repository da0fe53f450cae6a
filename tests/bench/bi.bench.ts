// `npm run bench:bi` (#22): on the CRM demo data (BENCH_BI_SIZE=small by default; `large` is the 2,000,000
// opportunities, seeded in minutes), the heavy reports through Cube — the funnel, won revenue by month and the top 10
// customers, each kept in a rollup. The engine's start queues the rollup job (bi:refresh-rollups), which builds every
// user's rollups: its time is printed, then each report's first query after it (cold: Cube's start and the viewer's
// compile, rollups already built) and warm (p50/p95 of 30), each beside the same aggregate in raw SQL as a ratio; and
// the REST aggregate endpoint (count and sum by stage) beside its raw SQL. Prints figures against the targets;
// asserts nothing. BENCH_BI_DB reuses a seeded database.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { DEMO_PASSWORD } from '../../plugins/crm-demo/sales-org.js';
import { benchApi, benchDbUrl, freshBenchDatabase } from './bench-engine.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SIZE = process.env.BENCH_BI_SIZE === 'large' ? 'large' : 'small';
const DB = process.env.BENCH_BI_DB ?? `tessera_bench_bi_${SIZE}`;
const PORT = 3911;
const RUNS = 30;
const PASSWORD = 'bench-admin-password';

function tessera(args: string[]): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['bin/tessera.js', ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: benchDbUrl(DB), LOG_LEVEL: 'warn', TESSERA_ADMIN_PASSWORD: PASSWORD },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`tessera ${args.join(' ')} exited with ${code}`))));
  });
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function series(fn: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  await fn();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await timed(fn));
  return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
}

const ms = (n: number) => `${n.toFixed(1)} ms`;

/**
 * `tessera serve` in its own process, logging at info so that the rollup job's end is seen (its log line); warnings and
 * errors are passed on. Resolves once /api/health answers, with the promise of the job's line.
 */
async function startEngine(env: Record<string, string>): Promise<{ child: ChildProcess; rollups: Promise<Record<string, unknown>> }> {
  const child = spawn(process.execPath, ['bin/tessera.js', 'serve'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(PORT), HOST: '127.0.0.1', LOG_LEVEL: 'info', TESSERA_DB_POOL: '16', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const rollups = new Promise<Record<string, unknown>>((done) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (entry.msg === 'report rollups built') done(entry);
      else if (typeof entry.level === 'number' && entry.level >= 40) console.error(line);
    });
  });
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${PORT}/api/health`)).ok) return { child, rollups };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill();
  throw new Error('engine did not start');
}

/** Each heavy report beside the SQL that computes the same aggregate over every live row (the CRM administrator's scope). */
const REPORTS: ReadonlyArray<{ name: string; sql: string }> = [
  {
    name: 'sales_funnel',
    sql: `SELECT stage, count(*), sum(amount_cny), sum(amount_cny * confidence / 100) FROM opportunity
          WHERE deleted_at IS NULL AND stage NOT IN ('won', 'lost') GROUP BY 1`,
  },
  {
    name: 'revenue_by_month',
    sql: `SELECT date_trunc('month', closed_on), sum(amount_cny), count(*) FROM opportunity
          WHERE deleted_at IS NULL AND stage = 'won' GROUP BY 1`,
  },
  {
    name: 'top_customers_by_revenue',
    sql: `SELECT c.name, sum(o.amount_cny) AS won FROM opportunity o LEFT JOIN customer c ON c.id = o.customer_id AND c.deleted_at IS NULL
          WHERE o.deleted_at IS NULL AND o.stage = 'won' GROUP BY 1 ORDER BY 2 DESC NULLS LAST LIMIT 10`,
  },
];

console.log(
  `bench:bi (${SIZE}) on ${cpus().length} CPU(s), load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; database ${DB}`,
);
if (!process.env.BENCH_BI_DB) {
  await freshBenchDatabase(DB);
  const seeded = await timed(async () => {
    await tessera(['apply']);
    await tessera(['seed', 'crm', '--size', SIZE]);
  });
  console.log(`seeded the ${SIZE} demo data in ${(seeded / 1000).toFixed(1)} s`);
}
const sql = new pg.Pool({ connectionString: benchDbUrl(DB), max: 2 });
const opportunities = Number((await sql.query('SELECT count(*) AS n FROM opportunity')).rows[0]?.n);
console.log(`${opportunities} opportunities`);
// Production mode: no playground listener; Cube still runs in the engine's process.
const started = performance.now();
const { child: engine, rollups } = await startEngine({
  DATABASE_URL: benchDbUrl(DB),
  TESSERA_DEMO_DATA: 'false',
  TESSERA_ADMIN_PASSWORD: PASSWORD,
  NODE_ENV: 'production',
});
try {
  const built = await rollups;
  console.log(
    `rollup job at start: every user's rollups built ${((performance.now() - started) / 1000).toFixed(1)} s after the engine was started (${String(built.contexts)} users, job ${ms(Number(built.ms))})`,
  );
  // The demo's CRM administrator reads every record (the seed's users come with its credentials, so no admin is seeded).
  const login = await benchApi(PORT, undefined, 'POST', '/api/auth/login', { username: 'zhao.min', password: DEMO_PASSWORD });
  const token = String(login.data.token);
  console.log('\nreport (through Cube, rollups)          first     warm p50   warm p95   SQL p50    ratio p50  target');
  for (const r of REPORTS) {
    const cold = await timed(() => benchApi(PORT, token, 'GET', `/api/v1/reports/${r.name}`));
    const warm = await series(() => benchApi(PORT, token, 'GET', `/api/v1/reports/${r.name}`));
    const raw = await series(() => sql.query(r.sql));
    const met = warm.p95 < 500 && cold < 5000 ? 'met' : 'MISSED';
    console.log(
      `${r.name.padEnd(38)} ${ms(cold).padStart(9)} ${ms(warm.p50).padStart(10)} ${ms(warm.p95).padStart(10)} ${ms(raw.p50).padStart(10)} ${(warm.p50 / raw.p50).toFixed(2).padStart(9)}x  p95 < 500 ms, cold < 5 s: ${met}`,
    );
  }
  const path = '/api/v1/opportunity/aggregate?groupBy=stage&measures=count,sum:amount';
  const api = await series(() => benchApi(PORT, token, 'GET', path));
  const raw = await series(() =>
    sql.query(`SELECT stage, amount_currency, count(*), sum(amount) FROM opportunity WHERE deleted_at IS NULL GROUP BY 1, 2 ORDER BY 1, 2`),
  );
  console.log(
    `\nREST aggregate (count, sum by stage): p50 ${ms(api.p50)}, p95 ${ms(api.p95)}; raw SQL p50 ${ms(raw.p50)}, p95 ${ms(raw.p95)}; ratio p50 ${(api.p50 / raw.p50).toFixed(2)}x (target within 1.1x: ${api.p50 <= raw.p50 * 1.1 ? 'met' : 'MISSED'})`,
  );
} finally {
  engine.kill('SIGTERM');
  await sql.end();
}
