// npm run bench:api — the generic REST API against local PostgreSQL with 1,000,000 rows and a 100,000-row
// belongsTo parent. The engine runs in its own process (its RSS is measured there); autocannon drives it with
// 16 connections. Each list figure is printed beside the statement the engine ran for it (read back from
// pg_stat_activity): through pgbench (values inlined), through Node's pg with 16 clients and the same bound values,
// and behind a bare Node HTTP server (bare-server.ts).
// Run as the seeded admin and as a user with an org-unit-and-below scope and a hidden field.
// Last, two lists PostgreSQL has to work for (1M customers, 2M deals) beside the same lists written by hand over plain
// tables with the same rows (#18 part 10); BENCH_CUSTOMERS / BENCH_DEALS shrink that data, BENCH_ONLY=hand runs only them.
// Prints figures; asserts nothing. BENCH_SECONDS (default 20) sets the length of each run.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { freeLoopbackPort } from '../../engine/src/db/free-port.js';
import { benchApi, startBenchEngine } from './bench-engine.js';
import { load, startBareServer, type Figure } from './bench-http.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const WARMUP = Math.max(3, Math.round(SECONDS / 4));
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DB = 'tessera_bench';
const ITEMS = Number(process.env.BENCH_ITEMS ?? 1_000_000);
/** Rounds and seconds per run of the hand-written comparison; BENCH_ONLY=hand runs only that comparison. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const HAND_SECONDS = Number(process.env.BENCH_HAND_SECONDS ?? 30);
const ONLY_HAND_WRITTEN = process.env.BENCH_ONLY === 'hand';
const PARENTS = Number(process.env.BENCH_PARENTS ?? 100_000);
const PASSWORD = 'bench-password-123';

function dbUrl(name: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** The generated data is as this version of the bench makes it, and no earlier run added rows. */
async function dataIsCurrent(): Promise<boolean> {
  const c = new pg.Client({ connectionString: dbUrl(DB) });
  await c.connect();
  try {
    const version = (await c.query(`SELECT shobj_description(oid, 'pg_database') AS v FROM pg_database WHERE datname = $1`, [DB])).rows[0]
      ?.v;
    if (version !== DATA_VERSION) return false;
    return Number((await c.query('SELECT count(*) AS n FROM bench_item')).rows[0].n) === ITEMS;
  } catch {
    return false;
  } finally {
    await c.end();
  }
}

/**
 * A fresh database whenever the data must be generated again, so audit rows and bloat of earlier runs go too.
 * True when it is fresh (the data is generated once the engine has created the tables).
 */
