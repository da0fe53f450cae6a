// The CRM's standard reports (#22 part 4) on its small demo data, both databases: every report equals SQL written by
// hand over the rows the caller may read (the REST API's own list answers which ones), for the administrator, a sales
// manager and a rep; each row drills down to a list filter whose total is the row's count; reports export to CSV and
// Excel; the reports a pack keeps in rollups are read from them (one schema of rollups per caller); /api/meta lists
// what the caller may run, and a report over a hidden field is refused.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModelRuntime } from '../../../engine/src/data/entity-runtime.js';
import { seedPack } from '../../../engine/src/data/seed-pack.js';
import { createLogger } from '../../../engine/src/shared/logger.js';
import { DEMO_PASSWORD } from '../../../plugins/crm-demo/sales-org.js';
import { expectProblem } from '../../support/problem-checks.js';
import { listUrl } from '../../support/list-url.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

type Rec = Record<string, any>;
let t: TestEngine;
const tokens: Record<string, string> = {};

const month = (col: string) => `to_char(date_trunc('month', ${col} AT TIME ZONE 'UTC'), 'YYYY-MM-DD')`;
const OPEN = `t.stage NOT IN ('won', 'lost')`;
const WON = `t.stage = 'won'`;

/** Per report: its base table and SQL columns in the report's column order (dimensions, time, measures). */
/** A joined table `j`: the table, the base table's reference column; its rows are those the caller may read too. */
type Join = { table: string; fk: string };
const CUSTOMER: Join = { table: 'customer', fk: 'customer_id' };
const DEPARTMENT: Join = { table: 'org_unit', fk: 'department_id' };

/** Every org unit (node) with every unit of its subtree (member), itself included. */
const ORG_TREE = `WITH RECURSIVE tree(node, member) AS (SELECT id, id FROM org_unit WHERE deleted_at IS NULL
  UNION SELECT u.parent_id, tree.member FROM tree JOIN org_unit u ON u.id = tree.node WHERE u.parent_id IS NOT NULL AND u.deleted_at IS NULL)
  SELECT node, member FROM tree`;

