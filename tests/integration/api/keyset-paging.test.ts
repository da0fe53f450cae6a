// Keyset paging through HTTP: with ~300 deals, paging with limit=37 and the opaque cursor returns every row
// that existed at the start exactly once while rows are inserted between page fetches; multi-key sorts with
// nullable keys and relation paths page in exactly the order of one big page; bad cursors are 400s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedApiDemo, type ApiDemoSeed } from '../../support/api-demo-seed.js';
import { listUrl, type ListParams } from '../../support/list-url.js';
import { expectProblem } from '../../support/problem-checks.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

let t: TestEngine;
let seed: ApiDemoSeed;
let originalIds: string[] = [];

const ROWS = 300;
const PAGE = 37;

/** A small deterministic generator (LCG), so every run sees the same data. */
function generator(seedValue: number): (n: number) => number {
  let state = seedValue >>> 0;
  return (n) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
}

const WORDS = ['alpha', 'Beta', 'gamma', 'Delta', 'omega', 'Zeta', 'ürün', '合同', 'a', ''];
const DATES = ['2023-12-31', '2024-01-15', '2024-02-29', '2024-03-01', '2025-06-01', '1999-01-01'];
const INSTANTS = ['2024-01-15T08:00:00.000Z', '2024-01-15T08:00:00.001Z', '2023-06-30T12:00:00.000Z', '2030-01-01T00:00:00.000Z'];

