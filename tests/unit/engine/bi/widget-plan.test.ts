// Dashboards: the CRM pack's widgets plan into Cube queries over members the cubes have, with what a drill-down starts
// from; a fixture pack's broken dashboard is refused with file#pointer [rule] for each problem.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CubeFilesDeps } from '../../../../engine/src/bi/build-cube-files.js';
import { checkDashboardWidgets } from '../../../../engine/src/bi/check-dashboard-widgets.js';
import { planWidget } from '../../../../engine/src/bi/widget-plan.js';
import { loadModel } from '../../../../engine/src/metadata/load-model.js';
import { MetadataError } from '../../../../engine/src/metadata/metadata-problem.js';
import { kindOperators } from '../../../../engine/src/rules/kind-operators.js';
import { BUILTIN_RULES } from '../../../support/builtin-rules.js';
import { makeTempDir, removeDir } from '../../../support/pack-builder.js';

const allowed = kindOperators(BUILTIN_RULES);
const CORE = 'metadata/packs/core';
const root = makeTempDir('tessera-dash-');
afterAll(() => removeDir(root));

function depsOf(dirs: readonly string[]): CubeFilesDeps {
  const model = loadModel(
    dirs.map((d) => resolve(d)),
    { kinds: BUILTIN_RULES.kinds },
  );
  return { model, kinds: BUILTIN_RULES.kinds, operators: BUILTIN_RULES.operators, operatorsFor: (k) => allowed.get(k) ?? [] };
}

let counter = 0;
/** A pack beside bi-demo holding one dashboard. */
function dashboardPack(doc: unknown): string {
  counter += 1;
  const dir = join(root, `dash${counter}`);
  mkdirSync(join(dir, 'dashboards'), { recursive: true });
  writeFileSync(
    join(dir, 'pack.json'),
    JSON.stringify({ name: 'dash_demo', version: '1.0.0', label: { en: 'Dashboards' }, requires: { core: '^0.1.0', bi_demo: '^1.0.0' } }),
  );
  writeFileSync(join(dir, 'dashboards', 'deals.json'), JSON.stringify(doc));
  return dir;
}

const label = { en: 'Deals', 'zh-CN': '交易' };
const dashboard = (widgets: unknown[], extra: Record<string, unknown> = {}) => ({
  id: 'dash.deals',
  name: 'deals',
  label,
  home: true,
  widgets,
  ...extra,
});