async function ensureDatabase(): Promise<boolean> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB]);
  const fresh = !exists.rowCount || process.argv.includes('--fresh') || !(await dataIsCurrent());
  if (fresh) {
    await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DB}`);
  }
  await admin.end();
  return fresh;
}

function startEngine(port: number): Promise<ChildProcess> {
  return startBenchEngine(port, {
    DATABASE_URL: dbUrl(DB),
    TESSERA_PACKS: 'metadata/packs/core,tests/bench/packs/bench',
    TESSERA_ADMIN_PASSWORD: PASSWORD,
    TESSERA_LOGIN_ATTEMPTS_PER_ADDRESS: '1000',
  });
}

const api = benchApi;

interface Org {
  unitA: string;
  unitA1: string;
  unitB: string;
  userToken: string;
}

async function prepareOrg(port: number, adminToken: string): Promise<Org> {
  const find = async (entity: string, filter: unknown) =>
    (await api(port, adminToken, 'GET', `/api/v1/${entity}?filter=${encodeURIComponent(JSON.stringify(filter))}`)).data[0];
  const unit = async (code: string, parent?: string) =>
    (await find('org_unit', { '==': [{ var: 'code' }, code] }))?.id ??
    (await api(port, adminToken, 'POST', '/api/v1/org_unit', { name: code, code, unit_type: 'branch', ...(parent ? { parent } : {}) })).data
      .id;
  const unitA = await unit('BENCH-A');
  const unitA1 = await unit('BENCH-A1', unitA);
  const unitB = await unit('BENCH-B');
  let user = await find('app_user', { '==': [{ var: 'username' }, 'bench.user'] });
  if (!user) {
    user = (
      await api(port, adminToken, 'POST', '/api/v1/app_user', { username: 'bench.user', display_name: 'Bench user', org_unit: unitA })
    ).data;
    await api(port, adminToken, 'PUT', `/api/admin/users/${user.id}/password`, { password: PASSWORD });
    await api(port, adminToken, 'POST', '/api/v1/role', {
      code: 'bench_sales',
      name: 'Bench sales',
      members: [user.id],
      grants: {
        entities: {
          bench_item: { actions: ['read', 'create', 'update'], scope: 'orgUnitAndBelow', fields: { secret: 'hidden' } },
          bench_parent: { actions: ['read'], scope: 'all' },
          bench_customer: { actions: ['read'], scope: 'all' },
          bench_deal: { actions: ['read'], scope: 'all' },
        },
      },
    });
  }
  const login = await api(port, undefined, 'POST', '/api/auth/login', { username: 'bench.user', password: PASSWORD });
  return { unitA, unitA1, unitB, userToken: login.data.token };
}

async function generateData(org: Org): Promise<void> {
  const c = new pg.Client({ connectionString: dbUrl(DB) });
  await c.connect();
  console.log(`generating ${PARENTS.toLocaleString('en')} parents and ${ITEMS.toLocaleString('en')} items...`);
  const t0 = Date.now();
  // 90% of the rows are inside the scoped user's org units (A and A1), 10% outside (B). The unit comes from a hash
  // of the row number, so it does not follow qty or status: no filter value falls wholly outside the scope.
  await c.query(
    `INSERT INTO bench_parent (id, name, region, score, org_unit_id)
    SELECT gen_random_uuid(), 'Parent ' || g, (ARRAY['north','south','east','west'])[1 + g % 4], g % 100,
           ${UNIT_OF_ROW}
      FROM generate_series(1, ${PARENTS}) g`,
    [org.unitA, org.unitA1, org.unitB],
  );
  await c.query(
    `INSERT INTO bench_item (id, title, status, amount, qty, due, secret, parent_id, org_unit_id)
    SELECT gen_random_uuid(), 'Item ' || g, (ARRAY['open','won','lost'])[1 + g % 3], (g % 100000) / 100.0, g % 1000,
           DATE '2024-01-01' + (g % 730), 'secret ' || g, p.ids[1 + g % ${PARENTS}],
           ${UNIT_OF_ROW}
      FROM generate_series(1, ${ITEMS}) g, (SELECT array_agg(id ORDER BY id) AS ids FROM bench_parent) p`,
    [org.unitA, org.unitA1, org.unitB],
  );
  await generateListData(c);
  await c.query(`COMMENT ON DATABASE ${DB} IS '${DATA_VERSION}'`);
  for (const t of ['bench_item', 'bench_parent', ...LIST_TABLES]) await c.query(`VACUUM ANALYZE ${t}`);
  console.log(`generated in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await c.end();
}

/**
 * The PostgreSQL-bound lists (#18 part 10): customers with two low-cardinality indexed columns (segment: 10 values,
 * tier: 10 values, so one pair matches ~1% of them) and a non-indexed decimal, and twice as many deals under them,
 * whose customers' region (4 values) filters through the belongsTo. plain_customer and plain_deal hold the same rows
 * without the system columns, with the same indexes, for the hand-written SQL. Row numbers pick values through a hash,
 * so no two columns follow each other.
 */
