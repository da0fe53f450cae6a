// buildCubeFiles(model) is pure: its files compile with Cube's own schema compiler (0.33.65) for the core and CRM
// packs and for a fixture with every field kind and relation, and Cube writes SQL for queries over every kind of member.
// A golden file holds the fixture's model; a viewer's model leaves out hidden fields and carries the scope.
import { resolve } from 'node:path';
import { PostgresQuery, prepareCompiler } from '@cubejs-backend/schema-compiler';
import { describe, expect, it } from 'vitest';
import { buildCubeFiles, type CubeFile, type CubeFilesDeps, type CubeViewer } from '../../../../engine/src/bi/build-cube-files.js';
import { checkAnalytics } from '../../../../engine/src/bi/check-analytics.js';
import { loadModel } from '../../../../engine/src/metadata/load-model.js';
import { kindOperators } from '../../../../engine/src/rules/kind-operators.js';
import { BUILTIN_RULES } from '../../../support/builtin-rules.js';
import { writePack, makeTempDir, removeDir } from '../../../support/pack-builder.js';

const CORE = 'metadata/packs/core';
const allowed = kindOperators(BUILTIN_RULES);

function depsOf(dirs: readonly string[]): CubeFilesDeps {
  const model = loadModel(
    dirs.map((d) => resolve(d)),
    { kinds: BUILTIN_RULES.kinds },
  );
  return { model, kinds: BUILTIN_RULES.kinds, operators: BUILTIN_RULES.operators, operatorsFor: (k) => allowed.get(k) ?? [] };
}

async function compileCube(files: readonly CubeFile[]) {
  const compilers = prepareCompiler({ localPath: () => '/', dataSchemaFiles: async () => [...files] }, { adapter: 'postgres' });
  await compilers.compiler.compile();
  return {
    sql(query: Record<string, unknown>): string {
      const [text] = new PostgresQuery(compilers, query).buildSqlAndParams() as [string, unknown[]];
      return text;
    },
    cubes: compilers.metaTransformer.cubes.map((c: { config: { name: string } }) => c.config.name) as string[],
  };
}

