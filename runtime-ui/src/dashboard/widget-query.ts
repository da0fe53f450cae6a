// A dashboard widget as the UI runs it: the served Cube query completed with the widget's period and the signed-in
// user ('mine'), Cube's rows keyed by the widget's column names, and the list filter (JSON Logic the REST API takes)
// that drills down to the records behind a value — the same filter engine/src/bi/report-plan.ts drillFilter builds
// for a report's row. Pure; WidgetCard.vue calls it.
import type { CubeQueryMeta, WidgetColumnMeta, WidgetMeta } from '../api/meta-types';
import { cubeDateRange, periodOf } from './date-range';

export interface WidgetContext {
  userId: string;
  now: Date;
}

export type WidgetRow = Record<string, unknown>;

export function widgetQuery(widget: WidgetMeta, ctx: WidgetContext): CubeQueryMeta {
  const q = widget.query;
  const timeDimensions = [...q.timeDimensions];
  if (widget.range) {
    const dateRange = cubeDateRange(periodOf(widget.range.name, ctx.now));
    const i = timeDimensions.findIndex((t) => t.dimension === widget.range?.member);
    if (i >= 0) timeDimensions[i] = { ...timeDimensions[i], dimension: widget.range.member, dateRange };
    else timeDimensions.push({ dimension: widget.range.member, dateRange });
  }
  const filters = widget.mine ? [{ member: widget.mine.member, operator: 'equals' as const, values: [ctx.userId] }] : [];
  return { ...q, timeDimensions, ...(filters.length ? { filters: [...(q.filters ?? []), ...filters] } : {}) };
}

/**
 * Whether the widget is a report rolled up along a tree: a row counts every record of its node's subtree, which only
 * the report endpoint knows (it answers each row with its drill-down), so the widget runs there rather than in Cube.
 */
export function rolledUp(widget: WidgetMeta): boolean {
  return widget.report !== undefined && widget.columns.some((c) => c.subtree);
}

/** Where a report row keeps its drill-down: no column's name (those are snake_case members). */
const DRILL = '@drill';

/** The report endpoint's rows for a rolled-up widget, each with the drill-down the server made of its subtree. */
export function reportRows(data: readonly (WidgetRow & { drill?: { entity?: string; filter?: unknown } })[]): WidgetRow[] {
  return data.map(({ drill, ...row }) => ({ ...row, [DRILL]: drill?.filter }));
}

/**
 * The dimensions a widget shows (a list's columns, a chart's categories): not a record's id, nor a rolled-up report's
 * node id when a dimension of the node (its name) describes it.
 */
export function shownDimensions(widget: WidgetMeta): WidgetColumnMeta[] {
  const described = widget.columns.some((c) => c.kind === 'dimension' && !c.path);
  return widget.columns.filter((c) => c.kind !== 'measure' && c.path !== 'id' && !(c.subtree && described));
}

/** Cube's raw rows (keyed by member) keyed by column name instead. */
export function widgetRows(widget: WidgetMeta, raw: readonly Record<string, unknown>[]): WidgetRow[] {
  return raw.map((r) => Object.fromEntries(widget.columns.map((c) => [c.name, r[c.member] ?? null])));
}

function nextBucket(start: string, granularity: NonNullable<WidgetColumnMeta['granularity']>): string {
  const d = new Date(`${start}T00:00:00Z`);
  if (granularity === 'day') d.setUTCDate(d.getUTCDate() + 1);
  else if (granularity === 'week') d.setUTCDate(d.getUTCDate() + 7);
  else d.setUTCMonth(d.getUTCMonth() + { month: 1, quarter: 3, year: 12 }[granularity]);
  return d.toISOString().slice(0, 10);
}

const bound = (dateOnly: boolean | undefined, dayText: string) => (dateOnly ? dayText : `${dayText}T00:00:00Z`);

/** The list filter for a row of the widget (a bar, a slice, a list line), or for the whole widget (a number). */
export function widgetDrill(widget: WidgetMeta, row: WidgetRow | undefined, ctx: WidgetContext): unknown {
  if (row && DRILL in row) return row[DRILL];
  const parts: unknown[] = [...widget.drillBase];
  if (widget.range) {
    const p = periodOf(widget.range.name, ctx.now);
    const v = { var: widget.range.path };
    parts.push({ '>=': [v, bound(widget.range.dateOnly, p.from)] }, { '<': [v, bound(widget.range.dateOnly, p.to)] });
  }
  if (widget.mine) parts.push({ '==': [{ var: widget.mine.path }, ctx.userId] });
  for (const c of row ? widget.columns : []) {
    if (c.kind === 'measure' || !c.path) continue;
    const value = row?.[c.name];
    const v = { var: c.path };
    if (value === null || value === undefined) parts.push({ isNull: [v] });
    else if (c.kind === 'dimension') parts.push({ '==': [v, value] });
    else if (c.granularity) {
      const start = String(value).slice(0, 10);
      parts.push({ '>=': [v, bound(c.dateOnly, start)] }, { '<': [v, bound(c.dateOnly, nextBucket(start, c.granularity))] });
    }
  }
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : { and: parts };
}

/** A row naming one record by id opens that record rather than a list of one. */
export function recordIdOf(widget: WidgetMeta, row: WidgetRow): string | undefined {
  const id = widget.columns.find((c) => c.kind === 'dimension' && c.path === 'id');
  const value = id ? row[id.name] : undefined;
  return typeof value === 'string' ? value : undefined;
}
