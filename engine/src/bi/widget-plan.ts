// A dashboard widget (metadata/ui-model.ts WidgetDef) as one Cube query: a report's plan, or a query in a report's
// terms planned the same way, plus what the runtime UI adds when it runs it (the period of a relative date range, the
// signed-in user for 'mine') and the JSON Logic every drill-down of the widget starts from. Pure; the dashboards'
// check and /api/meta (api/dashboard-meta.ts) call it.
import type { FieldKindRegistry } from '../metadata/field-kinds.js';
import type { EntityDef, Model } from '../metadata/model.js';
import type { ReportDef } from '../metadata/analytics.js';
import type { DashboardDef, DateRangeName, WidgetDef } from '../metadata/ui-model.js';
import { dimensionPath, listReports, planReport, type ReportPlan } from './report-plan.js';

export interface WidgetPlan extends ReportPlan {
  /** JSON Logic the drill-down of any of the widget's values starts from (the report's filter and segments). */
  readonly drillBase: readonly unknown[];
  /** A relative period on a time member; the UI turns it into dates and filters on `path` when drilling. */
  readonly range?: { readonly name: DateRangeName; readonly member: string; readonly path: string; readonly dateOnly: boolean };
  /** The user field the UI sets to the signed-in user. */
  readonly mine?: { readonly member: string; readonly path: string };
  readonly chart?: string;
}

/** Throws a plain Error naming the widget for what the dashboards' check reports first. */
export function planWidget(model: Model, kinds: FieldKindRegistry, dashboard: DashboardDef, widget: WidgetDef): WidgetPlan {
  const name = `${dashboard.name}/${widget.name}`;
  let entity: EntityDef | undefined;
  let report: ReportDef;
  if (widget.report !== undefined) {
    const ref = listReports(model).find((r) => r.report.name === widget.report);
    if (!ref) throw new Error(`widget ${name}: there is no report '${widget.report}'`);
    ({ entity, report } = ref);
  } else {
    const q = widget.query;
    entity = q && model.entitiesByName[q.entity];
    if (!q || !entity) throw new Error(`widget ${name}: no entity '${q?.entity ?? ''}'`);
    const granularity = q.timeDimension?.granularity;
    report = {
      name: `${dashboard.name}__${widget.name}`,
      label: widget.label,
      measures: q.measures,
      ...(q.dimensions ? { dimensions: q.dimensions } : {}),
      ...(q.timeDimension && granularity ? { timeDimension: { dimension: q.timeDimension.dimension, granularity } } : {}),
      ...(q.segments ? { segments: q.segments } : {}),
      ...(q.order ? { order: q.order } : {}),
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
    };
  }
  const plan = planReport(model, kinds, { entity, report });
  const segments = new Map((entity.analytics?.segments ?? []).map((s) => [s.name, s.filter]));
  const drillBase = [...(report.filter !== undefined ? [report.filter] : []), ...(report.segments ?? []).map((s) => segments.get(s))];
  const members = [...plan.members];
  const q = widget.query;
  let range: WidgetPlan['range'];
  if (q?.timeDimension?.dateRange) {
    const found = dimensionPath(model, kinds, entity, q.timeDimension.dimension);
    if (!found) throw new Error(`widget ${name}: '${q.timeDimension.dimension}' is not a dimension of ${entity.name}`);
    range = {
      name: q.timeDimension.dateRange,
      member: `${entity.name}.${q.timeDimension.dimension}`,
      path: found.path,
      dateOnly: found.dateOnly,
    };
    members.push(range.member);
  }
  let mine: WidgetPlan['mine'];
  if (q?.mine !== undefined) {
    mine = { member: `${entity.name}.${q.mine}`, path: q.mine };
    members.push(mine.member);
  }
  return {
    ...plan,
    members,
    drillBase,
    ...(range ? { range } : {}),
    ...(mine ? { mine } : {}),
    ...((widget.chart ?? report.chart) ? { chart: widget.chart ?? report.chart } : {}),
  };
}
