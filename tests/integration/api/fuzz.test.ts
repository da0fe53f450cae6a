// Fuzz: thousands of random list queries (filter, sort, limit, offset, cursor, fields, include, total) and
// random JSON bodies for create, patch and bulk create, generated with fast-check from a fixed seed. Every
// answer must be below 500; every error must be problem+json with type and status; no body may leak SQL,
// driver messages, stack frames or file paths. All failures are collected and reported by kind.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedApiDemo, type ApiDemoSeed } from '../../support/api-demo-seed.js';
import { findLeak } from '../../support/problem-checks.js';
import { testDatabaseKind } from '../../support/test-database.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';
import { useUnnamedStatementsOnEmbedded } from '../../support/unnamed-statements.js';

const SEED = 3_141_592;
const QUERY_RUNS = 1_300;
const BODY_RUNS = 700;
const BODY_LIMIT = 4096;

let t: TestEngine;
let seed: ApiDemoSeed;
const dealIds: string[] = [];
const cursors: string[] = [];

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs', 'tests/fixtures/packs/api-demo'], env: { TESSERA_BODY_LIMIT: String(BODY_LIMIT) } });
  useUnnamedStatementsOnEmbedded(t);
  seed = await seedApiDemo(t);
  const a = Object.values(seed.accounts);
  const g = Object.values(seed.tags);
  const res = await t.request('POST', '/api/v1/deal/bulk', { data: Array.from({ length: 40 }, (_, i) => ({
    title: `Fuzz ${i}`, code: `FZ-${i}`, quantity: i % 5 ? i : null, probability: i % 3 ? `${i}.5` : null, won: i % 2 === 0,
    close_date: i % 4 ? `2024-0${1 + (i % 9)}-1${i % 10}` : null, stage: ['lead', 'qualified', 'proposal', 'closed'][i % 4],
    amount: i % 6 ? { amount: `${i * 10}.00`, currency: ['USD', 'EUR', 'CNY'][i % 3] } : null, channels: i % 2 ? ['web'] : null,
    account: a[i % a.length], tags: g.slice(0, i % 4), owner: i % 3 ? seed.users.alice : null,
  })) });
  if (res.status !== 201) throw new Error(`seed failed: ${JSON.stringify(res.body).slice(0, 300)}`);
  dealIds.push(...(res.body.data as Array<{ id: string }>).map((d) => d.id));
  for (const sort of ['', 'title', '-quantity', 'close_date,-quantity', 'account.name,-amount.amount']) {
    const page = await t.request('GET', `/api/v1/deal?limit=3${sort ? `&sort=${sort}` : ''}`);
    if (page.body?.meta?.nextCursor) cursors.push(page.body.meta.nextCursor);
  }
});

afterAll(async () => {
  await t?.stop();
});

// ---- generators ----

const PATHS = [
  'title', 'code', 'notes', 'quantity', 'probability', 'amount.amount', 'amount.currency', 'amount', 'won', 'close_date', 'signed_at',
  'stage', 'channels', 'contact_email', 'contact_phone', 'website', 'extra', 'account', 'account.region', 'account.parent.name',
  'account.name', 'account.tier', 'tags', 'owner', 'owner.username', 'id', 'version', 'created_at', 'updated_at', 'deleted_at',
  'nope', '', 'Title', "'; DROP TABLE deal; --", 'account.deals', 'title.x', '__proto__', 'constructor', 'account.parent.parent.name',
];
const COLLECTIONS = ['tags', 'deals', 'account', 'title', 'nope', 'subsidiaries'];
const OPERATORS = [
  '==', '!=', '<', '<=', '>', '>=', 'in', 'between', 'contains', 'startsWith', 'isNull', '!', 'and', 'or', 'some', 'none',
  'like', 'var', 'if', '__proto__', '', '===', 'lengthAtLeast', 'toString',
];

const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ maxLength: 6, unit: 'binary' }),
  fc.constantFrom('', ' ', '%', '_', '\\', "'", '"', "' OR 1=1 --", 'lead', 'USD', 'web', 'hot', 'Fuzz 1', 'FZ-3', '合同', '😀'),
);
const scalar = fc.oneof(
  text,
  fc.integer({ min: -3, max: 50 }),
  fc.constantFrom(0, -1, 2 ** 31, 2 ** 53, 1e308, -0, 0.5, 12.5),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('2024-01-15', '2024-02-30', '0000-01-01', '2024-01-15T08:00:00Z', '2024-01-15T08:00:00', '2024-01-15T08:00:00+08:00'),
  fc.constantFrom('12.50', '1e3', '-0.01', '99999999999999999999.99', 'NaN', 'Infinity'),
  fc.uuid(),
);
const literal = fc.oneof({ weight: 6, arbitrary: scalar }, { weight: 1, arbitrary: fc.array(scalar, { maxLength: 4 }) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });

