// npm run bench:crm (part 2): the POS endpoint (#21) — a member's purchase recorded and its points awarded in one call,
// idempotent by receipt id — at 16 connections over 2,000 members, with the engine in its own process on local
// PostgreSQL. Then every receipt is sent once more (none may award again) and the ledger is checked against the
// balances and the purchases. Prints figures; asserts nothing. BENCH_SECONDS (default 15) sets the run.
import autocannon from 'autocannon';
import pg from 'pg';
import { freeLoopbackPort } from '../../engine/src/db/free-port.js';
import { benchApi, benchDbUrl, BENCH_ADMIN_URL, freshBenchDatabase, startBenchEngine } from './bench-engine.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const MEMBERS = 2000;
const DB = 'tessera_bench_pos';
const PASSWORD = 'bench-password-123';

async function purchases(port: number, token: string, members: readonly string[], receipts: readonly string[] | undefined) {
  let n = 0;
  const sent: string[] = [];
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: 16,
    ...(receipts ? { amount: receipts.length } : { duration: SECONDS }),
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        setupRequest: (req) => {
          const i = n++;
          const receipt = receipts ? (receipts[i % receipts.length] as string) : `R${i}`;
          if (!receipts) sent.push(receipt);
          const member = members[Number(receipt.slice(1)) % members.length];
          const amount = `${(Number(receipt.slice(1)) * 7919) % 3000}.${String(Number(receipt.slice(1)) % 100).padStart(2, '0')}`;
          return { ...req, path: `/api/v1/member/${member}/actions/purchase`, body: JSON.stringify({ receiptId: receipt, amount }) };
        },
      },
    ],
  });
  return { result, sent };
}

console.log(`bench:pos on ${BENCH_ADMIN_URL.replace(/\/[^/]*$/, '')}, ${MEMBERS} members, ${SECONDS} s at 16 connections`);
await freshBenchDatabase(DB);
const port = await freeLoopbackPort();
const engine = await startBenchEngine(port, {
  DATABASE_URL: benchDbUrl(DB),
  TESSERA_PACKS: 'metadata/packs/core,metadata/packs/crm',
  TESSERA_ADMIN_PASSWORD: PASSWORD,
  TESSERA_DEMO_DATA: 'false',
});
try {
  const token = (await benchApi(port, undefined, 'POST', '/api/auth/login', { username: 'admin', password: PASSWORD })).data
    .token as string;
  const plan = (await benchApi(port, token, 'POST', '/api/v1/member_plan', { name: 'Bench', code: 'BENCH', points_per_yuan: '1' })).data;
  await benchApi(port, token, 'POST', '/api/v1/reward_rule', {
    name: 'Gold x2',
    plan: plan.id,
    tier: 'gold',
    multiplier: '2',
    priority: 10,
  });
  const members: string[] = [];
  for (let start = 0; start < MEMBERS; start += 500) {
    const data = Array.from({ length: 500 }, (_, i) => ({
      name: `M${start + i}`,
      plan: plan.id,
      tier: (start + i) % 5 === 0 ? 'gold' : 'silver',
    }));
    members.push(
      ...((await benchApi(port, token, 'POST', '/api/v1/member/bulk', { data })).data as Array<{ id: string }>).map((m) => m.id),
    );
  }
  await purchases(
    port,
    token,
    members,
    Array.from({ length: 500 }, (_, i) => `W${i}`),
  ); // warm-up
  const first = await purchases(port, token, members, undefined);
  const r = first.result;
  console.log(
    `purchases: ${r.requests.total} in ${SECONDS} s = ${r.requests.average.toFixed(0)} req/s (target > 1,000), errors ${r.non2xx + r.errors}; ` +
      `latency ms p50 ${r.latency.p50}, p97.5 ${r.latency.p97_5}, p99 ${r.latency.p99}`,
  );
  const again = await purchases(port, token, members, first.sent);
  console.log(
    `the same ${first.sent.length} receipts again: ${again.result.requests.average.toFixed(0)} req/s, errors ${again.result.non2xx + again.result.errors}`,
  );
  const c = new pg.Client({ connectionString: benchDbUrl(DB) });
  await c.connect();
  const check = await c.query(`
    SELECT (SELECT count(*) FROM member_purchase)::int AS purchases,
           (SELECT count(DISTINCT receipt_id) FROM member_purchase)::int AS receipts,
           (SELECT coalesce(sum(points_awarded), 0) FROM member_purchase)::bigint AS awarded,
           (SELECT coalesce(sum(points), 0) FROM points_entry)::bigint AS ledger,
           (SELECT coalesce(sum(points_balance), 0) FROM member)::bigint AS balances`);
  await c.end();
  const row = check.rows[0];
  console.log(
    `after both runs: ${row.purchases} purchases for ${row.receipts} receipts; points awarded ${row.awarded}, ledger ${row.ledger}, balances ${row.balances} ` +
      `(${row.purchases === row.receipts && row.awarded === row.ledger && row.ledger === row.balances ? 'exact' : 'NOT EXACT'})`,
  );
} finally {
  engine.kill('SIGTERM');
  await new Promise((resolve) => engine.once('exit', resolve));
}
