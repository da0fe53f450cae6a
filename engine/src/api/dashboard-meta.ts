// The packs' dashboards as one caller may run them, in one locale (/api/meta serves them): each widget planned into
// the Cube query the runtime UI sends with the caller's Cube token, its columns, and what a drill-down starts from.
// A widget naming an entity the caller may not read or a member their cube lacks is left out, as is an empty dashboard.
import type { AuthSession } from '../security/authenticator.js';
import { viewerKeyFor } from '../bi/cube-auth.js';
import { entityMembers, pickLabel, type Members } from '../bi/cube-members.js';
import { reportCube } from '../bi/report-plan.js';
import { planWidget, type WidgetPlan } from '../bi/widget-plan.js';
import type { Model } from '../metadata/model.js';
import type { ReportDeps } from './report.routes.js';

const ADDITIVE = new Set(['sum', 'count', 'countDistinct']);

/**
 * Each column with its title in the locale and, for a declared measure, its format (a percent reads as one). A
 * rolled-up report's own members are in its tree cube: titled as its entity's.
 */
function describeColumns(deps: ReportDeps, model: Model, plan: WidgetPlan, locale: string) {
  const members = new Map<string, Members>();
  const membersOf = (entity: string) => {
    let found = members.get(entity);
    const def = model.entitiesByName[entity];
    if (!found && def) {
      found = entityMembers(def, deps.kinds, locale, () => true);
      members.set(entity, found);
    }
    return found;
  };
  const ownCube = reportCube(plan.entity, plan.report);
  return plan.columns.map((c) => {
    const [member = '', name = ''] = c.member.split('.');
    const cube = member === ownCube ? plan.entity.name : member;
    const declared = model.entitiesByName[cube]?.analytics?.measures?.find((m) => m.name === name);
    const generated = c.kind === 'measure' ? membersOf(cube)?.measures[name] : membersOf(cube)?.dimensions[name];
    const title = declared ? pickLabel(declared.label, locale) : (generated?.title ?? c.name);
    // A sum or count over no records is nothing, not unknown: the UI shows 0 where Cube answers null.
    const aggregate = declared ? (declared.ratio ? undefined : declared.aggregate) : generated?.type;
    const additive = c.kind === 'measure' && typeof aggregate === 'string' && ADDITIVE.has(aggregate);
    return { ...c, title, ...(declared?.format ? { format: declared.format } : {}), ...(additive ? { additive: true } : {}) };
  });
}

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
          columns: describeColumns(deps, model, plan, locale),
          drillBase: plan.drillBase,
          ...(plan.range ? { range: plan.range } : {}),
          ...(plan.mine ? { mine: plan.mine } : {}),
        },
      ];
    });
    return widgets.length ? [{ name: d.name, label: pickLabel(d.label, locale), isHome: d.isHome, widgets }] : [];
  });
}
