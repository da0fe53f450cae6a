// A dashboard's references to the Model (beyond its meta-schema): names unique, one home dashboard across the packs,
// each query widget's entity and 'mine' user field present. Whether its members exist in the cubes is
// bi/check-dashboard-widgets.ts's to say (Cube's members are built there). Called by check-ui.ts.
import type { MetadataProblem } from './metadata-problem.js';
import type { Model } from './model.js';
import { USER_ENTITY } from './field-kinds.js';
import type { DashboardDef } from './ui-model.js';

export function checkDashboards(model: Model, dashboards: readonly DashboardDef[]): MetadataProblem[] {
  const problems: MetadataProblem[] = [];
  const names = new Set<string>();
  let home: string | undefined;
  for (const d of dashboards) {
    const at = (pointer: string, rule: string, message: string, entity?: string) =>
      problems.push({ file: d.file, pack: d.pack, pointer, rule, message, ...(entity ? { entity } : {}) });
    if (names.has(d.name)) at('/name', 'dashboard.duplicate', `another dashboard is named '${d.name}'`);
    names.add(d.name);
    if (d.isHome && home) at('/home', 'dashboard.duplicate_home', `'${home}' is already the home dashboard`);
    if (d.isHome) home ??= d.name;
    const widgets = new Set<string>();
    d.widgets.forEach((w, i) => {
      if (widgets.has(w.name)) at(`/widgets/${i}/name`, 'dashboard.duplicate_widget', `another widget is named '${w.name}'`);
      widgets.add(w.name);
      const q = w.query;
      if (!q) return;
      const e = model.entitiesByName[q.entity];
      if (!e) {
        at(`/widgets/${i}/query/entity`, 'dashboard.unknown_entity', `no entity '${q.entity}' in the installed packs`);
        return;
      }
      if (q.mine !== undefined && e.fields.find((f) => f.name === q.mine)?.target !== USER_ENTITY)
        at(`/widgets/${i}/query/mine`, 'dashboard.not_a_user_field', `${e.name} has no user field '${q.mine}'`, e.name);
    });
  }
  return problems;
}
