// npm run bench:rules — what rules as metadata cost (#19), on local PostgreSQL, the engine in its own process:
// 1. validated, audited creates of a plain entity against creates of an entity with two computed fields, a rollup
//    into its parent, a score and a numbering rule, and the same without the numbering rule (16 connections,
//    rounds alternating so drift hits all three);
// 2. 50 concurrent numbered creates: no duplicate, no gap but the reserved numbers;
// 3. `tessera rescore` of 1,000,000 records (BENCH_RESCORE_ROWS), set-based.
// Prints figures; asserts nothing. BENCH_SECONDS (default 15) and BENCH_ROUNDS (default 3) set the runs.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { freeLoopbackPort } from '../../engine/src/db/free-port.js';
import { BENCH_ADMIN_URL, benchApi, benchDbUrl, freshBenchDatabase, startBenchEngine } from './bench-engine.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RESCORE_ROWS = Number(process.env.BENCH_RESCORE_ROWS ?? 1_000_000);
const DB = 'tessera_bench_rules';
const PASSWORD = 'bench-password-123';
const ACCOUNTS = 1000;
const PACKS = 'metadata/packs/core,tests/bench/packs/rules';

function startEngine(port: number): Promise<ChildProcess> {
  return startBenchEngine(port, { DATABASE_URL: benchDbUrl(DB), TESSERA_PACKS: PACKS, TESSERA_ADMIN_PASSWORD: PASSWORD });
}

const api = benchApi;

const REGIONS = ['east', 'west', 'north', 'south'];

/** Creates of one entity for SECONDS, each for a random account, with a fresh body per request. */
async function createRate(
  port: number,
  token: string,
  entity: string,
  accounts: readonly string[],
): Promise<{ rps: number; errors: number }> {
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
        setupRequest: (req) => {
          n++;
          const body = {
            name: `item ${n}`,
            region: REGIONS[n % 4],
            qty: 1 + (n % 20),
            price: `${n % 500}.25`,
            account: accounts[(n * 7919) % accounts.length],
          };
          return { ...req, body: JSON.stringify(body) };
        },
      },
    ],
  });
  return { rps: result.requests.average, errors: result.non2xx + result.errors };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function main(): Promise<void> {
  console.log(`bench:rules on ${BENCH_ADMIN_URL.replace(/\/[^/]*$/, '')}, ${SECONDS} s runs, ${ROUNDS} rounds`);
  await freshBenchDatabase(DB);
  const port = await freeLoopbackPort();
  const engine = await startEngine(port);
  try {
    const token = (await api(port, undefined, 'POST', '/api/auth/login', { username: 'admin', password: PASSWORD })).data.token as string;
    const accounts = (
      await api(port, token, 'POST', '/api/v1/rb_account/bulk', {
        data: Array.from({ length: ACCOUNTS }, (_, i) => ({ name: `Account ${i}`, discount: String(i % 30) })),
      })
    ).data.map((a: { id: string }) => a.id) as string[];

    // 1. creates: plain vs rules; rb_derived_item has the same rules without the numbering rule, to show what
    // numbering's queue on its counter costs.
    const plain: number[] = [];
    const rules: number[] = [];
    const derived: number[] = [];
    await createRate(port, token, 'rb_plain_item', accounts); // warm-up
    await createRate(port, token, 'rb_rule_item', accounts);
    await createRate(port, token, 'rb_derived_item', accounts);
    for (let round = 1; round <= ROUNDS; round++) {
      const p = await createRate(port, token, 'rb_plain_item', accounts);
      const r = await createRate(port, token, 'rb_rule_item', accounts);
      const d = await createRate(port, token, 'rb_derived_item', accounts);
      plain.push(p.rps);
      rules.push(r.rps);
      derived.push(d.rps);
      console.log(
        `round ${round}: plain create ${p.rps.toFixed(0)} req/s (${p.errors} errors), rules create ${r.rps.toFixed(0)} (${r.errors} errors), ` +
          `same rules without numbering ${d.rps.toFixed(0)} (${d.errors} errors)`,
      );
    }
    const share = (xs: number[]): string => `${((median(xs) / median(plain)) * 100).toFixed(0)}%`;
    console.log(
      `create, median of ${ROUNDS}: plain ${median(plain).toFixed(0)} req/s, rules ${median(rules).toFixed(0)} req/s = ${share(rules)} (target >= 60%), ` +
        `without numbering ${median(derived).toFixed(0)} req/s = ${share(derived)}`,
    );

    // The rollup is exact after the load: every account's total equals the sum of its items' amounts.
    const c = new pg.Client({ connectionString: benchDbUrl(DB) });
    await c.connect();
    const drift = await c.query(`SELECT count(*) AS n FROM rb_account a
      WHERE a.item_total IS DISTINCT FROM (SELECT COALESCE(sum(i.amount), 0) FROM rb_rule_item i WHERE i.account_id = a.id AND i.deleted_at IS NULL)`);
    console.log(`rollup check: ${drift.rows[0].n} account(s) whose item_total differs from the sum of their items`);

    // 2. 50 concurrent numbered creates
    const t0 = Date.now();
    const created = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        api(port, token, 'POST', '/api/v1/rb_rule_item', { name: `numbered ${i}`, qty: 1, price: '1.00', account: accounts[i] }),
      ),
    );
    const ms = Date.now() - t0;
    const mine = created.map((r) => Number(String(r.data.code).split('-')[2]));
    // Gap-free over every numbered record, the load's and these 50: the numbers are 1..max but the reserved ones.
    const all = (
      await c.query<{ seq: string }>(`SELECT split_part(code, '-', 3) AS seq FROM rb_rule_item WHERE code LIKE 'IT-%'`)
    ).rows.map((r) => Number(r.seq));
    const max = Math.max(...all);
    const reserved = Array.from({ length: max }, (_, k) => k + 1).filter((s) => s === 888 || s % 10000 === 8888).length;
    console.log(
      `50 concurrent numbered creates: ${ms} ms, ${new Set(mine).size} distinct; all ${all.length} numbered records: ${new Set(all).size} distinct, ` +
        `numbers 1..${max} with ${reserved} reserved skipped, ${max - reserved - new Set(all).size} gap(s)`,
    );

    // 3. rescore 1,000,000 records
    console.log(`inserting ${RESCORE_ROWS.toLocaleString('en')} records for the rescore...`);
    await c.query(`INSERT INTO rb_rule_item (id, name, region, qty, price, code, account_id)
      SELECT gen_random_uuid(), 'bulk ' || g, (ARRAY['east','west','north','south'])[1 + g % 4], 1 + g % 20, (g % 5000) / 10.0,
             'BULK-' || g, a.ids[1 + g % ${ACCOUNTS}]
        FROM generate_series(1, ${RESCORE_ROWS}) g, (SELECT array_agg(id ORDER BY id) AS ids FROM rb_account) a`);
    await c.query('VACUUM ANALYZE rb_rule_item');
    await c.end();
    const started = Date.now();
    const run = spawnSync(process.execPath, ['bin/tessera.js', 'rescore', 'rb_rule_item'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: benchDbUrl(DB), TESSERA_PACKS: PACKS, LOG_LEVEL: 'warn' },
      encoding: 'utf8',
    });
    const seconds = (Date.now() - started) / 1000;
    console.log(run.stdout.trim() || run.stderr.trim().split('\n').slice(-3).join('\n'));
    console.log(
      `rescore of ${RESCORE_ROWS.toLocaleString('en')} records: ${seconds.toFixed(1)} s wall, CLI start included (target < 60 s)`,
    );
  } finally {
    engine.kill('SIGINT');
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
