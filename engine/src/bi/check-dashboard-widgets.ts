// Every widget of the packs' dashboards plans into a Cube query whose members the cubes have (the report it names
// exists, its measures, dimensions and segments are its entity's, a ranged dimension is a date or time), each problem
// at file#pointer [rule]. Called with the analytics check before a Model is served (api/served-model.ts).
import type { MetadataProblem } from '../metadata/metadata-problem.js';
import { buildCubeModel, type CubeFilesDeps } from './build-cube-files.js';
import { planWidget } from './widget-plan.js';

export function checkDashboardWidgets(deps: CubeFilesDeps): MetadataProblem[] {
  const dashboards = deps.model.ui?.dashboards ?? [];
  if (dashboards.length === 0) return [];
  const members = buildCubeModel(deps).members;
  const problems: MetadataProblem[] = [];
  for (const d of dashboards) {
    d.widgets.forEach((w, i) => {
      const at = (pointer: string, rule: string, message: string) =>
        problems.push({ file: d.file, pack: d.pack, pointer: `/widgets/${i}${pointer}`, rule, message });
      let plan;
      try {
        plan = planWidget(deps.model, deps.kinds, d, w);
      } catch (err) {
        at(
          w.report !== undefined ? '/report' : '/query',
          w.report !== undefined ? 'dashboard.unknown_report' : 'dashboard.unknown_dimension',
          (err as Error).message,
        );
        return;
      }
      for (const m of plan.members)
        if (!members.has(m))
          at(
            w.report !== undefined ? '/report' : '/query',
            'dashboard.unknown_member',
            `'${m}' is not a member of the ${plan.entity.name} cube or one it joins`,
          );
      const time = plan.range && w.query?.timeDimension?.dimension;
      const field = time !== undefined ? plan.entity.fields.find((f) => f.name === time) : undefined;
      if (time !== undefined && !['created_at', 'updated_at'].includes(time) && deps.kinds.get(field?.kind ?? '')?.cubeType !== 'time')
        at('/query/timeDimension/dimension', 'dashboard.not_a_time', `'${time}' is not a date or time field of ${plan.entity.name}`);
      const columns = new Set(plan.columns.map((c) => c.name));
      (w.query?.order ?? []).forEach((o, j) => {
        if (!columns.has(o.member))
          at(`/query/order/${j}/member`, 'dashboard.unknown_order', `'${o.member}' is not a column of the widget`);
      });
    });
  }
  return problems;
}
