// The lists' pager: blocks after the first carry the cursor the previous block returned; a jump uses an offset;
// another sort or filter forgets the cursors; the end of the list is known from a short or cursor-less block.
import { describe, expect, it } from 'vitest';
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
  it('follows the cursors block after block and learns the total from the first', async () => {
    const api = serve(120);
    const pager = new KeysetPager(api.fetchPage);
    expect(await pager.block(0, 50, query)).toMatchObject({ lastRow: -1 });
    expect(pager.total).toBe(120);
    await pager.block(50, 100, query);
    const last = await pager.block(100, 150, query);
    expect(last.lastRow).toBe(120);
    expect(last.rows.map((r) => r.id)).toEqual(Array.from({ length: 20 }, (_, i) => `r${100 + i}`));
    expect(api.calls.map((c) => [c.cursor, c.offset, c.total])).toEqual([
      [undefined, undefined, 'exact'],
      ['50', undefined, undefined],
      ['100', undefined, undefined],
    ]);
    expect(api.calls[1]).toMatchObject({ sort: ['-created_at'], include: ['owner'], limit: 50 });
  });

  it('jumps with an offset and forgets cursors when the order changes', async () => {
    const api = serve(500);
    const pager = new KeysetPager(api.fetchPage);
    await pager.block(0, 50, query);
    await pager.block(300, 350, query);
    expect(api.calls[1]).toMatchObject({ offset: 300 });
    await pager.block(50, 100, { ...query, sort: ['name'] });
    expect(api.calls[2]).toMatchObject({ offset: 50, sort: ['name'] });
    expect(api.calls[2]?.cursor).toBeUndefined();
  });

  it('knows the end when a full block is the last one', async () => {
    const api = serve(50);
    const pager = new KeysetPager(api.fetchPage);
    expect((await pager.block(0, 50, query)).lastRow).toBe(50);
  });
});