/** `tree`: each base row counts toward every org unit above the one `fk` names (`tree.node`); the join reaches that unit. */
const REPORT_SQL: Record<string, { table: string; columns: string[]; where?: string; join?: Join; tree?: { fk: string } }> = {
  new_leads: { table: 'lead', columns: ['t.source', month('t.created_at'), 'count(*)'] },
  lead_qualification: {
    table: 'lead',
    columns: [
      't.status',
      'count(*)',
      `count(*) FILTER (WHERE t.status IN ('qualified', 'converted'))`,
      `1.0 * count(*) FILTER (WHERE t.status = 'converted') / NULLIF(count(*), 0)`,
    ],
  },
  special_handling_qualification: {
    table: 'lead',
    columns: ['t.disqualify_reason', 't.source', 'count(*)'],
    where: `t.status = 'disqualified'`,
  },
  leads_per_rep: {
    table: 'lead',
    columns: [
      't.owner_id',
      'count(*)',
      `count(*) FILTER (WHERE t.status IN ('qualified', 'converted'))`,
      `count(*) FILTER (WHERE t.status = 'converted')`,
      `1.0 * count(*) FILTER (WHERE t.status = 'converted') / NULLIF(count(*), 0)`,
    ],
  },
  lead_progress: { table: 'lead', columns: ['t.owner_id', 't.status', 'count(*)', `count(*) FILTER (WHERE t.status = 'converted')`] },
  monthly_customer_conversion: { table: 'lead', columns: [month('t.converted_at'), 'count(*)'], where: `t.status = 'converted'` },
  customer_progress: { table: 'customer', columns: ['t.stage', 'count(*)'] },
  customer_source_types: { table: 'customer', columns: ['t.source', 'count(*)'] },
  sales_stage_progress: { table: 'opportunity', columns: ['t.stage', 't.owner_id', 'count(*)', 'sum(t.amount_cny)'] },
  sales_funnel: {
    table: 'opportunity',
    columns: ['t.stage', 'count(*)', 'sum(t.amount_cny)', `sum(t.amount_cny * t.confidence / 100) FILTER (WHERE ${OPEN})`],
    where: OPEN,
  },
  org_unit_performance: {
    table: 'opportunity',
    columns: [
      't.department_id',
      `sum(t.amount_cny) FILTER (WHERE ${WON})`,
      `count(*) FILTER (WHERE ${WON})`,
      `1.0 * count(*) FILTER (WHERE ${WON}) / NULLIF(count(*) FILTER (WHERE t.stage IN ('won', 'lost')), 0)`,
    ],
  },
  sales_volume_per_customer: {
    table: 'opportunity',
    columns: ['j.name', `sum(t.amount_cny) FILTER (WHERE ${WON})`, `count(*) FILTER (WHERE ${WON})`],
    join: CUSTOMER,
  },
  top_customers_by_revenue: { table: 'opportunity', columns: ['j.name', 'sum(t.amount_cny)'], where: WON, join: CUSTOMER },
  weighted_revenue_by_quarter: {
    table: 'opportunity',
    join: DEPARTMENT,
    tree: { fk: 'department_id' },
    where: OPEN,
    columns: [
      'tree.node',
      'j.name',
      `to_char(date_trunc('quarter', t.expected_close), 'YYYY-MM-DD')`,
      `sum(t.amount_cny * t.confidence / 100) FILTER (WHERE ${OPEN})`,
      `sum(t.amount_cny) FILTER (WHERE ${OPEN})`,
    ],
  },
  revenue_by_month: {
    table: 'opportunity',
    columns: [
      `to_char(date_trunc('month', t.closed_on), 'YYYY-MM-DD')`,
      `sum(t.amount_cny) FILTER (WHERE ${WON})`,
      `count(*) FILTER (WHERE ${WON})`,
    ],
    where: WON,
  },
  member_counts: { table: 'member', columns: ['t.tier', 't.status', 'count(*)'] },
  member_consumption: { table: 'member_purchase', columns: [month('t.purchased_at'), 'count(*)', 'sum(t.amount)'] },
};

async function readableIds(entity: string, token: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const res = await t.request('GET', listUrl(entity, { fields: 'id', limit: 500, ...(cursor ? { cursor } : {}) }), undefined, {
      authorization: `Bearer ${token}`,
    });
    if (res.status === 403) return [];
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    ids.push(...res.body.data.map((r: Rec) => r.id));
    cursor = res.body.meta.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

function normalise(rows: unknown[][], ordered: boolean): string[] {
  const out = rows.map((r) =>
    r
      .map((v) => {
        if (v === null || v === undefined) return 'null';
        if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v)) return v.slice(0, 10);
        return typeof v === 'string' && !/^-?\d+(\.\d+)?$/.test(v) ? v : Number(v).toFixed(6);
      })
      .join(' | '),
  );
  return ordered ? out : out.sort();
}

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'metadata/packs/crm'] });
  const { registries } = t.engine;
  const runtime = buildModelRuntime(t.engine.models.current().model, registries.kinds, registries.operators);
  const seeded = await seedPack(t.engine.db.pool, runtime, registries.seeders, { pack: 'crm', size: 'small', log: createLogger('silent') });
  expect(seeded.status).toBe('seeded');
  tokens.admin = t.adminToken;
  for (const user of ['zheng.hua', 'jiang.tao']) tokens[user] = await t.login(user, DEMO_PASSWORD);
  // A user whose role hides the opportunities' CNY amount.
  const user = await t.request('POST', '/api/v1/app_user', { username: 'no_money', display_name: 'no money' });
  expect(user.status, JSON.stringify(user.body)).toBe(201);
  expect((await t.request('PUT', `/api/admin/users/${user.body.data.id}/password`, { password: 'no-money-password' })).status).toBe(204);
  const role = await t.request('POST', '/api/v1/role', {
    code: 'no_money',
    name: 'no money',
    grants: { entities: { opportunity: { actions: ['read'], scope: 'all', fields: { amount_cny: 'hidden' } } } },
    members: [user.body.data.id],
  });
  expect(role.status, JSON.stringify(role.body)).toBe(201);
  tokens.no_money = await t.login('no_money', 'no-money-password');
  // A fourth level under a department (headquarters > branch > department > team), holding some of its deals.
  const dept = (await t.db.pool.query(`SELECT id FROM org_unit WHERE code = 'EAST-S1'`)).rows[0];
  const team = await t.request('POST', '/api/v1/org_unit', {
    name: '华东销售一部大客户组',
    code: 'EAST-S1-KA',
    unit_type: 'department',
    parent: dept.id,
  });
  expect(team.status, JSON.stringify(team.body)).toBe(201);
  const moved = await t.db.pool.query(
    `UPDATE opportunity SET department_id = $1 WHERE id IN (SELECT id FROM opportunity WHERE department_id = $2 ORDER BY id LIMIT 12)`,
    [team.body.data.id, dept.id],
  );
  expect(moved.rowCount).toBe(12);
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