async function generateListData(c: pg.Client): Promise<void> {
  const hash = (salt: number, mod: number) => `mod(hashint4(g + ${salt})::bigint + 2147483648, ${mod})`;
  await c.query(`CREATE TEMP TABLE customer_no AS SELECT g AS no, gen_random_uuid() AS id FROM generate_series(1, ${CUSTOMERS}) g`);
  await c.query(`INSERT INTO bench_customer (id, name, region, segment, tier, revenue, email)
    SELECT n.id, 'Customer ' || g, (ARRAY['north','south','east','west'])[1 + ${hash(1, 4)}], 's' || ${hash(2, 10)}, 1 + ${hash(3, 10)},
           ${hash(4, 100000000)} / 100.0, 'customer' || g || '@example.com'
      FROM generate_series(1, ${CUSTOMERS}) g JOIN customer_no n ON n.no = g`);
  await c.query(`INSERT INTO bench_deal (id, title, stage, amount, closes, customer_id)
    SELECT gen_random_uuid(), 'Deal ' || g, (ARRAY['lead','qualified','proposal','won','lost'])[1 + ${hash(5, 5)}],
           ${hash(6, 10000000)} / 100.0, DATE '2024-01-01' + ${hash(7, 730)}::int, n.id
      FROM generate_series(1, ${DEALS}) g JOIN customer_no n ON n.no = 1 + ${hash(8, CUSTOMERS)}`);
  await c.query('CREATE TABLE plain_customer AS SELECT id, name, region, segment, tier, revenue, email FROM bench_customer');
  await c.query('CREATE TABLE plain_deal AS SELECT id, title, stage, amount, closes, customer_id FROM bench_deal');
  await c.query('ALTER TABLE plain_customer ADD PRIMARY KEY (id)');
  await c.query('ALTER TABLE plain_deal ADD PRIMARY KEY (id)');
  for (const col of ['region', 'segment', 'tier']) await c.query(`CREATE INDEX ON plain_customer (${col})`);
  await c.query('CREATE INDEX ON plain_deal (customer_id)');
}

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 1_000_000);
const DEALS = Number(process.env.BENCH_DEALS ?? 2 * CUSTOMERS);
const LIST_TABLES = ['bench_customer', 'bench_deal', 'plain_customer', 'plain_deal'];

/** Bumped whenever the generated data changes shape, so an older bench database is regenerated. */
const DATA_VERSION = `bench data 3: customers and deals (${CUSTOMERS}/${DEALS})`;
const UNIT_OF_ROW = `CASE mod(hashint4(g)::bigint + 2147483648, 10) WHEN 0 THEN $3::uuid WHEN 1 THEN $1::uuid WHEN 2 THEN $1::uuid
             WHEN 3 THEN $1::uuid WHEN 4 THEN $1::uuid ELSE $2::uuid END`;

function statusMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}
const peakRss = (pid: number) => statusMb(pid, 'VmHWM');
const currentRss = (pid: number) => statusMb(pid, 'VmRSS');

/** Mean throughput and p50 of several runs; the worst p99; every error. */
function combine(runs: readonly Figure[]): Figure {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    rps: mean(runs.map((r) => r.rps)),
    p50: Math.round(mean(runs.map((r) => r.p50)) * 10) / 10,
    p99: Math.max(...runs.map((r) => r.p99)),
    errors: runs.reduce((a, r) => a + r.errors, 0),
  };
}

async function checkpoint(): Promise<void> {
  const c = new pg.Client({ connectionString: dbUrl(DB) });
  await c.connect();
  await c.query('CHECKPOINT');
  await c.end();
}

function pgbench(sql: string, seconds: number): { tps: number; latencyMs: number } {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-pgbench-'));
  const file = join(dir, 'q.sql');
  writeFileSync(file, sql + ';\n');
  const u = new URL(dbUrl(DB));
  const out = spawnSync(
    'pgbench',
    [
      '-n',
      '-c',
      '16',
      '-j',
      '2',
      '-T',
      String(seconds),
      '-M',
      'prepared',
      '-f',
      file,
      '-h',
      u.hostname,
      '-p',
      u.port || '5432',
      '-U',
      u.username || 'postgres',
      DB,
    ],
    { encoding: 'utf8' },
  );
  const tps = /tps = ([\d.]+)/.exec(out.stdout)?.[1];
  const lat = /latency average = ([\d.]+) ms/.exec(out.stdout)?.[1];
  if (!tps) throw new Error(`pgbench failed: ${out.stderr}`);
  return { tps: Number(tps), latencyMs: Number(lat) };
}