describe('dashboard widgets', () => {
  it("plan the CRM pack's dashboards over members the cubes have", () => {
    const deps = depsOf([CORE, 'metadata/packs/crm']);
    expect(checkDashboardWidgets(deps)).toEqual([]);
    const home = deps.model.ui?.dashboards.find((d) => d.isHome);
    expect(home?.name).toBe('home');
    const widget = (name: string) => {
      const w = home?.widgets.find((x) => x.name === name);
      if (!home || !w) throw new Error(`no widget ${name}`);
      return planWidget(deps.model, deps.kinds, home, w);
    };
    const mine = widget('my_opportunities');
    expect(mine.query.measures).toEqual(['opportunity.amount_cny_sum']);
    expect(mine.query.dimensions).toEqual(['opportunity.id', 'opportunity.name', 'opportunity.stage', 'opportunity.confidence']);
    expect(mine.query.segments).toEqual(['opportunity.open']);
    expect(mine.mine).toEqual({ member: 'opportunity.owner', path: 'owner' });
    expect(mine.drillBase).toEqual([{ '!': { in: [{ var: 'stage' }, ['won', 'lost']] } }]);
    const customers = widget('new_customers');
    expect(customers.range).toEqual({ name: 'this_month', member: 'customer.created_at', path: 'created_at', dateOnly: false });
    expect(customers.query.timeDimensions).toEqual([]);
    const revenue = widget('new_customer_revenue');
    expect(revenue.drillBase).toContainEqual({ '==': [{ var: 'customer.stage' }, 'new'] });
    const trend = widget('revenue_trend');
    expect(trend.chart).toBe('line');
    expect(trend.columns.map((c) => c.name)).toEqual(['closed_on.month', 'won_revenue', 'won_count']);
  });

  it('refuses what does not plan, each problem at file#pointer [rule]', () => {
    const dir = dashboardPack(
      dashboard([
        { name: 'n', label, type: 'number', query: { entity: 'deal', measures: ['nope'] } },
        { name: 'n', label, type: 'chart', report: 'no_such_report' },
        { name: 'mine', label, type: 'list', query: { entity: 'deal', measures: ['count'], dimensions: ['title'], mine: 'title' } },
        {
          name: 'when',
          label,
          type: 'number',
          query: { entity: 'deal', measures: ['count'], timeDimension: { dimension: 'units', dateRange: 'today' } },
        },
        { name: 'ghost', label, type: 'number', query: { entity: 'ghost', measures: ['count'] } },
      ]),
    );
    let problems: string[] = [];
    try {
      depsOf([CORE, 'tests/fixtures/packs/bi-demo', dir]);
    } catch (e) {
      if (!(e instanceof MetadataError)) throw e;
      problems = e.problems.map((p) => `${p.file.endsWith('dashboards/deals.json') ? 'deals.json' : p.file}#${p.pointer} [${p.rule}]`);
    }
    expect(problems).toEqual([
      'deals.json#/widgets/1/name [dashboard.duplicate_widget]',
      'deals.json#/widgets/2/query/mine [dashboard.not_a_user_field]',
      'deals.json#/widgets/4/query/entity [dashboard.unknown_entity]',
    ]);
    // The Model-level problems fixed, the cube-level ones are the widgets' check's.
    const fixed = dashboardPack(
      dashboard([
        { name: 'n', label, type: 'number', query: { entity: 'deal', measures: ['nope'] } },
        { name: 'r', label, type: 'chart', report: 'no_such_report' },
        {
          name: 'when',
          label,
          type: 'number',
          query: { entity: 'deal', measures: ['count'], timeDimension: { dimension: 'units', dateRange: 'today' } },
        },
        { name: 'ok', label, type: 'number', query: { entity: 'deal', measures: ['won_value'], segments: ['open'], mine: 'owner' } },
      ]),
    );
    const cubeProblems = checkDashboardWidgets(depsOf([CORE, 'tests/fixtures/packs/bi-demo', fixed])).map(
      (p) => `${p.pointer} [${p.rule}]`,
    );
    expect(cubeProblems).toEqual([
      '/widgets/0/query [dashboard.unknown_member]',
      '/widgets/1/report [dashboard.unknown_report]',
      '/widgets/2/query/timeDimension/dimension [dashboard.not_a_time]',
    ]);
  });

  it('allows one home dashboard across the packs and a menu to name only dashboards that exist', () => {
    const dir = dashboardPack(dashboard([{ name: 'n', label, type: 'number', query: { entity: 'deal', measures: ['count'] } }]));
    mkdirSync(join(dir, 'dashboards'), { recursive: true });
    writeFileSync(
      join(dir, 'dashboards', 'other.json'),
      JSON.stringify(
        dashboard([{ name: 'n', label, type: 'number', query: { entity: 'deal', measures: ['count'] } }], {
          id: 'dash.other',
          name: 'other',
        }),
      ),
    );
    mkdirSync(join(dir, 'apps'));
    writeFileSync(
      join(dir, 'apps', 'a.json'),
      JSON.stringify({
        id: 'dash.app',
        name: 'a',
        label,
        menu: [
          { name: 'x', dashboard: 'missing' },
          { name: 'deals', entity: 'deal' },
        ],
      }),
    );
    let problems: string[] = [];
    try {
      depsOf([CORE, 'tests/fixtures/packs/bi-demo', dir]);
    } catch (e) {
      if (!(e instanceof MetadataError)) throw e;
      problems = e.problems.map((p) => `${p.pointer} [${p.rule}]`);
    }
    expect(problems.sort()).toEqual(['/home [dashboard.duplicate_home]', '/menu/0/dashboard [app.unknown_dashboard]']);
  });
});
