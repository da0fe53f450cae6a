// The packs' dashboards as one caller may run them, in one locale (/api/meta serves them): each widget planned into
// the Cube query the runtime UI sends with the caller's Cube token, its columns, and what a drill-down starts from.
// A widget naming an entity the caller may not read or a member their cube lacks is left out, as is an empty dashboard.
import type { AuthSession } from '../security/authenticator.js';
import { viewerKeyFor } from '../bi/cube-auth.js';
import { pickLabel } from '../bi/cube-members.js';
import { planWidget } from '../bi/widget-plan.js';
import type { ReportDeps } from './report.routes.js';

export function dashboardsMeta(deps: ReportDeps, session: AuthSession, locale: string): Record<string, unknown>[] {
  const model = deps.model();
  const dashboards = model.ui?.dashboards ?? [];
  if (dashboards.length === 0) return [];
  const members = deps.viewers.get(viewerKeyFor(deps, session, locale)).members;
  return dashboards.flatMap((d) => {
    const widgets = d.widgets.flatMap((w) => {
      const plan = planWidget(model, deps.kinds, d, w);
      if (!session.access.can(plan.entity.name, 'read') || !plan.members.every((m) => members.has(m))) return [];
      return [
        {
          name: w.name,
          label: pickLabel(w.label, locale),
          type: w.type,
          chart: plan.chart ?? 'bar',
          width: w.width,
          entity: plan.entity.name,
          ...(w.report !== undefined ? { report: w.report } : {}),
          query: plan.query,
          columns: plan.columns,
          drillBase: plan.drillBase,
          ...(plan.range ? { range: plan.range } : {}),
          ...(plan.mine ? { mine: plan.mine } : {}),
        },
      ];
    });
    return widgets.length ? [{ name: d.name, label: pickLabel(d.label, locale), isHome: d.isHome, widgets }] : [];
  });
}