function makeDeal(rand: (n: number) => number, code: string, accounts: string[]): Record<string, unknown> {
  const word = WORDS[rand(WORDS.length)] ?? 'x';
  return {
    code,
    title: `${word} ${rand(20)}`.trim() || 'x',
    quantity: rand(7) === 0 ? null : rand(25),
    close_date: rand(5) === 0 ? null : DATES[rand(DATES.length)],
    probability: rand(4) === 0 ? null : `${rand(100)}.${rand(10)}0`,
    won: rand(3) === 0,
    account: accounts[rand(accounts.length)],
    amount: rand(6) === 0 ? null : { amount: `${rand(5) * 100}.00`, currency: ['USD', 'EUR', 'CNY'][rand(3)] },
    signed_at: rand(8) === 0 ? null : INSTANTS[rand(INSTANTS.length)],
    stage: ['lead', 'qualified', 'proposal', 'closed'][rand(4)],
  };
}

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'tests/fixtures/packs/api-demo'] });
  seed = await seedApiDemo(t);
  const rand = generator(20_240_611);
  const accounts = Object.values(seed.accounts);
  const deals = Array.from({ length: ROWS }, (_, i) => makeDeal(rand, `K-${i}`, accounts));
  const res = await t.request('POST', '/api/v1/deal/bulk', { data: deals });
  if (res.status !== 201) throw new Error(`seed failed: ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
  originalIds = (res.body.data as Array<{ id: string }>).map((d) => d.id);
});

afterAll(async () => {
  await t?.stop();
});

type Rec = Record<string, any>;

/** Pages through with the cursor; stops early when a page repeats a row (a broken cursor would loop forever). */
async function pageThrough(params: ListParams, between?: (page: number) => Promise<void>): Promise<Rec[]> {
  const out: Rec[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; ; page++) {
    if (page > 100) throw new Error('paging did not end');
    const res = await t.request('GET', listUrl('deal', { ...params, limit: PAGE, ...(cursor ? { cursor } : {}) }));
    expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(200);
    expect(res.body.data.length).toBeLessThanOrEqual(PAGE);
    if (cursor) expect(res.body.meta).not.toHaveProperty('offset');
    out.push(...res.body.data);
    const repeated = (res.body.data as Rec[]).some((r) => seen.has(r.id));
    for (const r of res.body.data as Rec[]) seen.add(r.id);
    cursor = res.body.meta.nextCursor ?? undefined;
    if (!cursor || repeated) {
      if (!repeated) expect(res.body.meta.nextCursor).toBeNull();
      return out;
    }
    expect(res.body.data).toHaveLength(PAGE);
    if (between) await between(page);
  }
}

function expectEachOnce(rows: readonly Rec[], mustContain: readonly string[]): void {
  const seen = new Map<string, number>();
  for (const r of rows) seen.set(r.id, (seen.get(r.id) ?? 0) + 1);
  const duplicates = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  expect(duplicates, 'rows returned more than once').toEqual([]);
  const missing = mustContain.filter((id) => !seen.has(id));
  expect(missing, 'rows never returned').toEqual([]);
}

let inserted = 0;
async function insertSome(rand: (n: number) => number, n: number): Promise<void> {
  const accounts = Object.values(seed.accounts);
  for (let i = 0; i < n; i++) {
    const res = await t.request('POST', '/api/v1/deal', makeDeal(rand, `N-${inserted++}`, accounts));
    expect(res.status).toBe(201);
  }
}

/** Code point order, as PostgreSQL's C collation and the filter compiler order text. */
function cmpText(a: string, b: string): number {
  return a === b ? 0 : [a, b].sort()[0] === a ? -1 : 1;
}

describe('keyset paging while rows are inserted', () => {
  it('default order (id): every original row exactly once', async () => {
    const rand = generator(1);
    const rows = await pageThrough({ fields: 'code' }, () => insertSome(rand, 2));
    expectEachOnce(rows, originalIds);
    expect(rows.length).toBeGreaterThanOrEqual(ROWS);
    const ids = rows.map((r) => r.id as string);
    expect(ids).toEqual([...ids].sort());
  });

  it('sort=title (inserts land before and after the cursor): every original row exactly once, in order', async () => {
    const rand = generator(2);
    const rows = await pageThrough({ sort: 'title', fields: 'code,title' }, () => insertSome(rand, 2));
    expectEachOnce(rows, originalIds);
    for (let i = 1; i < rows.length; i++) {
      const order = cmpText(rows[i - 1]!.title, rows[i]!.title);
      expect(order <= 0 && (order < 0 || rows[i - 1]!.id < rows[i]!.id), `rows ${i - 1} and ${i} out of order`).toBe(true);
    }
  });

  it('sort=-quantity,close_date with nulls: every original row exactly once', async () => {
    const rand = generator(3);
    const rows = await pageThrough({ sort: '-quantity,close_date', fields: 'code' }, () => insertSome(rand, 2));
    expectEachOnce(rows, originalIds);
  });
});

describe('multi-key sorts with nullable keys page exactly like one big page', () => {
  it('sort=close_date,-quantity matches the documented order (NULLs last ascending, first descending)', async () => {
    const rows = await pageThrough({ sort: 'close_date,-quantity', fields: 'code,close_date,quantity' });
    const all = await t.request('GET', listUrl('deal', { fields: 'code,close_date,quantity', limit: 500 }));
    expect(all.body.meta.nextCursor).toBeNull();
    const expected = [...(all.body.data as Rec[])].sort((a, b) => {
      if (a.close_date !== b.close_date) {
        if (a.close_date === null) return 1;
        if (b.close_date === null) return -1;
        return a.close_date < b.close_date ? -1 : 1;
      }
      if (a.quantity !== b.quantity) {
        if (a.quantity === null) return -1;
        if (b.quantity === null) return 1;
        return b.quantity - a.quantity;
      }
      return a.id < b.id ? -1 : 1;
    });
    expect(rows.map((r) => r.code)).toEqual(expected.map((r) => r.code));
    expect(rows.some((r) => r.close_date === null)).toBe(true);
    expect(rows.some((r) => r.quantity === null)).toBe(true);
  });

  it.each([
    '-close_date,quantity',
    'quantity,-close_date,title',
    'account.region,-probability',
    '-account.parent.name,code',
    'amount.currency,-amount.amount',
    '-signed_at',
    'won,-code',
    '-won,probability,-close_date',
    'stage,title',
    'account.name,-id',
  ])('sort=%s', async (sort) => {
    const paged = await pageThrough({ sort, fields: 'code' });
    const whole = await t.request('GET', listUrl('deal', { sort, fields: 'code', limit: 500 }));
    expect(whole.status).toBe(200);
    expect(whole.body.meta.nextCursor).toBeNull();
    expect(paged.map((r) => r.id)).toEqual(whole.body.data.map((r: Rec) => r.id));
  });

  it('cursor paging combined with a filter', async () => {
    const filter = { or: [{ isNull: [{ var: 'quantity' }] }, { '>': [{ var: 'quantity' }, 12] }] };
    const paged = await pageThrough({ sort: '-quantity,close_date', filter, fields: 'code' });
    const whole = await t.request(
      'GET',
      listUrl('deal', { sort: '-quantity,close_date', filter, fields: 'code', limit: 500, total: 'exact' }),
    );
    expect(paged.map((r) => r.id)).toEqual(whole.body.data.map((r: Rec) => r.id));
    expect(whole.body.meta.total).toBe(paged.length);
  });
});

describe('invalid cursors are 400s', () => {
  async function firstCursor(sort?: string): Promise<string> {
    const res = await t.request('GET', listUrl('deal', { limit: 5, ...(sort ? { sort } : {}) }));
    expect(typeof res.body.meta.nextCursor).toBe('string');
    return res.body.meta.nextCursor as string;
  }

  // Forged cursors name the entity they are for, so each case tests the one part it breaks.
  const forge = (body: unknown) => Buffer.from(JSON.stringify(body)).toString('base64url');

  it('a cursor from another sort', async () => {
    const cursor = await firstCursor('title');
    expectProblem(await t.request('GET', listUrl('deal', { cursor, sort: '-title' })), 400, 'query.invalid_cursor', [
      { pointer: '/cursor' },
    ]);
    expectProblem(await t.request('GET', listUrl('deal', { cursor })), 400, 'query.invalid_cursor');
    expectProblem(await t.request('GET', listUrl('deal', { cursor, sort: 'title,quantity' })), 400, 'query.invalid_cursor');
  });

  it.each([
    ['not base64', '!!!not-a-cursor!!!'],
    ['base64 of junk', Buffer.from('junk').toString('base64url')],
    ['an empty object', forge({})],
    ['JSON null', forge(null)],
    ['a list', forge([1, 2])],
    ['too few values', forge({ e: 'deal', s: '', v: [] })],
    ['too many values', forge({ e: 'deal', s: '', v: ['01890000-0000-7000-8000-000000000000', 1] })],
    ['an object as a value', forge({ e: 'deal', s: '', v: [{ id: 1 }] })],
    ['very long', 'A'.repeat(5000)],
    ['base64 padding', `${forge({ e: 'deal', s: '', v: ['x'] })}==`],
  ])('%s', async (_name, cursor) => {
    expectProblem(await t.request('GET', listUrl('deal', { cursor })), 400, 'query.invalid_cursor');
  });

  it('a tampered cursor whose values do not fit the sort keys', async () => {
    expectProblem(
      await t.request('GET', listUrl('deal', { cursor: forge({ e: 'deal', s: '', v: ['not-a-uuid'] }) })),
      400,
      'query.invalid_cursor',
    );
    expectProblem(
      await t.request(
        'GET',
        listUrl('deal', {
          sort: 'quantity',
          cursor: forge({ e: 'deal', s: 'quantity', v: ['many', '01890000-0000-7000-8000-000000000000'] }),
        }),
      ),
      400,
      'query.invalid_cursor',
    );
    expectProblem(
      await t.request(
        'GET',
        listUrl('deal', {
          sort: 'close_date',
          cursor: forge({ e: 'deal', s: 'close_date', v: ['2024-13-45', '01890000-0000-7000-8000-000000000000'] }),
        }),
      ),
      400,
      'query.invalid_cursor',
    );
    expectProblem(
      await t.request(
        'GET',
        listUrl('deal', { sort: 'won', cursor: forge({ e: 'deal', s: 'won', v: [12, '01890000-0000-7000-8000-000000000000'] }) }),
      ),
      400,
      'query.invalid_cursor',
    );
  });

  it('a cursor edited to another position still pages consistently (it is only a position)', async () => {
    const cursor = forge({ e: 'deal', s: '', v: ['00000000-0000-0000-0000-000000000000'] });
    const res = await t.request('GET', listUrl('deal', { cursor, limit: 3 }));
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(3);
  });

  it('cursor and offset together', async () => {
    const cursor = await firstCursor();
    expectProblem(await t.request('GET', listUrl('deal', { cursor, offset: 5 })), 400, 'query.cursor_and_offset');
  });
});

// Timestamps carry microseconds in PostgreSQL; a cursor must keep them or rows repeat or vanish.
describe('keyset paging over timestamps', () => {
  it('sort=created_at (rows created together share a timestamp): every original row exactly once', async () => {
    const rand = generator(4);
    const rows = await pageThrough({ sort: 'created_at', fields: 'code' }, () => insertSome(rand, 1));
    expectEachOnce(rows, originalIds);
  });

  it('sort=-updated_at while rows are updated to the front: every row not updated comes exactly once', async () => {
    const rows: Rec[] = [];
    let cursor: string | undefined;
    const updated = new Set<string>();
    for (let page = 0; page < 50; page++) {
      const res = await t.request(
        'GET',
        listUrl('deal', { sort: '-updated_at', fields: 'code', limit: PAGE, ...(cursor ? { cursor } : {}) }),
      );
      expect(res.status).toBe(200);
      rows.push(...res.body.data);
      cursor = res.body.meta.nextCursor ?? undefined;
      if (!cursor) break;
      // Touch one row that has not been returned yet; it moves before the cursor.
      const victim = originalIds.find((id) => !rows.some((r) => r.id === id) && !updated.has(id));
      if (victim) {
        const cur = await t.db.pool.query('SELECT version FROM deal WHERE id = $1', [victim]);
        const res2 = await t.request(
          'PATCH',
          `/api/v1/deal/${victim}`,
          { notes: `touched ${page}` },
          { 'if-match': `"${cur.rows[0].version}"` },
        );
        expect(res2.status).toBe(200);
        updated.add(victim);
      }
    }
    expectEachOnce(
      rows,
      originalIds.filter((id) => !updated.has(id)),
    );
  });

  it('sort=signed_at over values that differ only in microseconds: each row exactly once', async () => {
    const base = '2031-05-01T10:00:00.1234';
    const res = await t.request('POST', '/api/v1/deal/bulk', {
      data: [56, 57, 58, 59].map((us) => ({
        title: `micro ${us}`,
        code: `MICRO-${us}`,
        account: seed.accounts.acme,
        signed_at: `${base}${us}Z`,
      })),
    });
    expect(res.status).toBe(201);
    const micro = res.body.data.map((d: Rec) => d.id as string);
    const filter = { startsWith: [{ var: 'code' }, 'MICRO-'] };
    const rows: Rec[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 8; page++) {
      const p = await t.request(
        'GET',
        listUrl('deal', { sort: 'signed_at', filter, fields: 'code', limit: 1, ...(cursor ? { cursor } : {}) }),
      );
      expect(p.status).toBe(200);
      rows.push(...p.body.data);
      cursor = p.body.meta.nextCursor ?? undefined;
      if (!cursor) break;
    }
    expect(rows.map((r) => r.code)).toEqual(['MICRO-56', 'MICRO-57', 'MICRO-58', 'MICRO-59']);
    expectEachOnce(rows, micro);
  });
});
