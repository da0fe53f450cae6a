// A pack's report (metadata/analytics.ts ReportDef) as one Cube query over its entity's cube, the columns it answers
// with, and per result row the list filter (JSON Logic the REST API accepts) that drills down to the records behind it.
// Pure; report.routes.ts runs it, check-analytics.ts checks that every report plans.
import type { FieldKindRegistry } from '../metadata/field-kinds.js';
import type { EntityDef, Model } from '../metadata/model.js';
import type { Granularity, ReportDef } from '../metadata/analytics.js';
import { reportSegment } from './report-segment.js';
import type { CubeQuery } from './check-query-members.js';
import { joinFields } from './cube-joins.js';
import { treeCubeName, treeNodeDimension, treeOf } from './cube-tree.js';

export interface ReportColumn {
  /** The key in report rows: a measure or dimension as the report names it, `<dim>.<granularity>` for time. */
  readonly name: string;
  /** The key in Cube's rows. */
  readonly member: string;
  readonly kind: 'measure' | 'dimension' | 'time';
  /** The record path a dimension's value filters on (drill-down). */
  readonly path?: string;
  readonly granularity?: Granularity;
  /** A time bucket of a date field is bounded by dates, of a date-time field by instants. */
  readonly dateOnly?: boolean;
  /** The dimension a report rolls up along: a row's value is a node, and its records are those of its subtree. */
  readonly subtree?: boolean;
}

export interface ReportPlan {
  readonly entity: EntityDef;
  readonly report: ReportDef;
  readonly query: CubeQuery & Record<string, unknown>;
  readonly columns: readonly ReportColumn[];
  /** Every member the query names: the viewer must have them all. */
  readonly members: readonly string[];
}

export interface ReportRef {
  readonly entity: EntityDef;
  readonly report: ReportDef;
}

export function listReports(model: Model): ReportRef[] {
  return model.entities.flatMap((entity) => (entity.analytics?.reports ?? []).map((report) => ({ entity, report })));
}

/** A dimension of the entity's own cube as a record path and its operand's date-ness, or undefined. */
function ownDimension(kinds: FieldKindRegistry, entity: EntityDef, dim: string): { path: string; dateOnly: boolean } | undefined {
  if (dim === 'id' || dim === 'created_at' || dim === 'updated_at') return { path: dim, dateOnly: false };
  for (const f of entity.fields) {
    const kind = kinds.get(f.kind);
    if (!kind || kind.cubeType === null) continue;
    if (!kind.subPaths) {
      if (f.name === dim) return { path: f.name, dateOnly: kind.operand === 'date' };
      continue;
    }
    for (const [part, sub] of Object.entries(kind.subPaths)) {
      if ((sub.column === 0 ? f.name : `${f.name}_${part}`) === dim) return { path: `${f.name}.${part}`, dateOnly: false };
    }
  }
  return undefined;
}

/** `stage` or `account.region` (through the join the cube has to account) as a record path. */
export function dimensionPath(
  model: Model,
  kinds: FieldKindRegistry,
  entity: EntityDef,
  dim: string,
): { path: string; dateOnly: boolean } | undefined {
  const [first = '', second, ...rest] = dim.split('.');
  if (rest.length > 0) return undefined;
  if (second === undefined) return ownDimension(kinds, entity, first);
  const via = joinFields(entity, kinds).get(first);
  const target = model.entitiesByName[first];
  const inner = target && ownDimension(kinds, target, second);
  return via && inner ? { path: `${via.name}.${inner.path}`, dateOnly: inner.dateOnly } : undefined;
}

/** The cube a report queries: its entity's, or the one that repeats the records up the tree it rolls up along. */
export function reportCube(entity: EntityDef, report: ReportDef): string {
  return report.rollUp ? treeCubeName(entity.name, report.rollUp) : entity.name;
}

