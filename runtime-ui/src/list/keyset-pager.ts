// Feeds ag-grid's infinite row model from the list API with keyset paging: each block's request carries the cursor
// the previous block returned; a block reached by jumping (a dragged scrollbar) falls back to an offset. DOM-free.
export interface PageQuery {
  sort: string[];
  filter: unknown;
  include: string[];
}

export interface ListPage {
  data: Record<string, unknown>[];
  meta: { nextCursor?: string | null; total?: number };
}

export type FetchPage = (params: Record<string, unknown>) => Promise<ListPage>;

/** The API's largest offset; past it only cursors reach. */
const MAX_OFFSET = 100_000;

export class KeysetPager {
  private cursors = new Map<number, string>();
  private signature = '';
  total: number | undefined;

  constructor(private readonly fetchPage: FetchPage) {}

  /** One block of rows [start, end) and the last row's index when the end is known (else -1). */
  async block(start: number, end: number, query: PageQuery): Promise<{ rows: Record<string, unknown>[]; lastRow: number }> {
    const signature = JSON.stringify(query);
    if (signature !== this.signature) {
      // Another sort or filter: every cursor belongs to the old order.
      this.signature = signature;
      this.cursors.clear();
      this.total = undefined;
    }
    const cursor = start === 0 ? undefined : this.cursors.get(start);
    const params: Record<string, unknown> = {
      sort: query.sort,
      filter: query.filter,
      include: query.include,
      limit: end - start,
      ...(cursor ? { cursor } : start > 0 ? { offset: Math.min(start, MAX_OFFSET) } : { total: 'exact' }),
    };
    const page = await this.fetchPage(params);
    if (start === 0 && page.meta.total !== undefined) this.total = page.meta.total;
    const next = page.meta.nextCursor;
    if (next) this.cursors.set(start + page.data.length, next);
    const lastRow = next && page.data.length === end - start ? -1 : start + page.data.length;
    return { rows: page.data, lastRow };
  }
}
