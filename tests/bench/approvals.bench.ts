// node --import tsx tests/bench/approvals.bench.ts — approval decisions under load (#20), on local PostgreSQL, the
// engine in its own process. BENCH_RECORDS (default 8,000) expenses of 16 requesters are seeded with set-based SQL
// as pending in a two-step flow: the owner's manager, then (above 100) the controller named on the record, with an
// escalation. The 16 managers, each also the controller of their team's expenses, then act concurrently:
// 1. approve the first step of each record (the flow judges the next step's condition, resolves its approver from
//    the record, writes the task and an escalation job to the outbox), then
// 2. decide the second step: three in four approve (final: the effects go through the write pipeline, validation
//    rule included), one in four rejects with a comment (the rejection's effects).
// Prints requests/s and latency percentiles per phase (target: p95 under 50 ms); asserts nothing.
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { freeLoopbackPort } from '../../engine/src/db/free-port.js';
import { BENCH_ADMIN_URL, benchApi, benchDbUrl, freshBenchDatabase, startBenchEngine } from './bench-engine.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 8000);
const USERS = 16;
const DB = 'tessera_bench_approvals';
const PASSWORD = 'bench-password-123';
const PACKS = 'metadata/packs/core,tests/bench/packs/approvals';

const api = benchApi;

interface PhaseResult {
  readonly done: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly seconds: number;
  readonly latencies: number[];
}

