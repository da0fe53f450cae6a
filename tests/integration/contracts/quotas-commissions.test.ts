// Quotas and commissions (#24 part 10), through HTTP: a quota's attainment from the contracts signed in its period by
// its rep, or by everyone in its team or department and the units under it; commissions accrued once per plan on a
// signed contract; the nightly refresh as a scheduled action.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queueDueWork } from '../../../engine/src/jobs/schedule-tick.js';
import { expectProblem } from '../../support/problem-checks.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';
import * as world from './contracts-world.js';
import { approveContract, contractApprover, type Rec } from './contracts-world.js';

let t: TestEngine;
let east: Rec;
let shanghai: Rec;
let repShanghai: Rec;
let repEast: Rec;
let customer: Rec;
const TODAY = new Date().toISOString().slice(0, 10);
const YEAR = Number(TODAY.slice(0, 4));
const QUARTER = Math.floor((Number(TODAY.slice(5, 7)) - 1) / 3) + 1;

// The shared helpers, bound to this file's engine.
const post = (entity: string, body: Rec) => world.post(t, entity, body);
const get = (entity: string, id: string) => world.get(t, entity, id);
const move = (entity: string, id: string, status: string) => world.moveTo(t, entity, id, 'status', [status]);

async function contract(owner: Rec, value: string, sign = true, extra: Rec = {}): Promise<Rec> {
  const c = await post('contract', { title: `合同 ${value}`, customer: customer.id, owner: owner.id, ...extra });
  await post('contract_line', { contract: c.id, description: '服务', quantity: '1', unit_price: value });
  if (!sign) return c;
  await approveContract(t, c.id);
  for (const status of ['signing', 'signed']) await move('contract', c.id, status);
  return get('contract', c.id);
}

const act = (entity: string, id: string, action: string) => t.request('POST', `/api/v1/${entity}/${id}/actions/${action}`, {});

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'metadata/packs/crm', 'metadata/packs/contracts'] });
  east = await post('org_unit', { name: '华东大区', code: 'EAST' });
  shanghai = await post('org_unit', { name: '上海分公司', code: 'SH', parent: east.id });
  repShanghai = await post('app_user', { username: 'rep.sh', display_name: '上海销售', org_unit: shanghai.id });
  repEast = await post('app_user', { username: 'rep.east', display_name: '华东销售', org_unit: east.id });
  customer = await post('customer', { name: '远景科技' });
  await contractApprover(t, [repShanghai.id, repEast.id]);
});

afterAll(async () => {
  await t?.stop();
});

