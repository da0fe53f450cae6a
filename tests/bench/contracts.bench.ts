// npm run bench:contracts (#24): the billing run over 100,000 contracts' due billing lines (one per contract, 10,000
// customers, so 10,000 invoices of 10 lines), then the customer transaction view (GET /api/v1/customer/<id>/overviews/
// transactions) for a customer with 1,000 contracts, p50/p95 over sequential requests. The engine runs in its own
// process on local PostgreSQL (it applies the packs); contracts and billing lines are inserted set-based as the demo
// data would be, and the billing run is the job's own code (runBilling in a bulk transaction). Prints figures;
// asserts nothing. BENCH_CONTRACTS (default 100000) and BENCH_VIEWS (default 200) set the sizes.
import { resolve } from 'node:path';
import pg from 'pg';
import { freeLoopbackPort } from '../../engine/src/db/free-port.js';
import { buildModelRuntime } from '../../engine/src/data/entity-runtime.js';
import { bulkTransaction } from '../../engine/src/jobs/bulk-transaction.js';
import { loadModel } from '../../engine/src/metadata/load-model.js';
import { loadRegistries } from '../../engine/src/plugins/load-plugins.js';
import { createLogger } from '../../engine/src/shared/logger.js';
import { runBilling } from '../../plugins/billing/billing-run.js';
import { table } from '../../plugins/billing/physical.js';
import { benchApi, benchDbUrl, BENCH_ADMIN_URL, freshBenchDatabase, startBenchEngine } from './bench-engine.js';

const CONTRACTS = Number(process.env.BENCH_CONTRACTS ?? 100_000);
const VIEWS = Number(process.env.BENCH_VIEWS ?? 200);
const BIG_CUSTOMER_CONTRACTS = 1000;
const CUSTOMERS = Math.max(1, Math.floor((CONTRACTS - BIG_CUSTOMER_CONTRACTS) / 10)) + 1;
const DB = 'tessera_bench_contracts';
const PASSWORD = 'bench-password-123';
const PACKS = ['metadata/packs/core', 'metadata/packs/crm', 'metadata/packs/contracts'].map((p) => resolve(p));

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

console.log(`bench:contracts on ${BENCH_ADMIN_URL.replace(/\/[^/]*$/, '')}: ${CONTRACTS} contracts of ${CUSTOMERS} customers`);
await freshBenchDatabase(DB);
const port = await freeLoopbackPort();
const engine = await startBenchEngine(port, {
  DATABASE_URL: benchDbUrl(DB),
  TESSERA_PACKS: PACKS.join(','),
  TESSERA_ADMIN_PASSWORD: PASSWORD,
  TESSERA_DEMO_DATA: 'false',
});
const pool = new pg.Pool({ connectionString: benchDbUrl(DB), max: 4 });
try {
  const { registries } = await loadRegistries(resolve('plugins'), PACKS, createLogger('warn'));
  const model = loadModel(PACKS, { kinds: registries.kinds });
  const runtime = buildModelRuntime(model, registries.kinds, registries.operators);
  const cu = table(model, 'customer');
  const c = table(model, 'contract');
  const bl = table(model, 'billing_line');

  let at = Date.now();
  await pool.query(
    `INSERT INTO ${cu.table} (id, ${cu.col('name')}) SELECT gen_random_uuid(), 'Bench customer ' || n FROM generate_series(1, $1) n`,
    [CUSTOMERS],
  );
  // The first customer (by name) holds 1,000 contracts; the others 10 each.
  await pool.query(
    `WITH cs AS (SELECT id, row_number() OVER (ORDER BY ${cu.col('name')}) AS k FROM ${cu.table}),
          ns AS (SELECT n, CASE WHEN n <= $2 THEN 1 ELSE 2 + (n - $2 - 1) / 10 END AS k FROM generate_series(1, $1) n)
     INSERT INTO ${c.table} (id, ${c.col('title')}, ${c.col('customer')}, ${c.col('status')}, ${c.col('signed_on')})
     SELECT gen_random_uuid(), 'Bench contract ' || ns.n, cs.id, 'active', DATE '2027-01-01' FROM ns JOIN cs USING (k)`,
    [CONTRACTS, BIG_CUSTOMER_CONTRACTS],
  );
  await pool.query(
    `INSERT INTO ${bl.table} (id, ${bl.col('contract')}, ${bl.col('description')}, ${bl.col('trigger')}, ${bl.col('bill_on')},
            ${bl.col('basis')}, ${bl.col('fixed_amount')}, ${bl.col('amount')}, ${bl.col('due_on')}, ${bl.col('status')})
     SELECT gen_random_uuid(), k.id, 'Instalment', 'date', DATE '2027-02-01', 'amount', 1234.56, 1234.56, DATE '2027-02-01', 'due' FROM ${c.table} k`,
  );
  await pool.query('ANALYZE');
  console.log(`set-up: ${CUSTOMERS} customers, ${CONTRACTS} contracts and billing lines in ${((Date.now() - at) / 1000).toFixed(1)} s`);

  at = Date.now();
  const run = await bulkTransaction(pool, runtime, (tx) => runBilling(model, tx, '2027-02-01'));
  const seconds = (Date.now() - at) / 1000;
  console.log(`billing run: ${run.lines} due lines -> ${run.invoices} invoices (${run.amount}) in ${seconds.toFixed(1)} s (target < 60 s)`);
  at = Date.now();
  const again = await bulkTransaction(pool, runtime, (tx) => runBilling(model, tx, '2027-02-01'));
  console.log(`second run: ${again.invoices} invoices, ${again.lines} lines in ${((Date.now() - at) / 1000).toFixed(1)} s`);

  const token = (await benchApi(port, undefined, 'POST', '/api/auth/login', { username: 'admin', password: PASSWORD })).data
    .token as string;
  const big = (await pool.query<{ id: string }>(`SELECT id FROM ${cu.table} ORDER BY ${cu.col('name')} LIMIT 1`)).rows[0]?.id;
  const path = `/api/v1/customer/${big}/overviews/transactions`;
  const first = await benchApi(port, token, 'GET', path);
  console.log(
    `transaction view: ${first.data.sections.contracts.count} contracts, ${first.data.sections.invoices.count} invoices, receivable ${first.data.sections.receivables.totals.outstanding}`,
  );
  for (let i = 0; i < 20; i++) await benchApi(port, token, 'GET', path); // warm-up
  const times: number[] = [];
  for (let i = 0; i < VIEWS; i++) {
    const t0 = performance.now();
    await benchApi(port, token, 'GET', path);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(
    `transaction view, ${VIEWS} sequential requests: p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms (target < 200 ms), max ${times[times.length - 1]?.toFixed(1)} ms`,
  );
} finally {
  await pool.end();
  engine.kill();
}
