// #18 part 10: a list sorted by a column no index holds sorts only its keys and row addresses, then reads the page's
// records back. The statement the engine ran is read from pg_stat_activity and explained: its sort rows carry no
// record column. Pages (offset and cursor), fields=, include, total=exact, scope and hidden fields stay as before.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedApiDemo, type ApiDemoSeed } from '../../support/api-demo-seed.js';
import { listUrl, type ListParams } from '../../support/list-url.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

type Rec = Record<string, any>;
const PASSWORD = 'narrow-sort-password';
const ROWS = 60;
let t: TestEngine;
let seed: ApiDemoSeed;
let aliceToken: string;

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'tests/fixtures/packs/api-demo'] });
  seed = await seedApiDemo(t);
  const accounts = Object.values(seed.accounts);
  // Probabilities repeat and some are null, so ties fall to the id and NULLs take their documented place.
  const deals = Array.from({ length: ROWS }, (_, i) => ({
    code: `N-${i}`,
    title: `Deal ${i % 7}`,
    quantity: i % 9 === 0 ? null : i % 11,
    probability: i % 8 === 0 ? null : `${(i * 37) % 13}.50`,
    account: accounts[i % accounts.length],
    ...(i % 3 === 0 ? { owner: seed.users.alice } : {}),
  }));
  const res = await t.request('POST', '/api/v1/deal/bulk', { data: deals });
  if (res.status !== 201) throw new Error(`seed failed: ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
  // Alice reads her own deals, without the probability.
  const role = await t.request('POST', '/api/v1/role', {
    code: 'narrow_sort',
    name: 'Narrow sort',
    members: [seed.users.alice],
    grants: {
      entities: {
        deal: { actions: ['read'], scope: 'own', fields: { probability: 'hidden' } },
        account: { actions: ['read'], scope: 'all' },
      },
    },
  });
  if (role.status !== 201) throw new Error(`role failed: ${role.status} ${JSON.stringify(role.body)}`);
  await t.request('PUT', `/api/admin/users/${seed.users.alice}/password`, { password: PASSWORD });
  aliceToken = await t.login('alice', PASSWORD);
});

afterAll(async () => {
  await t?.stop();
});

async function withClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: t.db.url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * The list statement the engine ran for `path` (its connections keep their last statement in pg_stat_activity). The
 * engine's background work (the outbox relay's poll) may take that connection before we look, so a read that finds
 * no list statement started after the request asks again.
 */
async function statementFor(path: string): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const before = await withClient(async (c) => (await c.query<{ now: Date }>('SELECT clock_timestamp() AS now')).rows[0]?.now);
    const res = await t.request('GET', path);
    expect(res.status).toBe(200);
    const found = await withClient(async (c) => {
      const r = await c.query<{ query: string }>(
        `SELECT query FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'SELECT t0.%'
            AND query_start >= $1 ORDER BY query_start DESC LIMIT 1`,
        [before],
      );
      return r.rows[0]?.query;
    });
    if (found !== undefined) return found;
  }
  throw new Error(`no list statement seen for ${path}`);
}

/** The output columns of every Sort node of the statement's plan. */
async function sortOutputs(text: string): Promise<string[][]> {
  const plan = await withClient(async (c) => (await c.query(`EXPLAIN (VERBOSE, FORMAT JSON) ${text}`)).rows[0]['QUERY PLAN'][0].Plan);
  const out: string[][] = [];
  const walk = (node: Rec) => {
    if (node['Node Type'] === 'Sort' || node['Node Type'] === 'Incremental Sort') out.push(node.Output as string[]);
    for (const child of (node.Plans ?? []) as Rec[]) walk(child);
  };
  walk(plan);
  return out;
}

async function pageThrough(params: ListParams, token = t.adminToken): Promise<Rec[]> {
  const rows: Rec[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 50; page++) {
    const res = await t.request('GET', listUrl('deal', { ...params, limit: 7, ...(cursor ? { cursor } : {}) }), undefined, {
      authorization: `Bearer ${token}`,
    });
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
    rows.push(...res.body.data);
    cursor = res.body.meta.nextCursor ?? undefined;
    if (!cursor) return rows;
  }
  throw new Error('paging did not end');
}

/** -probability (NULLs first), then title, then id: the order PostgreSQL gives `sort=-probability,title`. */
function byProbabilityDescTitle(a: Rec, b: Rec): number {
  if (a.probability !== b.probability) {
    if (a.probability === null) return -1;
    if (b.probability === null) return 1;
    return Number(b.probability) - Number(a.probability);
  }
  if (a.title !== b.title) return a.title < b.title ? -1 : 1;
  return a.id < b.id ? -1 : 1;
}

describe('a sort no index holds', () => {
  it('sorts only the keys and row addresses, then reads the page back', async () => {
    const text = await statementFor(listUrl('deal', { sort: '-probability,title', fields: 'code', limit: 10 }));
    expect(text).toContain(
      'JOIN (SELECT t0."probability" AS "__k0", t0."title" AS "__k1", t0."id" AS "__k2", t0.ctid AS "__row" FROM "deal" t0 WHERE',
    );
    const sorts = await sortOutputs(text);
    expect(sorts.length).toBeGreaterThan(0);
    // The inner sort carries the keys and the address only; the outer one orders fifty-odd finished rows.
    const inner = sorts.find((cols) => cols.some((c) => c.endsWith('.ctid')));
    expect(inner?.map((c) => c.replace(/^\w+\./, '')).sort()).toEqual(['ctid', 'id', 'probability', 'title']);
  });

  it('an indexed sort stays one statement', async () => {
    const text = await statementFor(listUrl('deal', { sort: 'code', fields: 'title', limit: 10 }));
    expect(text).not.toContain('JOIN (');
    expect(text).toMatch(/ORDER BY t0\."code" ASC NULLS LAST, t0\."id" ASC NULLS LAST LIMIT 11$/);
    // Its key comes back as a helper column when fields= leaves it out, so the cursor still pages.
    const all = await t.request('GET', listUrl('deal', { fields: 'code', limit: 500 }));
    const expected = (all.body.data as Rec[])
      .map((r) => r.code as string)
      .sort()
      .reverse();
    const paged = await pageThrough({ sort: '-code', fields: 'title' });
    expect(paged.map((r) => r.id)).toEqual(expected.map((code) => (all.body.data as Rec[]).find((r) => r.code === code)?.id));
    for (const r of paged) expect(Object.keys(r).sort()).toEqual(['id', 'title']);
  });

  it('pages by cursor and by offset in the order of one big page; helper keys never reach the records', async () => {
    const all = await t.request('GET', listUrl('deal', { fields: 'code,probability,title', limit: 500 }));
    const expected = [...(all.body.data as Rec[])].sort(byProbabilityDescTitle).map((r) => r.code);
    const paged = await pageThrough({ sort: '-probability,title', fields: 'code' });
    expect(paged.map((r) => r.code)).toEqual(expected);
    for (const r of paged) expect(Object.keys(r).sort()).toEqual(['code', 'id']);
    const offsets: string[] = [];
    for (let offset = 0; offset < ROWS; offset += 9) {
      const res = await t.request('GET', listUrl('deal', { sort: '-probability,title', fields: 'code,probability', limit: 9, offset }));
      offsets.push(...(res.body.data as Rec[]).map((r) => r.code));
    }
    expect(offsets).toEqual(expected);
  });

  it('include, total=exact and a filter keep working', async () => {
    const filter = { '>': [{ var: 'quantity' }, 4] };
    const res = await t.request(
      'GET',
      listUrl('deal', { sort: '-quantity', filter, fields: 'quantity,account', include: 'account', total: 'exact', limit: 5 }),
    );
    expect(res.status).toBe(200);
    const count = (await t.request('GET', listUrl('deal', { filter, fields: 'code', limit: 500 }))).body.data.length;
    expect(res.body.meta.total).toBe(count);
    expect(res.body.data).toHaveLength(5);
    for (const r of res.body.data as Rec[]) {
      expect(r.quantity).toBeGreaterThan(4);
      expect(r.account).toMatchObject({ id: expect.any(String), name: expect.any(String) });
    }
    const quantities = (res.body.data as Rec[]).map((r) => r.quantity as number);
    expect(quantities).toEqual([...quantities].sort((a, b) => b - a));
  });

  it('a scoped caller with a hidden field sees only their rows, without the field, in order', async () => {
    const rows = await pageThrough({ sort: '-quantity,title' }, aliceToken);
    expect(rows).toHaveLength(ROWS / 3);
    for (const r of rows) {
      expect(r.owner).toBe(seed.users.alice);
      expect(r).not.toHaveProperty('probability');
      for (const k of Object.keys(r)) expect(k.startsWith('__')).toBe(false);
    }
    const denied = await t.request('GET', listUrl('deal', { sort: '-probability' }), undefined, { authorization: `Bearer ${aliceToken}` });
    expect(denied.status).toBe(400);
  });
});