describe('buildCubeFiles', () => {
  it('compiles for the core and CRM packs, with the pack-declared measures and segments', async () => {
    const deps = depsOf([CORE, 'metadata/packs/crm']);
    expect(checkAnalytics(deps)).toEqual([]);
    const files = buildCubeFiles(deps);
    const cube = await compileCube(files);
    // One cube per entity, and one for the opportunities rolled up along the org tree (weighted revenue by quarter).
    expect(cube.cubes.sort()).toEqual([...deps.model.entities.map((e) => e.name), 'opportunity__department_tree'].sort());
    const tree = cube.sql({ measures: ['opportunity__department_tree.pipeline'], dimensions: ['org_unit.name'] });
    expect(tree).toContain('WITH RECURSIVE tree(node, member)');
    expect(tree).toMatch(/"opportunity__department_tree"\."tessera_tree_node" = "org_unit"\.id/);
    const sql = cube.sql({
      measures: [
        'opportunity.count',
        'opportunity.weighted_pipeline',
        'opportunity.won_revenue',
        'opportunity.win_rate',
        'opportunity.amount_sum_cny',
      ],
      dimensions: ['customer.region', 'opportunity.stage'],
      timeDimensions: [{ dimension: 'opportunity.expected_close', granularity: 'quarter' }],
      timezone: 'UTC',
      segments: ['opportunity.open'],
    });
    expect(sql).toContain('"opportunity"."amount_cny" * "opportunity"."confidence" / 100');
    expect(sql).toContain(`"amount_currency" = 'CNY'`);
    expect(sql).toMatch(/LEFT JOIN \(SELECT \* FROM "customer" t WHERE t\.deleted_at IS NULL\) AS "customer"/);
    expect(cube.sql({ measures: ['lead.conversion_rate'], dimensions: ['lead.source'] })).toContain('NULLIF');
  });

  it('gives every field kind its members (golden file), and they compile', async () => {
    const deps = depsOf([CORE, 'tests/fixtures/packs/bi-demo']);
    expect(checkAnalytics(deps)).toEqual([]);
    const files = buildCubeFiles(deps, undefined, 'zh-CN');
    const deal = files.find((f) => f.fileName === 'deal.js');
    await expect(deal?.content).toMatchFileSnapshot('__golden__/bi-demo.deal.cube.txt');
    const cube = await compileCube(files);
    const sql = cube.sql({
      measures: [
        'deal.count',
        'deal.value_sum',
        'deal.price_sum_usd',
        'deal.rating_avg',
        'deal.weighted_value',
        'deal.accounts',
        'deal.win_rate',
        'deal.gold_count',
      ],
      dimensions: ['deal.stage', 'deal.price_currency', 'deal.rating_band', 'deal.won', 'account.tier', 'deal.tags'],
      timeDimensions: [
        { dimension: 'deal.signed_at', granularity: 'month' },
        { dimension: 'deal.close_date', granularity: 'year' },
      ],
      timezone: 'UTC',
      segments: ['deal.with_partners'],
    });
    expect(sql).toContain('EXISTS (SELECT 1 FROM "deal_partners"');
    // No member for JSON or manyToMany values, and no sum of a money field without declared currencies.
    for (const absent of ['extra', 'partners', 'deposit_sum']) expect(deal?.content).not.toMatch(new RegExp(`\\b${absent}: \\{`));
    expect(deal?.content).toContain('title: "价格 (sum, CNY)"');
  });

  it('gives a viewer only their rows and the fields they may see, through joins and conditions too', async () => {
    const deps = depsOf([CORE, 'tests/fixtures/packs/bi-demo']);
    const viewer: CubeViewer = {
      canRead: (e) => e === 'deal' || e === 'account',
      isHidden: (e, f) => e === 'deal' && (f === 'value' || f === 'stage'),
      readScope: (entity, alias, params) => `${alias}.owner_id = ${params.add('00000000-0000-4000-8000-00000000000a')}`,
    };
    const files = buildCubeFiles(deps, viewer);
    expect(files.map((f) => f.fileName).sort()).toEqual(['account.js', 'deal.js']);
    const deal = files.find((f) => f.fileName === 'deal.js')?.content ?? '';
    expect(deal).toContain(`t.owner_id = '00000000-0000-4000-8000-00000000000a'`);
    // Hidden fields have no member; declared measures and segments reading them are gone; the join to app_user too.
    for (const absent of [
      ' value: {',
      ' value_sum: {',
      ' stage: {',
      ' weighted_value: {',
      ' won_count: {',
      ' win_rate: {',
      ' open: {',
      ' app_user: {',
    ])
      expect(deal).not.toContain(absent);
    // A condition through a relation reads the related rows in the viewer's scope.
    expect(deal).toMatch(
      /gold_count: \{[\s\S]*FROM "account" s\d+ WHERE s\d+\.id = \$\{CUBE\}\."account_id" AND s\d+\.deleted_at IS NULL AND \(s\d+\.owner_id = '/,
    );
    const cube = await compileCube(files);
    expect(() => cube.sql({ measures: ['deal.value_sum'] })).toThrow();
  });

  it('names file#pointer [rule] for measures and segments a pack gets wrong', () => {
    const dir = makeTempDir();
    try {
      const base = depsOf([CORE, 'tests/fixtures/packs/bi-demo']).model.entitiesByName.account;
      writePack(dir, { name: 'bad_bi', version: '1.0.0', label: { en: 'Bad' }, requires: { core: '^0.1.0' } }, [
        {
          id: 'bad.thing',
          name: 'thing',
          label: { en: 'Thing' },
          fields: [
            { id: 'bad.thing.name', name: 'name', kind: 'text', label: { en: 'Name' } },
            { id: 'bad.thing.price', name: 'price', kind: 'currency', label: { en: 'Price' } },
          ],
          analytics: {
            measures: [
              { name: 'count', label: { en: 'Twice' }, aggregate: 'count' },
              { name: 'total', label: { en: 'Total' }, aggregate: 'sum', field: 'price' },
              { name: 'names', label: { en: 'Names' }, aggregate: 'sum', field: 'nope' },
              { name: 'rate', label: { en: 'Rate' }, ratio: { numerator: 'total', denominator: 'missing' } },
            ],
            segments: [{ name: 'odd', label: { en: 'Odd' }, filter: { '==': [{ var: 'colour' }, 'red'] } }],
          },
        },
      ]);
      expect(base).toBeDefined();
      const problems = checkAnalytics(depsOf([CORE, dir])).map((p) => `${p.pointer} [${p.rule}]`);
      expect(problems).toEqual([
        '/analytics/measures/0/name [analytics.duplicate_name]',
        '/analytics/measures/1/field [analytics.not_a_number]',
        '/analytics/measures/2/field [analytics.unknown_field]',
        '/analytics/measures/3/ratio/denominator [analytics.unknown_measure]',
        '/analytics/segments/0/filter/==/0 [filter.unknown_field]',
      ]);
    } finally {
      removeDir(dir);
    }
  });

  it('rolls up along a path of relations: each record joined through the path to the node it reaches', async () => {
    const dir = makeTempDir();
    try {
      writePack(dir, { name: 'paths', version: '1.0.0', label: { en: 'Paths' }, requires: { core: '^0.1.0' } }, [
        {
          id: 'paths.deal',
          name: 'deal',
          label: { en: 'Deal' },
          fields: [{ id: 'paths.deal.rep', name: 'rep', kind: 'user', label: { en: 'Rep' } }],
          analytics: {
            reports: [
              {
                name: 'by_rep_unit',
                label: { en: 'By rep unit' },
                measures: ['count'],
                dimensions: ['rep.org_unit', 'org_unit.name'],
                rollUp: 'rep.org_unit',
              },
            ],
          },
        },
      ]);
      const deps = depsOf([CORE, dir]);
      expect(checkAnalytics(deps)).toEqual([]);
      const cube = await compileCube(buildCubeFiles(deps));
      expect(cube.cubes).toContain('deal__org_unit_tree');
      const sql = cube.sql({ measures: ['deal__org_unit_tree.count'], dimensions: ['deal__org_unit_tree.org_unit', 'org_unit.name'] });
      // Through the rep (a live user) to the unit, then up the unit's tree; the node names the unit joined.
      expect(sql).toMatch(/JOIN "app_user" t_via0 ON t_via0\.id = t\."rep_id" AND t_via0\.deleted_at IS NULL/);
      expect(sql).toContain('tree.member = t_via0."org_unit_id"');
      expect(sql).toMatch(/"deal__org_unit_tree"\."tessera_tree_node" = "org_unit"\.id/);
    } finally {
      removeDir(dir);
    }
  });

  it('names the reports that roll up along no tree, keep a roll-up in a rollup, or would get table names cut short', () => {
    const dir = makeTempDir();
    try {
      const long = 'a_thing_with_a_very_long_name_x';
      writePack(dir, { name: 'bad_tree', version: '1.0.0', label: { en: 'Bad' }, requires: { core: '^0.1.0' } }, [
        {
          id: 'bad.deal',
          name: 'deal',
          label: { en: 'Deal' },
          fields: [
            { id: 'bad.deal.unit', name: 'unit', kind: 'relation', label: { en: 'Unit' }, target: 'org_unit', onDelete: 'setNull' },
            // Roles do not relate to roles: no tree.
            { id: 'bad.deal.role', name: 'role', kind: 'relation', label: { en: 'Role' }, target: 'role', onDelete: 'setNull' },
            { id: 'bad.deal.rep', name: 'rep', kind: 'user', label: { en: 'Rep' } },
            { id: 'bad.deal.approver', name: 'approver', kind: 'user', label: { en: 'Approver' } },
          ],
          analytics: {
            reports: [
              { name: 'by_unit', label: { en: 'By unit' }, measures: ['count'], dimensions: ['unit'], rollUp: 'unit' },
              { name: 'by_role', label: { en: 'By role' }, measures: ['count'], dimensions: ['role'], rollUp: 'role' },
              { name: 'not_shown', label: { en: 'Not shown' }, measures: ['count'], dimensions: ['role'], rollUp: 'unit' },
              { name: 'kept', label: { en: 'Kept' }, measures: ['count'], dimensions: ['unit'], rollUp: 'unit', preAggregate: true },
              // Along a path: the rep's unit.
              {
                name: 'by_rep_unit',
                label: { en: 'By rep unit' },
                measures: ['count'],
                dimensions: ['rep.org_unit', 'org_unit.name'],
                rollUp: 'rep.org_unit',
              },
              // A path through a field that is no relation.
              { name: 'by_locale', label: { en: 'By locale' }, measures: ['count'], dimensions: ['rep.locale'], rollUp: 'rep.locale' },
              // Another path ending in org_unit: its cube would take by_rep_unit's name.
              {
                name: 'by_approver_unit',
                label: { en: 'By approver unit' },
                measures: ['count'],
                dimensions: ['approver.org_unit'],
                rollUp: 'approver.org_unit',
              },
            ],
          },
        },
        {
          id: 'bad.long',
          name: long,
          label: { en: 'Long' },
          fields: [{ id: 'bad.long.name', name: 'name', kind: 'text', label: { en: 'Name' } }],
          analytics: { reports: [{ name: 'long_count', label: { en: 'Long' }, measures: ['count'], preAggregate: true }] },
        },
      ]);
      const problems = checkAnalytics(depsOf([CORE, dir])).map((p) => `${p.entity} ${p.pointer} [${p.rule}]`);
      expect(problems.sort()).toEqual(
        [
          'deal /analytics/reports/1/rollUp [analytics.roll_up_not_a_tree]',
          'deal /analytics/reports/2/rollUp [analytics.roll_up_not_a_dimension]',
          'deal /analytics/reports/3/preAggregate [analytics.roll_up_pre_aggregated]',
          'deal /analytics/reports/4/rollUp [analytics.roll_up_name_taken]',
          'deal /analytics/reports/5/rollUp [analytics.roll_up_not_a_tree]',
          'deal /analytics/reports/6/rollUp [analytics.roll_up_name_taken]',
          `${long} /analytics/reports/0/preAggregate [analytics.rollup_name_too_long]`,
        ].sort(),
      );
    } finally {
      removeDir(dir);
    }
  });
});