/** The engine's statement from Node's pg with 16 concurrent clients and the same bound values: the client-side cost the API also pays. */
async function nodePg(sql: string, values: readonly unknown[], seconds: number): Promise<{ qps: number; p50: number }> {
  const pool = new pg.Pool({ connectionString: dbUrl(DB), max: 16 });
  const latencies: number[] = [];
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (Date.now() < until) {
        const t = process.hrtime.bigint();
        await pool.query({ name: 'bench_raw', text: sql, values: [...values] });
        // Only queries done within the window count (a slow list's last ones would inflate the rate).
        if (Date.now() <= until) latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  await pool.end();
  latencies.sort((a, b) => a - b);
  return { qps: latencies.length / seconds, p50: latencies[Math.floor(latencies.length / 2)] ?? NaN };
}

/** The statement the engine ran for one request, read back from pg_stat_activity (not written out by hand). */
async function engineStatement(port: number, token: string, path: string): Promise<string> {
  await api(port, token, 'GET', path);
  const c = new pg.Client({ connectionString: dbUrl(DB) });
  await c.connect();
  const r = await c.query<{ query: string }>(
    `SELECT query FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'SELECT t0.%' ORDER BY query_start DESC LIMIT 1`,
    [DB],
  );
  await c.end();
  const text = r.rows[0]?.query;
  if (!text) throw new Error(`no statement seen for ${path}`);
  return text;
}

/** The statement with its values written in, for pgbench and the bare server. */
function inlineValues(text: string, values: readonly unknown[]): string {
  return text.replace(/\$(\d+)\b/g, (_, n: string) => {
    const v = values[Number(n) - 1];
    return typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`;
  });
}

/** The same SQL behind a bare Node HTTP server, loaded like the engine. */
async function bareServer(sql: string, values: readonly unknown[], path: string, seconds: number): Promise<Figure> {
  const bare = await startBareServer(dbUrl(DB), sql, values);
  try {
    const req: autocannon.Request = { method: 'GET', path };
    await load(bare.port, '', req, WARMUP);
    return await load(bare.port, '', req, seconds);
  } finally {
    bare.stop();
  }
}

interface HandWrittenCase {
  readonly name: string;
  readonly path: string;
  /** The values the engine binds for `path`, in its parameter order. */
  readonly values: readonly unknown[];
  /** The same list written by hand over the plain tables. */
  readonly hand: { readonly text: string; readonly values: readonly unknown[] };
  /**
   * The same hand-written list over the engine's own tables (plus the soft-delete condition every record list
   * has): it tells the SQL's share from the share taken by the system columns' width.
   */
  readonly sameTable: { readonly text: string; readonly values: readonly unknown[] };
}

const HAND_WRITTEN_CASES: readonly HandWrittenCase[] = [
  {
    name: 'customers: 2 indexed low-cardinality filters (~1%), sort -revenue, 50',
    path: `/api/v1/bench_customer?filter=${encodeURIComponent(JSON.stringify({ and: [{ '==': [{ var: 'segment' }, 's3'] }, { '==': [{ var: 'tier' }, 4] }] }))}&sort=-revenue&limit=50&fields=name,segment,tier,revenue`,
    values: ['s3', 4],
    hand: {
      text: 'SELECT id, name, segment, tier, revenue FROM plain_customer WHERE segment = $1 AND tier = $2 ORDER BY revenue DESC LIMIT 50',
      values: ['s3', 4],
    },
    sameTable: {
      text: 'SELECT id, name, segment, tier, revenue FROM bench_customer WHERE segment = $1 AND tier = $2 AND deleted_at IS NULL ORDER BY revenue DESC LIMIT 50',
      values: ['s3', 4],
    },
  },
  {
    name: 'deals of customers in one region (belongsTo), sort -amount, 50',
    path: `/api/v1/bench_deal?filter=${encodeURIComponent(JSON.stringify({ '==': [{ var: 'customer.region' }, 'north'] }))}&sort=-amount&limit=50&fields=title,stage,amount,customer`,
    values: ['north'],
    hand: {
      text: 'SELECT d.id, d.title, d.stage, d.amount, d.customer_id AS customer FROM plain_deal d JOIN plain_customer c ON c.id = d.customer_id WHERE c.region = $1 ORDER BY d.amount DESC LIMIT 50',
      values: ['north'],
    },
    sameTable: {
      text: 'SELECT d.id, d.title, d.stage, d.amount, d.customer_id AS customer FROM bench_deal d JOIN bench_customer c ON c.id = d.customer_id WHERE c.region = $1 AND d.deleted_at IS NULL AND c.deleted_at IS NULL ORDER BY d.amount DESC LIMIT 50',
      values: ['north'],
    },
  },
];

/** Slow lists answer a few times a second: their rates keep a decimal. */
const rate = (x: number) => (x < 100 ? x.toFixed(1) : Math.round(x).toLocaleString('en'));
const range = (xs: readonly number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}%`;

/**
 * Lists PostgreSQL has to work for, beside the same list written by hand over plain tables (#18 part 10): per round,
 * the API, the bare HTTP server with the engine's statement and with the hand-written one, then both statements
 * through node-pg; the order flips every round so drift falls on both. Prints each round and the range of the shares.
 */
async function compareWithHandWritten(port: number, token: string, seconds: number): Promise<string[]> {
  const lines: string[] = [];
  for (const c of HAND_WRITTEN_CASES) {
    const engineSql = await engineStatement(port, token, c.path);
    console.log(`\n${c.name}\n  engine: ${inlineValues(engineSql, c.values)}\n  hand:   ${inlineValues(c.hand.text, c.hand.values)}`);
    const bareEngine = await startBareServer(dbUrl(DB), engineSql, c.values);
    const bareHand = await startBareServer(dbUrl(DB), c.hand.text, c.hand.values);
    try {
      const req: autocannon.Request = { method: 'GET', path: c.path };
      // The belongsTo list takes seconds per request under 16 connections: no request may time out.
      const http = [port, bareEngine.port, bareHand.port].map(
        (p) =>
          (s = seconds) =>
            load(p, p === port ? token : '', req, s, 120),
      );
      for (const run of http) await run(WARMUP);
      const apiShares: number[] = [];
      const sqlShares: number[] = [];
      const sameTableShares: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const flip = <T>(xs: T[]): T[] => (round % 2 ? [...xs].reverse() : xs);
        const figures: Figure[] = [];
        for (const i of flip([0, 1, 2])) figures[i] = await (http[i] as (s?: number) => Promise<Figure>)();
        const nodeRuns = flip([
          [engineSql, c.values],
          [c.hand.text, c.hand.values],
          [c.sameTable.text, c.sameTable.values],
        ] as const);
        const qps = new Map<string, number>();
        for (const [text, values] of nodeRuns) qps.set(text, (await nodePg(text, values, seconds)).qps);
        const [api, viaEngine, viaHand] = figures as [Figure, Figure, Figure];
        const nodeEngine = qps.get(engineSql) as number;
        const nodeHand = qps.get(c.hand.text) as number;
        const nodeSameTable = qps.get(c.sameTable.text) as number;
        apiShares.push((api.rps / viaHand.rps) * 100);
        sqlShares.push((nodeEngine / nodeHand) * 100);
        sameTableShares.push((nodeEngine / nodeSameTable) * 100);
        const line = `| ${c.name} | ${round + 1} | ${rate(api.rps)} / ${api.p50} | ${rate(viaEngine.rps)} | ${rate(viaHand.rps)} / ${viaHand.p50} | ${((api.rps / viaHand.rps) * 100).toFixed(0)}% | ${rate(nodeEngine)} | ${rate(nodeHand)} | ${((nodeEngine / nodeHand) * 100).toFixed(0)}% | ${rate(nodeSameTable)} | ${((nodeEngine / nodeSameTable) * 100).toFixed(0)}% |`;
        console.log(line);
        lines.push(line);
      }
      lines.push(`| ${c.name} | range | | | | ${range(apiShares)} | | | ${range(sqlShares)} | | ${range(sameTableShares)} |`);
    } finally {
      bareEngine.stop();
      bareHand.stop();
    }
  }
  return lines;
}

async function main(): Promise<void> {
  const fresh = await ensureDatabase();
  const port = await freeLoopbackPort();
  const engine = await startEngine(port);
  try {
    const adminToken = (await api(port, undefined, 'POST', '/api/auth/login', { username: 'admin', password: PASSWORD })).data
      .token as string;
    const org = await prepareOrg(port, adminToken);
    if (fresh) await generateData(org);
    const c = new pg.Client({ connectionString: dbUrl(DB) });
    await c.connect();
    const ids = (
      await c.query<{ id: string }>(`SELECT id FROM bench_item WHERE org_unit_id <> $1 ORDER BY random() LIMIT 20000`, [org.unitB])
    ).rows.map((r) => r.id);
    const parentIds = (
      await c.query<{ id: string }>(`SELECT id FROM bench_parent WHERE org_unit_id <> $1 LIMIT 5000`, [org.unitB])
    ).rows.map((r) => r.id);
    await c.end();
    const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)] as T;
    const listFilter = encodeURIComponent(
      JSON.stringify({ and: [{ '==': [{ var: 'status' }, 'open'] }, { '>=': [{ var: 'qty' }, 500] }] }),
    );
    const relFilter = encodeURIComponent(JSON.stringify({ '==': [{ var: 'parent.region' }, 'north'] }));
    const listPath = `/api/v1/bench_item?filter=${listFilter}&sort=qty&limit=50`;
    const relPath = `/api/v1/bench_item?filter=${relFilter}&limit=50`;
    const scenarios: Array<{ name: string; req: autocannon.Request; sql?: { text: string; values: unknown[] } }> = [
      { name: 'get by id', req: { method: 'GET', setupRequest: (r) => ({ ...r, path: `/api/v1/bench_item/${pick(ids)}` }) } },
      {
        name: 'list: 2-field filter, sort, limit 50',
        req: { method: 'GET', path: listPath },
        sql: { text: await engineStatement(port, adminToken, listPath), values: ['open', 500] },
      },
      {
        name: 'list: filter through belongsTo',
        req: { method: 'GET', path: relPath },
        sql: { text: await engineStatement(port, adminToken, relPath), values: ['north'] },
      },
      {
        name: 'create (validated)',
        req: {
          method: 'POST',
          path: '/api/v1/bench_item',
          setupRequest: (r) => ({
            ...r,
            body: JSON.stringify({
              title: 'Bench create',
              status: 'won',
              amount: '12.50',
              qty: 7,
              due: '2025-03-01',
              parent: pick(parentIds),
            }),
          }),
        },
      },
    ];
    // Admin and scoped user take turns on each scenario (two half-length runs each), so table growth, checkpoints
    // and the machine's drift fall on both alike. One checkpoint first: the generated data is not flushed mid-run.
    const callers = [
      ['admin', adminToken],
      ['scoped user', org.userToken],
    ] as const;
    const figures = new Map<string, Figure>();
    const rows: string[] = [];
    await checkpoint();
    console.log(
      `engine RSS before load: ${currentRss(engine.pid as number).toFixed(0)} MB (peak ${peakRss(engine.pid as number).toFixed(0)} MB)`,
    );
    for (const s of ONLY_HAND_WRITTEN ? [] : scenarios) {
      const runs = new Map<string, Figure[]>();
      for (const round of [0, 1]) {
        for (const [who, token] of callers) {
          if (round === 0) await load(port, token, s.req, WARMUP);
          runs.set(who, [...(runs.get(who) ?? []), await load(port, token, s.req, SECONDS / 2)]);
        }
      }
      for (const [who] of callers) figures.set(`${who}|${s.name}`, combine(runs.get(who) as Figure[]));
      console.log(
        `engine RSS after ${s.name}: ${currentRss(engine.pid as number).toFixed(0)} MB (peak ${peakRss(engine.pid as number).toFixed(0)} MB)`,
      );
      const admin = figures.get(`admin|${s.name}`) as Figure;
      for (const [who] of callers) {
        const f = figures.get(`${who}|${s.name}`) as Figure;
        rows.push(
          `| ${who} | ${s.name} | ${Math.round(f.rps).toLocaleString('en')} | ${f.p50} | ${f.p99} | ${f.errors} | ${who === 'admin' ? '' : `${((f.rps / admin.rps - 1) * 100).toFixed(1)}%`} |`,
        );
        console.log(rows[rows.length - 1]);
      }
    }
    const raw: string[] = [];
    for (const s of ONLY_HAND_WRITTEN ? [] : scenarios) {
      if (!s.sql) continue;
      const inlined = inlineValues(s.sql.text, s.sql.values);
      console.log(`\n${s.name}: ${inlined}`);
      const r = pgbench(inlined, Math.min(SECONDS, 15));
      const n = await nodePg(s.sql.text, s.sql.values, Math.min(SECONDS, 15));
      const bare = await bareServer(s.sql.text, s.sql.values, s.req.path as string, SECONDS);
      const api = figures.get(`admin|${s.name}`) as Figure;
      const share = (x: number) => `${((api.rps / x) * 100).toFixed(0)}%`;
      raw.push(
        `| ${s.name} | ${Math.round(r.tps).toLocaleString('en')} / ${r.latencyMs.toFixed(2)} | ${Math.round(n.qps).toLocaleString('en')} / ${n.p50.toFixed(2)} | ${Math.round(bare.rps).toLocaleString('en')} / ${bare.p50} | ${Math.round(api.rps).toLocaleString('en')} / ${api.p50} | ${share(r.tps)} / ${share(n.qps)} / ${share(bare.rps)} |`,
      );
    }
    const hand = await compareWithHandWritten(port, adminToken, HAND_SECONDS);
    const rss = peakRss(engine.pid as number);
    console.log(
      `\nTessera bench:api — ${new Date().toISOString().slice(0, 10)}, ${ITEMS.toLocaleString('en')} items / ${PARENTS.toLocaleString('en')} parents, 16 connections, ${SECONDS} s per run, PostgreSQL`,
    );
    console.log('\n| caller | scenario | req/s | p50 ms | p99 ms | non-2xx | vs admin |\n|---|---|---|---|---|---|---|');
    for (const r of rows) console.log(r);
    console.log(
      '\n| list query | pgbench tps / avg ms | node-pg qps / p50 ms | bare HTTP req/s / p50 ms | API req/s / p50 ms | API share of pgbench / node-pg / bare HTTP |\n|---|---|---|---|---|---|',
    );
    for (const r of raw) console.log(r);
    console.log(
      '\n| list PostgreSQL works for (admin) | round | API req/s / p50 ms | bare HTTP, engine SQL req/s | bare HTTP, hand-written SQL req/s / p50 ms | API share of hand-written (HTTP) | node-pg engine SQL qps | node-pg hand-written qps | engine SQL share (node-pg) | node-pg hand-written on engine tables qps | engine SQL share of it |\n|---|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const r of hand) console.log(r);
    console.log(`\nengine peak RSS: ${rss.toFixed(0)} MB`);
  } finally {
    engine.kill('SIGTERM');
  }
}

await main();