const condition: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown; leaf: unknown }>((tie) => ({
  leaf: fc.oneof(
    { weight: 8, arbitrary: fc.tuple(fc.constantFrom(...OPERATORS), fc.constantFrom(...PATHS), fc.array(literal, { maxLength: 3 }))
      .map(([op, path, lits]) => ({ [op]: [{ var: path }, ...lits] })) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...OPERATORS), fc.constantFrom(...PATHS)).map(([op, path]) => ({ [op]: { var: path } })) },
    { weight: 1, arbitrary: fc.boolean() },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  ),
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: tie('leaf') },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom('and', 'or'), fc.array(tie('node'), { maxLength: 3 })).map(([op, args]) => ({ [op]: args })) },
    { weight: 1, arbitrary: tie('node').map((x) => ({ '!': x })) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('some', 'none'), fc.constantFrom(...COLLECTIONS), tie('node')).map(([op, path, inner]) => ({ [op]: [{ var: path }, inner] })) },
  ),
})).node;

const sortKey = fc.tuple(fc.boolean(), fc.constantFrom(...PATHS)).map(([desc, path]) => `${desc ? '-' : ''}${path}`);
const forgedCursor = fc.tuple(fc.constantFrom('', 'title', '-quantity', 'close_date,-quantity'), fc.array(scalar, { maxLength: 3 }))
  .map(([s, v]) => Buffer.from(JSON.stringify({ s, v })).toString('base64url'));

const query = fc.record({
  filter: fc.oneof(condition.map((c) => JSON.stringify(c)), fc.string({ maxLength: 30 }), condition.map((c) => JSON.stringify(c).slice(0, 15))),
  sort: fc.oneof(fc.array(sortKey, { maxLength: 6 }).map((k) => k.join(',')), fc.string({ maxLength: 20 })),
  limit: fc.oneof(fc.integer({ min: -5, max: 600 }).map(String), fc.string({ maxLength: 5 })),
  offset: fc.oneof(fc.integer({ min: -5, max: 200 }).map(String), fc.constantFrom('100001', 'x')),
  cursor: fc.oneof(fc.constantFrom('CURSOR'), forgedCursor, fc.base64String({ maxLength: 40 }), fc.string({ maxLength: 20 })),
  fields: fc.oneof(fc.subarray(PATHS, { maxLength: 5 }).map((p) => p.join(',')), fc.string({ maxLength: 15 })),
  include: fc.oneof(fc.subarray(['account', 'tags', 'owner', 'deals', 'nope', 'title', 'amount'], { maxLength: 3 }).map((p) => p.join(',')), fc.string({ maxLength: 10 })),
  total: fc.constantFrom('exact', 'yes', ''),
  where: fc.string({ maxLength: 5 }),
}, { requiredKeys: [] });

const FIELDS = ['title', 'code', 'notes', 'quantity', 'probability', 'amount', 'won', 'close_date', 'signed_at', 'stage', 'channels',
  'contact_email', 'contact_phone', 'website', 'extra', 'account', 'tags', 'owner', 'id', 'version', 'created_at', 'updated_at', 'deleted_at', 'nope'];