describe('quotas', () => {
  it('measure a rep, and a department with the units under it, against the contracts signed in the period', async () => {
    await contract(repShanghai, '300000.00');
    await contract(repEast, '200000.00');
    await contract(repShanghai, '999999.00', false);
    const rep = await post('sales_quota', {
      name: '上海销售 本季度',
      year: YEAR,
      period_type: 'quarter',
      quarter: QUARTER,
      rep: repShanghai.id,
      target: '1000000.00',
    });
    const dept = await post('sales_quota', { name: '华东 全年', year: YEAR, period_type: 'year', org_unit: east.id, target: '400000.00' });
    expect(rep).toMatchObject({ period_start: `${YEAR}-${String(QUARTER * 3 - 2).padStart(2, '0')}-01`, achieved: '0.00' });
    expect(dept).toMatchObject({ period_start: `${YEAR}-01-01`, period_end: `${YEAR}-12-31` });

    expect((await act('sales_quota', rep.id, 'refresh_attainment')).body.data).toEqual({ achieved: '300000.00', records: 1 });
    expect((await act('sales_quota', dept.id, 'refresh_attainment')).body.data).toEqual({ achieved: '500000.00', records: 2 });
    expect(await get('sales_quota', rep.id)).toMatchObject({ achieved: '300000.00', attainment_pct: '30.00' });
    expect(await get('sales_quota', dept.id)).toMatchObject({ achieved: '500000.00', attainment_pct: '125.00' });

    const report = await t.request('GET', '/api/v1/reports/quota_attainment_by_unit');
    expect(report.status, JSON.stringify(report.body)).toBe(200);
    // Analysts see the same figures through Cube, each row drilling down to its quotas.
    const row = (report.body.data as Rec[]).find((r) => r.org_unit === east.id);
    expect(row).toMatchObject({ period_type: 'year', target_total: '400000.00', achieved_total: '500000.00' });
    expect(row?.drill.entity).toBe('sales_quota');
  });

  it('name one assignee and a complete period', async () => {
    const both = await t.request('POST', '/api/v1/sales_quota', {
      name: '两者',
      year: YEAR,
      period_type: 'year',
      rep: repEast.id,
      org_unit: east.id,
      target: '1.00',
    });
    expectProblem(both, 422, 'validation.failed', [{ pointer: '/rep' }, { pointer: '/org_unit' }]);
    const noQuarter = await t.request('POST', '/api/v1/sales_quota', {
      name: '缺季度',
      year: YEAR,
      period_type: 'quarter',
      rep: repEast.id,
      target: '1.00',
    });
    expectProblem(noQuarter, 422, 'validation.failed', [{ pointer: '/quarter' }]);
  });

  it('refresh nightly as a scheduled action', async () => {
    const q = await post('sales_quota', {
      name: '华东 本月',
      year: YEAR,
      period_type: 'month',
      month: Number(TODAY.slice(5, 7)),
      org_unit: east.id,
      target: '100000.00',
    });
    await contract(repEast, '50000.00');
    // 01:30 in Shanghai.
    const due = Date.parse(`${TODAY}T17:30:30Z`);
    await queueDueWork(t.engine.queue, t.engine.models.current().model, due, {});
    await vi.waitFor(async () => expect((await get('sales_quota', q.id)).refreshed_at).not.toBeNull(), { timeout: 10_000, interval: 100 });
    expect((await get('sales_quota', q.id)).achieved).toBe('550000.00');
  });
});

describe('commissions', () => {
  it('accrue once per applicable plan on a signed contract, exact to the cent', async () => {
    await post('commission_plan', {
      name: '销售合同 3%',
      basis: 'contract_value',
      rate_pct: '3',
      contract_type: 'sales',
      min_amount: '100000.00',
    });
    await post('commission_plan', { name: '保密协议 1%', basis: 'contract_value', rate_pct: '1', contract_type: 'nda' });
    await post('commission_plan', { name: '订单 0.5%', basis: 'order_total', rate_pct: '0.5' });
    const signed = await contract(repShanghai, '333333.33');
    const first = await act('contract', signed.id, 'accrue_commission');
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.data).toEqual({ accrued: 1 });
    expect((await act('contract', signed.id, 'accrue_commission')).body.data).toEqual({ accrued: 0 });
    const filter = encodeURIComponent(JSON.stringify({ '==': [{ var: 'contract' }, signed.id] }));
    const rows = (await t.request('GET', `/api/v1/commission?filter=${filter}`)).body.data as Rec[];
    expect(rows.map((c) => [c.owner, c.period, c.basis_amount, c.rate_pct, c.amount, c.status])).toEqual([
      [repShanghai.id, TODAY.slice(0, 7), '333333.33', '3.0000', '10000.00', 'accrued'],
    ]);
  });

  it('refuse a contract not yet signed, and a commission on a contract and an order at once', async () => {
    const draft = await contract(repEast, '500000.00', false);
    expectProblem(await act('contract', draft.id, 'accrue_commission'), 422, 'commission.not_signed');
    const order = await post('sales_order', { customer: customer.id });
    const both = await t.request('POST', '/api/v1/commission', {
      owner: repEast.id,
      contract: draft.id,
      sales_order: order.id,
      period: '2026-12',
      basis_amount: '1.00',
      rate_pct: '1',
    });
    expectProblem(both, 422, 'validation.failed', [{ pointer: '/sales_order' }]);
  });
});
