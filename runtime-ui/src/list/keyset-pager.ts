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
  /** The first block asked for before the grid was built, by its query and size. */
  private early: { key: string; page: Promise<ListPage> } | undefined;
  total: number | undefined;

  /** `onTotal` hears the count of the query the user sees, which comes after its first rows. */
  constructor(
    private readonly fetchPage: FetchPage,
    private readonly onTotal: (total: number) => void = () => {},
  ) {}

  /**
   * Asks for the first block while the grid is still being built (it asks only once it is ready): the grid's request
   * for that block and query then takes this answer rather than asking again.
   */
  prefetch(end: number, query: PageQuery): void {
    const page = this.fetchPage(paramsOf(0, end, query, undefined));
    page.catch(() => undefined); // Unused or failed: the grid's own request says why.
    this.early = { key: `${JSON.stringify(query)}/${end}`, page };
  }

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
    // Counting every record the user may see costs a scan of them all on a large table; the first rows need
    // only an index's first entries, so they are asked for on their own and the count follows.
    if (start === 0 && !cursor) void this.count(signature, query);
    const early = start === 0 && this.early?.key === `${signature}/${end}` ? this.early.page : undefined;
    this.early = undefined;
    const page = await (early ?? this.fetchPage(paramsOf(start, end, query, cursor)));
    // An answer to a query the user has since left (a slow first page of the previous view) must not set the total or
    // cursors of the one they see now.
    if (signature !== this.signature) return { rows: page.data, lastRow: -1 };
    const next = page.meta.nextCursor;
    if (next) this.cursors.set(start + page.data.length, next);
    const lastRow = next && page.data.length === end - start ? -1 : start + page.data.length;
    if (start === 0 && lastRow >= 0 && this.total === undefined) {
      this.total = lastRow;
      this.onTotal(lastRow);
    }
    return { rows: page.data, lastRow };
  }

  private async count(signature: string, query: PageQuery): Promise<void> {
    const page = await this.fetchPage({ filter: query.filter, limit: 1, fields: 'id', total: 'exact' }).catch(() => undefined);
    if (page?.meta.total === undefined || signature !== this.signature) return;
    this.total = page.meta.total;
    this.onTotal(page.meta.total);
  }
}

function paramsOf(start: number, end: number, query: PageQuery, cursor: string | undefined): Record<string, unknown> {
  return {
    sort: query.sort,
    filter: query.filter,
    include: query.include,
    limit: end - start,
    ...(cursor ? { cursor } : start > 0 ? { offset: Math.min(start, MAX_OFFSET) } : {}),
  };
}
