// GET /api/v1/search (#23): global search finds Chinese by characters and pairs and other words by prefix, only
// among records the caller may read, never by a field hidden from them; the index follows every pipeline write
// in its transaction, and the reindex job catches up rows written around the pipeline.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { forgetSearchMarks, reindexStale, SEARCH_REINDEX_JOB } from '../../../engine/src/search/search-index.js';
import { expectProblem } from '../../support/problem-checks.js';
import type { TestEngine } from '../../support/test-engine.js';
import { as, fieldLevel, rowIds, startSecurityWorld, USER_KEYS, type World } from '../../support/security-world.js';

let t: TestEngine;
let w: World;

beforeAll(async () => {
  ({ t, w } = await startSecurityWorld());
});
afterAll(() => t?.stop());

type Group = { entity: string; label: string; records: Array<{ id: string; title: string | null }> };

async function search(user: string, text: string, extra = ''): Promise<Group[]> {
  const res = await as(w, user)('GET', `/api/v1/search?q=${encodeURIComponent(text)}&limit=20${extra}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data as Group[];
}

const idsIn = (groups: Group[], entity: string) => new Set(groups.find((g) => g.entity === entity)?.records.map((r) => r.id) ?? []);
const dealId = (key: string) => w.byKey.get(key)!.id as string;

describe('global search', () => {
  it('finds, for every user, exactly the deals they may read whose title has the word', async () => {
    const titled = new Set(['D1', 'D2'].map(dealId)); // "Alpha renewal", "Alpha upsell"
    for (const user of USER_KEYS) {
      const readable = rowIds(w, user, 'deal', 'read');
      const expected = new Set([...titled].filter((id) => readable.has(id)));
      expect(idsIn(await search(user, 'alp'), 'deal'), user).toEqual(expected);
    }
  });

  it('never finds a record by a field hidden from the caller', async () => {
    const d6 = dealId('D6');
    for (const user of USER_KEYS) {
      const mayFind = rowIds(w, user, 'deal', 'read').has(d6) && fieldLevel(w, user, 'deal', 'notes') !== 'hidden';
      expect(idsIn(await search(user, 'notes of D6'), 'deal').has(d6), user).toBe(mayFind);
    }
    expect(USER_KEYS.some((u) => fieldLevel(w, u, 'deal', 'notes') === 'hidden' && rowIds(w, u, 'deal', 'read').has(d6))).toBe(true);
  });

  it('finds Chinese by any substring of two characters or by one character, and follows edits and deletes', async () => {
    const created = await t.request('POST', '/api/v1/deal', {
      title: '华为技术有限公司 年度框架',
      code: 'HW-1',
      account: w.byKey.get('A_hq')!.id,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.data.id as string;
    for (const text of ['技术', '术有限', '华', '框架 华为', 'hw-1'])
      expect(idsIn(await search('admin', text), 'deal'), text).toEqual(new Set([id]));
    expect(idsIn(await search('admin', '华技'), 'deal').has(id)).toBe(false);
    const edited = await t.request(
      'PATCH',
      `/api/v1/deal/${id}`,
      { title: '阿里云 合同' },
      { 'if-match': `"${created.body.data.version}"` },
    );
    expect(edited.status).toBe(200);
    expect(idsIn(await search('admin', '技术'), 'deal').has(id)).toBe(false);
    expect((await search('admin', '阿里云')).find((g) => g.entity === 'deal')?.records).toEqual([{ id, title: '阿里云 合同' }]);
    expect((await t.request('DELETE', `/api/v1/deal/${id}`, undefined, { 'if-match': `"${edited.body.data.version}"` })).status).toBe(200);
    expect(idsIn(await search('admin', '阿里云'), 'deal').has(id)).toBe(false);
  });

  it('indexes rows written around the pipeline when the reindex job runs', async () => {
    const [row] = (
      await t.db.pool.query<{ id: string }>(
        `INSERT INTO deal (id, title, code, account_id, won, stage) VALUES (gen_random_uuid(), '腾讯 直写', 'TX-9', $1, false, 'lead') RETURNING id::text AS id`,
        [w.byKey.get('A_hq')!.id],
      )
    ).rows;
    expect(idsIn(await search('admin', '腾讯'), 'deal').has(row!.id)).toBe(false);
    const key = `reindex-${Date.now()}`;
    await t.engine.queue.add(SEARCH_REINDEX_JOB, { entity: 'deal' }, { jobKey: key });
    await vi.waitFor(async () => expect((await t.engine.queue.list('completed', 1000)).map((j) => j.key)).toContain(key), {
      timeout: 10_000,
    });
    expect(idsIn(await search('admin', '腾讯'), 'deal')).toEqual(new Set([row!.id]));
  });

  it('catches up only rows changed since the last catch-up, and every row once the marks are forgotten (seeds)', async () => {
    const reindex = async () => {
      const key = `reindex-${Date.now()}-${Math.random()}`;
      await t.engine.queue.add(SEARCH_REINDEX_JOB, { entity: 'deal' }, { jobKey: key });
      await vi.waitFor(async () => expect((await t.engine.queue.list('completed', 1000)).map((j) => j.key)).toContain(key), {
        timeout: 10_000,
      });
    };
    await reindex();
    const [row] = (
      await t.db.pool.query<{ id: string }>(
        `INSERT INTO deal (id, title, code, account_id, won, stage, created_at, updated_at)
         VALUES (gen_random_uuid(), '华为 旧账', 'HW-9', $1, false, 'lead', now() - interval '2 days', now() - interval '2 days')
         RETURNING id::text AS id`,
        [w.byKey.get('A_hq')!.id],
      )
    ).rows;
    await reindex();
    expect(idsIn(await search('admin', '华为'), 'deal').has(row!.id)).toBe(false);
    await forgetSearchMarks(t.db.pool, ['deal']);
    await reindex();
    expect(idsIn(await search('admin', '华为'), 'deal')).toEqual(new Set([row!.id]));
  });

  it('catches up more rows than one batch holds, each batch after the last, and stops between batches when asked', async () => {
    const missing = async () =>
      (
        await t.db.pool.query<{ missing: number }>(
          `SELECT count(*)::int AS missing FROM deal t WHERE t.deleted_at IS NULL AND NOT EXISTS (
             SELECT 1 FROM tessera_search s WHERE s.entity = 'deal' AND s.record_id = t.id AND s.version = t.version)`,
        )
      ).rows[0]?.missing;
    await t.db.pool.query(
      `INSERT INTO deal (id, title, code, account_id, won, stage)
       SELECT gen_random_uuid(), '批量导入 ' || g, 'BULK-' || g, $1, false, 'lead' FROM generate_series(1, 4500) g`,
      [w.byKey.get('A_hq')!.id],
    );
    // Indexed rows edited around the pipeline: their index rows are at an older version.
    const edited = await t.db.pool.query(
      `UPDATE deal SET title = title || ' 改写', version = version + 1
        WHERE id IN (SELECT DISTINCT record_id FROM tessera_search WHERE entity = 'deal' LIMIT 3)`,
    );
    expect(edited.rowCount).toBe(3);
    expect(await missing()).toBe(4503);
    await forgetSearchMarks(t.db.pool, ['deal']);
    // An engine closing stops a catch-up between batches, leaving no mark: the next run goes on from the start. The
    // first batch is the first 2,000 records by id, indexed or not.
    const deal = t.engine.models.current().model.entitiesByName.deal!;
    const firstBatch = await reindexStale(t.db.pool, deal, () => true);
    expect(firstBatch).toBeGreaterThan(0);
    expect(firstBatch).toBeLessThanOrEqual(2000);
    expect(await missing()).toBe(4503 - firstBatch);
    expect((await t.db.pool.query(`SELECT 1 FROM tessera_search_mark WHERE entity = 'deal'`)).rowCount).toBe(0);
    const key = `reindex-bulk-${Date.now()}`;
    await t.engine.queue.add(SEARCH_REINDEX_JOB, { entity: 'deal' }, { jobKey: key });
    await vi.waitFor(async () => expect((await t.engine.queue.list('completed', 1000)).map((j) => j.key)).toContain(key), {
      timeout: 30_000,
    });
    expect(await missing()).toBe(0);
    expect((await search('admin', '改写')).find((g) => g.entity === 'deal')?.records).toHaveLength(3);
    expect((await search('admin', 'BULK-4500')).find((g) => g.entity === 'deal')?.records.map((r) => r.title)).toEqual(['批量导入 4500']);
  });

  it('answers empty for text with nothing to find by, and refuses text too long or a bad limit', async () => {
    expect(await search('admin', ' !! ')).toEqual([]);
    expectProblem(await t.request('GET', `/api/v1/search?q=${'字'.repeat(201)}`), 400, 'search.too_long');
    expectProblem(await t.request('GET', '/api/v1/search?q=a&limit=0'), 400, 'search.bad_limit');
    expectProblem(await t.request('GET', '/api/v1/search?q=a', undefined, { authorization: '' }), 401);
  });
});