interface Call {
  readonly method?: string;
  readonly path: string;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

/** `USERS` concurrent loops over the records, user i taking every USERS-th one with their own token. */
async function phase(port: number, tokens: readonly string[], ids: readonly string[], action: (k: number) => Call): Promise<PhaseResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  await Promise.all(
    tokens.map(async (token, u) => {
      for (let k = u; k < ids.length; k += tokens.length) {
        const call = action(k);
        const t0 = performance.now();
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/ab_expense/${ids[k]}${call.path}`, {
          method: call.method ?? 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...call.headers },
          body: JSON.stringify(call.body),
        });
        const text = await res.text();
        latencies.push(performance.now() - t0);
        if (res.status !== 200) {
          errors++;
          firstError ??= `${res.status} ${text}`;
        }
      }
    }),
  );
  return {
    done: latencies.length,
    errors,
    ...(firstError ? { firstError } : {}),
    seconds: (performance.now() - started) / 1000,
    latencies,
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function report(name: string, r: PhaseResult): void {
  const s = [...r.latencies].sort((a, b) => a - b);
  const f = (x: number) => x.toFixed(1);
  console.log(
    `${name}: ${r.done} requests in ${r.seconds.toFixed(1)} s = ${(r.done / r.seconds).toFixed(0)} req/s, ${r.errors} errors; ` +
      `latency ms p50 ${f(percentile(s, 50))}, p95 ${f(percentile(s, 95))} (target < 50), p99 ${f(percentile(s, 99))}, max ${f(s[s.length - 1] ?? 0)}`,
  );
  if (r.firstError) console.log(`  first error: ${r.firstError.slice(0, 300)}`);
}

async function seed(port: number, token: string): Promise<{ tokens: string[]; ids: string[] }> {
  const users: string[] = [];
  const requesters: string[] = [];
  for (let i = 0; i < USERS; i++) {
    const u = (await api(port, token, 'POST', '/api/v1/app_user', { username: `approver${i}`, display_name: `Approver ${i}` })).data
      .id as string;
    await api(port, token, 'PUT', `/api/admin/users/${u}/password`, { password: PASSWORD });
    users.push(u);
    const r = await api(port, token, 'POST', '/api/v1/app_user', { username: `requester${i}`, display_name: `Requester ${i}`, manager: u });
    requesters.push(r.data.id as string);
  }
  await api(port, token, 'POST', '/api/v1/role', {
    code: 'bench_approver',
    name: 'Bench approvers',
    members: users,
    grants: { entities: { ab_expense: { actions: ['read', 'update'], scope: 'all' } } },
  });
  const tokens: string[] = [];
  for (let i = 0; i < USERS; i++) {
    tokens.push(
      (await api(port, undefined, 'POST', '/api/auth/login', { username: `approver${i}`, password: PASSWORD })).data.token as string,
    );
  }
  // Pending at the first step, as a submit leaves them: the instance, the manager's open task, the history rows.
  const c = new pg.Client({ connectionString: benchDbUrl(DB) });
  await c.connect();
  try {
    const ids = (
      await c.query<{ id: string }>(
        `INSERT INTO ab_expense (id, title, amount, owner_id, controller_id)
           SELECT gen_random_uuid(), 'expense ' || g, 200 + g % 5000, ($2::uuid[])[1 + g % $4::int], ($3::uuid[])[1 + g % $4::int]
             FROM generate_series(0, $1::int - 1) g ORDER BY g RETURNING id`,
        [RECORDS, requesters, users, USERS],
      )
    ).rows.map((r) => r.id);
    await c.query(`INSERT INTO tessera_approval_instance (id, entity, record_id, flow_id, flow_name, status, step_index, step_name, submitted_by)
      SELECT gen_random_uuid(), 'ab_expense', e.id, 'ab.expense.bench', 'bench', 'pending', 0, 'first', e.owner_id FROM ab_expense e`);
    await c.query(`INSERT INTO tessera_approval_task (instance_id, step_index, step_name, assignee, status)
      SELECT i.id, 0, 'first', e.controller_id, 'open' FROM tessera_approval_instance i JOIN ab_expense e ON e.id = i.record_id`);
    await c.query(`INSERT INTO tessera_approval_history (instance_id, action, actor_id, actor_name, detail)
      SELECT i.id, 'submit', i.submitted_by, 'seed', '{"flow":"bench"}' FROM tessera_approval_instance i`);
    await c.query(`INSERT INTO tessera_approval_history (instance_id, step_name, action, actor_id, actor_name)
      SELECT i.id, 'first', 'assign', NULL, 'seed' FROM tessera_approval_instance i`);
    await c.query('ANALYZE');
    return { tokens, ids };
  } finally {
    await c.end();
  }
}

async function main(): Promise<void> {
  console.log(`bench:approvals on ${BENCH_ADMIN_URL.replace(/\/[^/]*$/, '')}, ${RECORDS} records, ${USERS} concurrent approvers`);
  await freshBenchDatabase(DB);
  const port = await freeLoopbackPort();
  let engine: ChildProcess | undefined;
  try {
    engine = await startBenchEngine(port, { DATABASE_URL: benchDbUrl(DB), TESSERA_PACKS: PACKS, TESSERA_ADMIN_PASSWORD: PASSWORD });
    const token = (await api(port, undefined, 'POST', '/api/auth/login', { username: 'admin', password: PASSWORD })).data.token as string;
    const { tokens, ids } = await seed(port, token);
    // Warm-up: the first 2% of the records go through both steps before the measured phases.
    const warm = ids.slice(0, Math.max(USERS, Math.floor(ids.length / 50)));
    await phase(port, tokens, warm, () => ({ path: '/approval/approve', body: {} }));
    await phase(port, tokens, warm, () => ({ path: '/approval/approve', body: {} }));
    const measured = ids.slice(warm.length);
    const first = await phase(port, tokens, measured, () => ({ path: '/approval/approve', body: { comment: 'ok' } }));
    report('approve, step 1 -> step 2', first);
    const second = await phase(port, tokens, measured, (k) =>
      k % 4 === 3
        ? { path: '/approval/reject', body: { comment: 'over budget' } }
        : { path: '/approval/approve', body: { comment: 'fine' } },
    );
    report('final decision (3/4 approve with effects, 1/4 reject)', second);
    const all = {
      ...second,
      done: first.done + second.done,
      errors: first.errors + second.errors,
      seconds: first.seconds + second.seconds,
      latencies: [...first.latencies, ...second.latencies],
    };
    report('all approve/reject actions', all);
    const c = new pg.Client({ connectionString: benchDbUrl(DB) });
    await c.connect();
    // For scale on this machine: a plain PATCH of the same records through the same write pipeline, same concurrency.
    const versions = new Map(
      (await c.query<{ id: string; version: number }>('SELECT id, version FROM ab_expense')).rows.map((r) => [r.id, r.version]),
    );
    const patch = await phase(port, tokens, measured, (k) => ({
      method: 'PATCH',
      path: '',
      body: { title: `expense ${k} (edited)` },
      headers: { 'if-match': `"${versions.get(measured[k] ?? '')}"` },
    }));
    report('reference: plain PATCH of a decided record', patch);
    const check = await c.query(`SELECT status, count(*)::int AS n FROM tessera_approval_instance GROUP BY status ORDER BY status`);
    const approved = await c.query(`SELECT count(*)::int AS n FROM ab_expense WHERE approved`);
    await c.end();
    console.log(`instances by status: ${check.rows.map((r) => `${r.status} ${r.n}`).join(', ')}; records approved: ${approved.rows[0].n}`);
  } finally {
    engine?.kill('SIGINT');
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
