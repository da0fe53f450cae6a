// Every member a Cube query names must be one of the viewer's (bi/build-cube-files.ts leaves out what they may not
// see): measures, dimensions, time dimensions, segments, filters at any depth of and/or, and order keys.
export interface CubeQuery {
  readonly measures?: readonly string[];
  readonly dimensions?: readonly string[];
  readonly segments?: readonly string[];
  readonly timeDimensions?: readonly { readonly dimension: string }[];
  readonly filters?: readonly unknown[];
  readonly order?: unknown;
}

function filterMembers(filter: unknown, out: string[]): void {
  if (!filter || typeof filter !== 'object') return;
  const f = filter as { member?: unknown; dimension?: unknown; and?: unknown; or?: unknown };
  for (const m of [f.member, f.dimension]) if (typeof m === 'string') out.push(m);
  for (const group of [f.and, f.or]) if (Array.isArray(group)) for (const g of group) filterMembers(g, out);
}

function orderMembers(order: unknown): string[] {
  if (Array.isArray(order)) return order.map((o: unknown) => (Array.isArray(o) ? String(o[0]) : String(o)));
  return order && typeof order === 'object' ? Object.keys(order) : [];
}

/** The first member of the query that is not in `members`, or undefined when all are. */
export function checkQueryMembers(query: CubeQuery, members: ReadonlySet<string>): string | undefined {
  const named: string[] = [
    ...(query.measures ?? []),
    ...(query.dimensions ?? []),
    ...(query.segments ?? []),
    ...(query.timeDimensions ?? []).map((t) => t.dimension),
    ...orderMembers(query.order),
  ];
  for (const f of query.filters ?? []) filterMembers(f, named);
  // A time dimension may be named with its granularity (`deal.signed_at.month`) in filters and order.
  return named.find((m) => !members.has(m) && !members.has(m.split('.').slice(0, 2).join('.')));
}