/** Throws (a plain Error naming the report) for what check-analytics.ts reports first: unknown dimensions. */
export function planReport(model: Model, kinds: FieldKindRegistry, { entity, report }: ReportRef): ReportPlan {
  const cube = reportCube(entity, report);
  const member = (name: string) => (name.includes('.') ? name : `${cube}.${name}`);
  const columns: ReportColumn[] = [];
  const tree = report.rollUp !== undefined ? treeOf(model, kinds, entity, report.rollUp) : undefined;
  for (const d of report.dimensions ?? []) {
    if (d === report.rollUp) {
      // The node a row counts toward; its records are those reaching any node of its subtree.
      columns.push({ name: d, member: `${cube}.${treeNodeDimension(d)}`, kind: 'dimension', path: d, subtree: true });
      continue;
    }
    // Rolled up, a dimension of the tree's entity describes the row's node, not each record's own: the node's subtree
    // is the whole drill-down.
    if (tree && d.split('.')[0] === tree.target.name) {
      columns.push({ name: d, member: d, kind: 'dimension' });
      continue;
    }
    const found = dimensionPath(model, kinds, entity, d);
    if (!found) throw new Error(`report ${report.name}: '${d}' is not a dimension of ${entity.name}`);
    columns.push({ name: d, member: member(d), kind: 'dimension', path: found.path });
  }
  const time = report.timeDimension;
  if (time) {
    const found = ownDimension(kinds, entity, time.dimension);
    if (!found) throw new Error(`report ${report.name}: '${time.dimension}' is not a dimension of ${entity.name}`);
    const m = member(time.dimension);
    columns.push({
      name: `${time.dimension}.${time.granularity}`,
      member: `${m}.${time.granularity}`,
      kind: 'time',
      path: found.path,
      granularity: time.granularity,
      dateOnly: found.dateOnly,
    });
  }
  for (const m of report.measures) columns.push({ name: m, member: member(m), kind: 'measure' });
  const segments = [...(report.segments ?? []), ...(report.filter !== undefined ? [reportSegment(report.name)] : [])].map((s) => member(s));
  const byName = new Map(columns.map((c) => [c.name, c.member]));
  const order = (report.order ?? []).map((o) => [byName.get(o.member) ?? member(o.member), o.descending ? 'desc' : 'asc']);
  const query = {
    measures: report.measures.map((m) => member(m)),
    dimensions: columns.filter((c) => c.kind === 'dimension').map((c) => c.member),
    timeDimensions: time ? [{ dimension: member(time.dimension), granularity: time.granularity }] : [],
    segments,
    order,
    ...(report.limit !== undefined ? { limit: report.limit } : { limit: 10000 }),
    timezone: 'UTC',
  };
  const members = [...query.measures, ...query.dimensions, ...query.timeDimensions.map((t) => t.dimension), ...segments];
  return { entity, report, query, columns, members };
}

function nextBucket(start: string, granularity: Granularity): string {
  const d = new Date(`${start}T00:00:00Z`);
  if (granularity === 'day') d.setUTCDate(d.getUTCDate() + 1);
  else if (granularity === 'week') d.setUTCDate(d.getUTCDate() + 7);
  else d.setUTCMonth(d.getUTCMonth() + { month: 1, quarter: 3, year: 12 }[granularity]);
  return d.toISOString().slice(0, 10);
}

/**
 * The list filter selecting a row's records: the report's filter and segments, then each dimension's value (for the
 * dimension rolled up along, any node of the row's subtree, from `subtrees`).
 */
export function drillFilter(
  plan: ReportPlan,
  segmentFilters: ReadonlyMap<string, unknown>,
  row: Readonly<Record<string, unknown>>,
  subtrees: ReadonlyMap<string, readonly string[]> = new Map(),
): unknown {
  const parts: unknown[] = [];
  if (plan.report.filter !== undefined) parts.push(plan.report.filter);
  for (const s of plan.report.segments ?? []) parts.push(segmentFilters.get(s));
  for (const c of plan.columns) {
    if (c.kind === 'measure' || !c.path) continue;
    const value = row[c.name];
    const v = { var: c.path };
    if (value === null || value === undefined) parts.push({ isNull: [v] });
    else if (c.subtree) parts.push({ in: [v, [...(subtrees.get(String(value)) ?? [String(value)])]] });
    else if (c.kind === 'dimension') parts.push({ '==': [v, value] });
    else if (c.granularity) {
      const start = String(value).slice(0, 10);
      const end = nextBucket(start, c.granularity);
      const at = (day: string) => (c.dateOnly ? day : `${day}T00:00:00Z`);
      parts.push({ '>=': [v, at(start)] }, { '<': [v, at(end)] });
    }
  }
  return parts.length === 1 ? parts[0] : { and: parts };
}
