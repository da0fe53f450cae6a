// The quotas and commissions dashboard (#24 part 10): its widgets as /api/meta serves them, run the way the runtime UI
// runs them (as runtime-ui/src/dashboard/widget-query.ts does: the period and the signed-in user filled in) through
// Cube with the caller's token, each equal to SQL written by hand over the quotas and commissions — and to the
// figures the quotas and contracts make.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';
import * as world from './contracts-world.js';
import { approveContract, contractApprover, type Rec } from './contracts-world.js';

let t: TestEngine;
let adminId: string;
let rep: Rec;
const now = new Date();
const YEAR = now.getUTCFullYear();
const QUARTER = Math.floor(now.getUTCMonth() / 3) + 1;

const post = (entity: string, body: Rec) => world.post(t, entity, body);

async function signedContract(owner: string, customer: string, value: string): Promise<Rec> {
  const c = await post('contract', { title: `合同 ${value}`, customer, owner });
  await post('contract_line', { contract: c.id, description: '服务', quantity: '1', unit_price: value });
  await approveContract(t, c.id);
  await world.moveTo(t, 'contract', c.id, 'status', ['signing', 'signed']);
  return c;
}

async function act(entity: string, id: string, action: string): Promise<void> {
  const res = await t.request('POST', `/api/v1/${entity}/${id}/actions/${action}`, {});
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

/** A widget as /api/meta serves it (the parts running it needs). */
interface Widget {
  readonly name: string;
  readonly query: Rec & { readonly timeDimensions: Rec[] };
  readonly columns: ReadonlyArray<{ readonly name: string; readonly member: string }>;
  readonly range?: { readonly name: string; readonly member: string };
  readonly mine?: { readonly member: string };
}

/** The served query completed as the UI completes it for the administrator: this year's days, their own records. */
function widgetQuery(widget: Widget): Rec {
  const { range, mine } = widget;
  let timeDimensions = widget.query.timeDimensions;
  if (range) {
    if (range.name !== 'this_year') throw new Error(`no period for ${range.name} here`);
    const dateRange = [`${YEAR}-01-01`, `${YEAR}-12-31`];
    timeDimensions = [...timeDimensions.filter((d) => d.dimension !== range.member), { dimension: range.member, dateRange }];
  }
  const filters = mine ? [{ member: mine.member, operator: 'equals', values: [adminId] }] : [];
  return { ...widget.query, timeDimensions, ...(filters.length ? { filters: [...(widget.query.filters ?? []), ...filters] } : {}) };
}

/** Runs a widget as the UI does for the administrator, rows keyed by its column names. */
async function run(widget: Widget): Promise<Rec[]> {
  const token = (await t.request('POST', '/api/bi/token', {})).body.data.token as string;
  const query = widgetQuery(widget);
  for (;;) {
    const res = await t.request('GET', `/cubejs-api/v1/load?query=${encodeURIComponent(JSON.stringify(query))}`, undefined, {
      authorization: token,
    });
    if (res.body?.error === 'Continue wait') continue;
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return (res.body.data as Rec[]).map((r) => Object.fromEntries(widget.columns.map((c) => [c.name, r[c.member] ?? null])));
  }
}

const THIS_YEAR = `q.period_start >= make_date(${YEAR}, 1, 1) AND q.period_start < make_date(${YEAR + 1}, 1, 1)`;
const LIVE_COMMISSION = `c.deleted_at IS NULL AND c.status <> 'cancelled'`;

/** Per widget: SQL giving its rows, columns in the widget's column order. */
const WIDGET_SQL: Record<string, string> = {
  quota_attainment_this_year: `SELECT sum(q.achieved) / NULLIF(sum(q.target), 0) FROM sales_quota q WHERE q.deleted_at IS NULL AND ${THIS_YEAR}`,
  quota_achieved_this_year: `SELECT sum(q.achieved) FROM sales_quota q WHERE q.deleted_at IS NULL AND ${THIS_YEAR}`,
  my_quota_attainment: `SELECT sum(q.achieved) / NULLIF(sum(q.target), 0) FROM sales_quota q WHERE q.deleted_at IS NULL AND q.rep_id = $1`,
  commissions_accrued: `SELECT sum(c.amount) FROM commission c WHERE ${LIVE_COMMISSION}`,
  my_commissions: `SELECT sum(c.amount) FROM commission c WHERE ${LIVE_COMMISSION} AND c.owner_id = $1`,
  quota_attainment_by_rep: `
    SELECT q.rep_id, q.period_type, to_char(date_trunc('quarter', q.period_start), 'YYYY-MM-DD'), sum(q.target), sum(q.achieved)
      FROM sales_quota q WHERE q.deleted_at IS NULL GROUP BY 1, 2, 3`,
  commissions_by_rep: `
    SELECT c.owner_id, sum(c.amount) FILTER (WHERE c.status <> 'cancelled'), sum(c.amount) FILTER (WHERE c.status = 'paid')
      FROM commission c WHERE c.deleted_at IS NULL GROUP BY 1`,
};

/** Rows as sorted text: numbers to six places, dates as days, nothing as 0. */
function normalise(rows: unknown[][]): string[] {
  return rows
    .map((r) =>
      r
        .map((v) => {
          if (v === null || v === undefined) return '0.000000';
          if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v)) return v.slice(0, 10);
          return typeof v === 'string' && !/^-?\d+(\.\d+)?$/.test(v) ? v : Number(v).toFixed(6);
        })
        .join(' | '),
    )
    .sort();
}

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'metadata/packs/crm', 'metadata/packs/contracts'] });
  const admin = await t.engine.db.pool.query<{ id: string }>(`SELECT id FROM app_user WHERE username = 'admin'`);
  adminId = admin.rows[0]?.id ?? '';
  const unit = await post('org_unit', { name: '华南大区', code: 'SOUTH' });
  rep = await post('app_user', { username: 'rep.south', display_name: '华南销售', org_unit: unit.id });
  await contractApprover(t, [rep.id]);
  const customer = await post('customer', { name: '深圳新材科技' });
  await post('commission_plan', { name: '销售合同 3%', basis: 'contract_value', rate_pct: '3', contract_type: 'sales' });
  const mine = await signedContract(adminId, customer.id, '300000.00');
  const theirs = await signedContract(rep.id, customer.id, '250000.00');
  for (const c of [mine, theirs]) await act('contract', c.id, 'accrue_commission');
  const quotas = [
    await post('sales_quota', { name: '管理员 全年', year: YEAR, period_type: 'year', rep: adminId, target: '1000000.00' }),
    await post('sales_quota', {
      name: '华南 本季度',
      year: YEAR,
      period_type: 'quarter',
      quarter: QUARTER,
      rep: rep.id,
      target: '200000.00',
    }),
    await post('sales_quota', { name: '华南 去年', year: YEAR - 1, period_type: 'year', rep: rep.id, target: '100000.00' }),
  ];
  for (const q of quotas) await act('sales_quota', q.id, 'refresh_attainment');
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