async function report(user: string, name: string, query = '') {
  return t.request('GET', `/api/v1/reports/${name}${query}`, undefined, { authorization: `Bearer ${tokens[user]}` });
}

describe('standard reports', () => {
  it('equal SQL over the rows each caller may read, for every report', async () => {
    const rowsSeen: Record<string, number> = {};
    for (const user of ['admin', 'zheng.hua', 'jiang.tao']) {
      const token = tokens[user] ?? '';
      const listed = await t.request('GET', '/api/v1/reports', undefined, { authorization: `Bearer ${token}` });
      const names = (listed.body.data as Rec[]).map((r) => r.name);
      if (user === 'admin') expect(names.sort()).toEqual(Object.keys(REPORT_SQL).sort());
      else expect(names).not.toContain('member_counts');
      const idsOf: Record<string, string[]> = {};
      for (const name of names) {
        const spec = REPORT_SQL[name];
        if (!spec) throw new Error(`no SQL for report ${name}`);
        idsOf[spec.table] ??= await readableIds(spec.table, token);
        if (spec.join) idsOf[spec.join.table] ??= await readableIds(spec.join.table, token);
        const res = await report(user, name);
        expect(res.status, `${user} ${name}: ${JSON.stringify(res.body)}`).toBe(200);
        const columns = (res.body.meta.columns as Rec[]).map((c) => c.name);
        const groups = spec.columns.filter((c) => !/\(/.test(c) || c.startsWith('to_char')).length;
        const sql = `SELECT ${spec.columns.map((c, i) => `${c} AS c${i}`).join(', ')} FROM ${spec.table} t
          ${spec.tree ? `JOIN (${ORG_TREE}) tree ON tree.member = t.${spec.tree.fk}` : ''}
          ${spec.join ? `LEFT JOIN ${spec.join.table} j ON j.id = ${spec.tree ? 'tree.node' : `t.${spec.join.fk}`} AND j.deleted_at IS NULL AND j.id = ANY($2)` : ''}
          WHERE t.deleted_at IS NULL AND t.id = ANY($1) ${spec.where ? `AND ${spec.where}` : ''}
          ${groups ? `GROUP BY ${Array.from({ length: groups }, (_, i) => i + 1).join(', ')}` : ''}`;
        const expected = (
          await t.db.pool.query(sql, spec.join ? [idsOf[spec.table], idsOf[spec.join.table]] : [idsOf[spec.table]])
        ).rows.map((r: Rec) => spec.columns.map((_, i) => r[`c${i}`]));
        const got = (res.body.data as Rec[]).map((r) => columns.map((c) => r[c]));
        rowsSeen[`${user} ${name}`] = got.length;
        // Reports a pack keeps in rollups are answered from them (built on first use, in Cube's own schema).
        expect(res.body.meta.preAggregated, `${user} ${name}`).toBe(
          ['sales_funnel', 'top_customers_by_revenue', 'revenue_by_month'].includes(name),
        );
        if (name === 'top_customers_by_revenue') {
          // The ten largest sums; which of two equal sums makes the cut is Cube's choice.
          const sums = normalise(
            expected.map((r) => [r[1]]),
            false,
          ).sort((a, b) => Number(b) - Number(a));
          expect(
            normalise(
              got.map((r) => [r[1]]),
              true,
            ),
            `${user} ${name}`,
          ).toEqual(sums.slice(0, 10));
          for (const row of normalise(got, true)) expect(normalise(expected, false)).toContain(row);
        } else {
          expect(normalise(got, false), `${user} ${name}`).toEqual(normalise(expected, false));
        }
      }
    }
    // Every report has rows on the demo data for the administrator (members and their purchases included), and a rep sees fewer.
    const empty = Object.entries(rowsSeen)
      .filter(([k, n]) => k.startsWith('admin ') && n === 0)
      .map(([k]) => k);
    expect(empty).toEqual([]);
    expect(rowsSeen['admin member_counts']).toBeGreaterThan(3);
    expect(rowsSeen['admin member_consumption']).toBeGreaterThan(6);
    expect(rowsSeen['jiang.tao sales_stage_progress']).toBeLessThan(rowsSeen['admin sales_stage_progress'] ?? 0);
    const rollups = await t.db.pool.query(
      `SELECT count(DISTINCT schemaname) AS n FROM pg_tables WHERE schemaname LIKE 'tessera\\_cube\\_%'`,
    );
    expect(Number(rollups.rows[0].n)).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it('rolls the weighted revenue up the whole org tree: headquarters is the total, each unit its subtree', async () => {
    const res = await report('admin', 'weighted_revenue_by_quarter');
    const rows = res.body.data as Rec[];
    const units = (await t.db.pool.query(`SELECT id, code, unit_type FROM org_unit WHERE deleted_at IS NULL`)).rows as Rec[];
    const code = new Map(units.map((u) => [u.id, u.code]));
    const pipelineOf = (unit: string) =>
      rows.filter((r) => code.get(r.department) === unit).reduce((sum, r) => sum + Number(r.pipeline ?? 0), 0);
    const open = await t.db.pool.query(
      `SELECT coalesce(sum(amount_cny), 0) AS total FROM opportunity WHERE deleted_at IS NULL AND stage NOT IN ('won', 'lost')`,
    );
    expect(pipelineOf('HQ')).toBeCloseTo(Number(open.rows[0].total), 2);
    // Every level has rows, and each unit holds at least what the unit below it does.
    for (const level of ['HQ', 'EAST', 'EAST-S1', 'EAST-S1-KA']) expect(pipelineOf(level), level).toBeGreaterThan(0);
    expect(pipelineOf('EAST')).toBeGreaterThan(pipelineOf('EAST-S1'));
    expect(pipelineOf('EAST-S1')).toBeGreaterThan(pipelineOf('EAST-S1-KA'));
    // A unit's row drills down to the open deals of its whole subtree in that quarter.
    for (const unit of ['HQ', 'EAST-S1']) {
      const row = rows.find((r) => code.get(r.department) === unit && Number(r.pipeline) > 0);
      if (!row) throw new Error(`no row for ${unit}`);
      const list = await t.request('GET', listUrl('opportunity', { filter: row.drill.filter, total: 'exact', limit: 1 }));
      expect(list.status, JSON.stringify(list.body)).toBe(200);
      const quarter = String(row['expected_close.quarter']).slice(0, 10);
      const { rows: counted } = await t.db.pool.query(
        `SELECT count(*)::int AS n FROM opportunity o JOIN (${ORG_TREE}) tree ON tree.member = o.department_id
         WHERE o.deleted_at IS NULL AND tree.node = $1 AND o.expected_close >= $2::date AND o.expected_close < $2::date + interval '3 months'
           AND o.stage NOT IN ('won', 'lost')`,
        [row.department, quarter],
      );
      expect(list.body.meta.total, unit).toBe(counted[0].n);
    }
  });

  it('drills each row down to a list filter whose records are the row', async () => {
    for (const [user, name] of [
      ['jiang.tao', 'sales_funnel'],
      ['zheng.hua', 'new_leads'],
      ['admin', 'sales_volume_per_customer'],
      ['admin', 'special_handling_qualification'],
    ] as const) {
      const res = await report(user, name);
      const rows = (res.body.data as Rec[]).slice(0, 6);
      expect(rows.length, name).toBeGreaterThan(0);
      for (const row of rows) {
        const list = await t.request('GET', listUrl(row.drill.entity, { filter: row.drill.filter, total: 'exact', limit: 1 }), undefined, {
          authorization: `Bearer ${tokens[user]}`,
        });
        expect(list.status, JSON.stringify(list.body)).toBe(200);
        const count = 'count' in row ? Number(row.count) : Number(row.won_count);
        if ('won_count' in row && !('count' in row)) {
          const won = await t.request(
            'GET',
            listUrl(row.drill.entity, {
              filter: { and: [row.drill.filter, { '==': [{ var: 'stage' }, 'won'] }] },
              total: 'exact',
              limit: 1,
            }),
            undefined,
            {
              authorization: `Bearer ${tokens[user]}`,
            },
          );
          expect(won.body.meta.total, `${name} ${JSON.stringify(row)}`).toBe(count);
        } else {
          expect(list.body.meta.total, `${name} ${JSON.stringify(row)}`).toBe(count);
        }
      }
    }
  });

  it('exports to CSV and Excel with localized titles', async () => {
    const json = await report('admin', 'customer_progress', '?locale=zh-CN');
    const csv = await report('admin', 'customer_progress', '?format=csv&locale=zh-CN');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = String(csv.body)
      .replace(/^\ufeff/, '')
      .trim()
      .split('\n');
    expect(lines[0]).toBe((json.body.meta.columns as Rec[]).map((c) => c.title).join(','));
    expect(lines.length).toBe(json.body.data.length + 1);
    const xlsx = await fetch(`${t.url}/api/v1/reports/customer_progress?format=xlsx`, {
      headers: { authorization: `Bearer ${tokens.admin}` },
    });
    expect(xlsx.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await xlsx.arrayBuffer());
    const sheet = book.worksheets[0];
    expect(sheet?.rowCount).toBe(json.body.data.length + 1);
    const total = (json.body.data as Rec[]).reduce((n, r) => n + Number(r.count), 0);
    let sum = 0;
    sheet?.eachRow((row, i) => {
      if (i > 1) sum += Number(row.getCell(2).value);
    });
    expect(sum).toBe(total);
  });

  it('lists the runnable reports in /api/meta and refuses a report over a hidden field', async () => {
    const meta = await t.request('GET', '/api/meta?locale=zh-CN', undefined, { authorization: `Bearer ${tokens.no_money}` });
    const names = (meta.body.reports as Rec[]).map((r) => r.name);
    expect(names).not.toContain('sales_funnel');
    expect(names.sort()).toEqual(
      ['org_unit_performance', 'top_customers_by_revenue', 'weighted_revenue_by_quarter'].filter((n) => names.includes(n)),
    );
    expectProblem(await report('no_money', 'sales_funnel'), 403, 'report.forbidden');
    expectProblem(await report('jiang.tao', 'member_counts'), 403, 'access.denied');
    expectProblem(await report('jiang.tao', 'nope'), 404, 'report.not_found');
    expectProblem(await report('jiang.tao', 'sales_funnel', '?format=pdf'), 400, 'query.invalid_parameter', [{ pointer: '/format' }]);
    const admin = await t.request('GET', '/api/meta', undefined, { authorization: `Bearer ${tokens.admin}` });
    expect((admin.body.reports as Rec[]).find((r) => r.name === 'sales_funnel')).toMatchObject({ entity: 'opportunity', chart: 'funnel' });
  });
});
