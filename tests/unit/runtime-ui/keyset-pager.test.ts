// The lists' pager: blocks after the first carry the cursor the previous block returned; a jump uses an offset;
// another sort or filter forgets the cursors; the end of the list is known from a short or cursor-less block; a first
// block asked for before the grid is built answers the grid's request for it.
import { describe, expect, it, vi } from 'vitest';
import { KeysetPager, type ListPage } from '../../../runtime-ui/src/list/keyset-pager.js';

/** A list of `n` rows served as the API does: keyset cursors are the index of the next row, as text. */
function serve(n: number) {
  const calls: Record<string, unknown>[] = [];
  const fetchPage = async (params: Record<string, unknown>): Promise<ListPage> => {
    calls.push(params);
    const start = params.cursor !== undefined ? Number(params.cursor) : Number(params.offset ?? 0);
    const limit = Number(params.limit);
    const data = Array.from({ length: Math.max(0, Math.min(limit, n - start)) }, (_, i) => ({ id: `r${start + i}` }));
    const more = start + data.length < n;
    return { data, meta: { ...(more ? { nextCursor: String(start + data.length) } : {}), ...(params.total ? { total: n } : {}) } };
  };
  return { calls, fetchPage };
}

const query = { sort: ['-created_at'], filter: undefined, include: ['owner'] };

describe('KeysetPager', () => {
  it('follows the cursors block after block and counts the records beside the first block', async () => {
    const api = serve(120);
    const heard: number[] = [];
    const pager = new KeysetPager(api.fetchPage, (n) => heard.push(n));
    expect(await pager.block(0, 50, query)).toMatchObject({ lastRow: -1 });
    await vi.waitFor(() => expect(heard).toEqual([120]));
    expect(pager.total).toBe(120);
    await pager.block(50, 100, query);
    const last = await pager.block(100, 150, query);
    expect(last.lastRow).toBe(120);
    expect(last.rows.map((r) => r.id)).toEqual(Array.from({ length: 20 }, (_, i) => `r${100 + i}`));
    // The count is its own request (one id, no sort, the same filter): the rows never wait for it.
    expect(api.calls.map((c) => [c.cursor, c.offset, c.total, c.limit])).toEqual([
      [undefined, undefined, 'exact', 1],
      [undefined, undefined, undefined, 50],
      ['50', undefined, undefined, 50],
      ['100', undefined, undefined, 50],
    ]);
    expect(api.calls[0]).toEqual({ filter: undefined, limit: 1, fields: 'id', total: 'exact' });
    expect(api.calls[2]).toMatchObject({ sort: ['-created_at'], include: ['owner'], limit: 50 });
  });

  it("answers the grid's first block with the one asked for before the grid was ready, and only that block", async () => {
    const api = serve(120);
    const pager = new KeysetPager(api.fetchPage);
    pager.prefetch(50, query);
    expect(api.calls).toEqual([{ sort: ['-created_at'], filter: undefined, include: ['owner'], limit: 50 }]);
    const first = await pager.block(0, 50, query);
    expect(first.rows.map((r) => r.id).slice(0, 2)).toEqual(['r0', 'r1']);
    // Asked once, beside the count; the next block follows its cursor.
    expect(api.calls.filter((c) => c.total === undefined)).toHaveLength(1);
    await pager.block(50, 100, query);
    expect(api.calls.at(-1)).toMatchObject({ cursor: '50' });
    // A prefetch of another query (the user picked a saved view meanwhile) is not taken for it.
    pager.prefetch(50, query);
    const other = { ...query, sort: ['name'] };
    await pager.block(0, 50, other);
    expect(api.calls.filter((c) => c.total === undefined && c.sort?.toString() === 'name')).toHaveLength(1);
  });

  it('gives the first rows without waiting for a slow count', async () => {
    let release: (page: ListPage) => void = () => {};
    const slowCount = new Promise<ListPage>((resolve) => (release = resolve));
    const api = serve(120);
    const pager = new KeysetPager((params) => (params.total ? slowCount : api.fetchPage(params)));
    const first = await pager.block(0, 50, query);
    expect(first.rows).toHaveLength(50);
    expect(pager.total).toBeUndefined();
    release({ data: [{ id: 'r0' }], meta: { total: 120, nextCursor: '1' } });
    await vi.waitFor(() => expect(pager.total).toBe(120));
  });

  it('jumps with an offset and forgets cursors when the order changes', async () => {
    const api = serve(500);
    const pager = new KeysetPager(api.fetchPage);
    const rowCalls = () => api.calls.filter((c) => !c.total);
    await pager.block(0, 50, query);
    await pager.block(300, 350, query);
    expect(rowCalls()[1]).toMatchObject({ offset: 300 });
    await pager.block(50, 100, { ...query, sort: ['name'] });
    expect(rowCalls()[2]).toMatchObject({ offset: 50, sort: ['name'] });
    expect(rowCalls()[2]?.cursor).toBeUndefined();
  });

  it('knows the end when a full block is the last one', async () => {
    const api = serve(50);
    const pager = new KeysetPager(api.fetchPage);
    expect((await pager.block(0, 50, query)).lastRow).toBe(50);
  });

  it('ignores the total of an answer to a query the user has since left', async () => {
    let release: (page: ListPage) => void = () => {};
    const slow = new Promise<ListPage>((resolve) => (release = resolve));
    const fast = serve(13);
    const pager = new KeysetPager((params) => (params.filter === undefined ? slow : fast.fetchPage(params)));
    const stale = pager.block(0, 50, query);
    await pager.block(0, 50, { ...query, filter: { '>': [{ var: 'amount' }, 1] } });
    await vi.waitFor(() => expect(pager.total).toBe(13));
    release({ data: [{ id: 'old' }], meta: { total: 20, nextCursor: '1' } });
    await stale;
    expect(pager.total).toBe(13);
  });
});