describe('the quotas and commissions dashboard', () => {
  it('serves every widget, each equal to SQL over the quotas and commissions', async () => {
    const meta = await t.request('GET', '/api/meta');
    const dashboard = (meta.body.dashboards as Rec[]).find((d) => d.name === 'sales_performance');
    const widgets = (dashboard?.widgets ?? []) as Widget[];
    expect(widgets.map((w) => w.name).sort()).toEqual(Object.keys(WIDGET_SQL).sort());
    const got: Record<string, string[]> = {};
    for (const widget of widgets) {
      const rows = await run(widget);
      got[widget.name] = normalise(rows.map((r) => widget.columns.map((c) => r[c.name])));
      const sql = WIDGET_SQL[widget.name] ?? '';
      const expected = (await t.engine.db.pool.query({ text: sql, values: sql.includes('$1') ? [adminId] : [], rowMode: 'array' })).rows;
      expect(got[widget.name], widget.name).toEqual(normalise(expected));
    }
    // What the quotas and contracts make: 550,000.00 of 1,200,000.00 this year; the administrator 300,000.00 of
    // 1,000,000.00; 3 % commissions of 9,000.00 and 7,500.00.
    expect(got.quota_achieved_this_year).toEqual(['550000.000000']);
    expect(got.quota_attainment_this_year).toEqual([(550000 / 1200000).toFixed(6)]);
    expect(got.my_quota_attainment).toEqual(['0.300000']);
    expect(got.commissions_accrued).toEqual(['16500.000000']);
    expect(got.my_commissions).toEqual(['9000.000000']);
    expect(got.commissions_by_rep).toEqual(
      normalise([
        [adminId, '9000.00', null],
        [rep.id, '7500.00', null],
      ]),
    );
  });
});