const fieldValue = fc.oneof(
  { weight: 4, arbitrary: scalar },
  { weight: 1, arbitrary: fc.record({ amount: fc.oneof(scalar, fc.constantFrom('10.00', '1.5')), currency: fc.oneof(scalar, fc.constantFrom('USD', 'GBP')) }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.array(fc.oneof(scalar, fc.constantFrom('web', 'phone')), { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);
const recordBody = fc.dictionary(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...FIELDS) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }), fieldValue, { maxKeys: 8 });
const body = fc.oneof(
  { weight: 6, arbitrary: recordBody.map((b) => ({ json: b })) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((b) => ({ json: b })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((raw) => ({ raw })) },
  { weight: 1, arbitrary: recordBody.map((b) => ({ raw: JSON.stringify(b).slice(0, -1) })) },
  { weight: 1, arbitrary: fc.integer({ min: BODY_LIMIT - 50, max: BODY_LIMIT * 2 }).map((n) => ({ json: { title: 'x'.repeat(n) } })) },
);
const write = fc.record({
  kind: fc.constantFrom('create', 'create', 'patch', 'patch', 'bulk'),
  body,
  target: fc.nat(),
  version: fc.oneof(fc.constant(undefined), fc.integer({ min: 0, max: 4 }).map((v) => `"${v}"`), fc.constantFrom('*', 'abc', 'W/"1"')),
  bulkSize: fc.integer({ min: 0, max: 4 }),
});

// ---- checking ----

interface Failure { kind: string; request: string; status: number; body: string }

function check(failures: Failure[], request: string, res: { status: number; body: any; headers: Headers }): void {
  const raw = typeof res.body === 'string' ? res.body : JSON.stringify(res.body) ?? '';
  const fail = (kind: string) => failures.push({ kind, request: request.slice(0, 300), status: res.status, body: raw.slice(0, 300) });
  if (res.status >= 500) return fail(`status ${res.status} ${res.body?.title ?? ''}`.trim());
  if (res.status >= 400) {
    if (!(res.headers.get('content-type') ?? '').startsWith('application/problem+json')) return fail(`status ${res.status} without problem+json`);
    if (typeof res.body?.type !== 'string' || res.body?.status !== res.status) return fail(`status ${res.status} problem without type/status`);
    const leak = findLeak(raw);
    if (leak) return fail(`leak: ${leak.slice(0, 60)}`);
  } else if (!res.body || typeof res.body !== 'object' || !('data' in res.body) || !('meta' in res.body)) {
    return fail(`status ${res.status} without { data, meta }`);
  }
}

function report(failures: readonly Failure[]): string {
  const byKind = new Map<string, Failure[]>();
  for (const f of failures) byKind.set(f.kind, [...(byKind.get(f.kind) ?? []), f]);
  return [...byKind].map(([kind, list]) => `${list.length} x ${kind}\n${list.slice(0, 3).map((f) => `    ${f.request}\n      -> ${f.body}`).join('\n')}`).join('\n');
}

describe(`fuzz (seed ${SEED}, ${testDatabaseKind})`, () => {
  it(`${QUERY_RUNS} random list queries never fail on the server`, async () => {
    const failures: Failure[] = [];
    const samples = fc.sample(query, { seed: SEED, numRuns: QUERY_RUNS });
    samples.forEach((q, i) => {
      if (q.cursor === 'CURSOR') q.cursor = cursors[i % cursors.length] ?? '';
    });
    for (const q of samples) {
      const qs = Object.entries(q).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${encodeURIComponent(v as string)}`).join('&');
      const url = `/api/v1/deal${qs ? `?${qs}` : ''}`;
      check(failures, `GET ${decodeURIComponent(url)}`, await t.request('GET', url));
    }
    expect(failures.length, report(failures)).toBe(0);
  }, 120_000);

  it(`${BODY_RUNS} random create, patch and bulk bodies never fail on the server`, async () => {
    const failures: Failure[] = [];
    const samples = fc.sample(write, { seed: SEED + 1, numRuns: BODY_RUNS });
    for (const w of samples) {
      const payload = 'raw' in w.body ? w.body.raw : w.kind === 'bulk' ? { data: Array(w.bulkSize).fill(w.body.json) } : w.body.json;
      const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
      const id = w.target % 7 === 0 ? '01890000-0000-7000-8000-000000000000' : dealIds[w.target % dealIds.length];
      const [method, path] = w.kind === 'patch' ? ['PATCH', `/api/v1/deal/${id}`] : ['POST', w.kind === 'bulk' ? '/api/v1/deal/bulk' : '/api/v1/deal'];
      const headers = w.version !== undefined && w.kind === 'patch' ? { 'if-match': w.version } : {};
      check(failures, `${method} ${path} ${JSON.stringify(headers)} ${text.slice(0, 200)}`, await t.request(method!, path!, text, headers));
    }
    expect(failures.length, report(failures)).toBe(0);
  }, 120_000);

  it('the database is intact afterwards', async () => {
    const res = await t.request('GET', `/api/v1/deal/${dealIds[0]}`);
    expect(res.status).toBe(200);
    const count = await t.db.pool.query('SELECT count(*)::int AS n FROM deal');
    expect(count.rows[0]?.n).toBeGreaterThanOrEqual(40);
  });
});
