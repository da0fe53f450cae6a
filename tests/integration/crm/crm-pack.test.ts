// The CRM pack (#21) through HTTP on both databases: it validates without a problem and applies on core; leads are
// assigned by region and industry and scored, and qualify only above the bar; a manager sees the subordinates'
// customers and not another branch's; an opportunity's money is computed exactly, it moves through its stages and,
// won, raises its customer's rollups and value score; a blacklisted customer gets no new opportunity.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../../engine/src/metadata/load-model.js';
import { recordRuleProblems } from '../../../engine/src/record-rules/compile-record-rules.js';
import { checkIndexConditions } from '../../../engine/src/schema/check-index-conditions.js';
import { checkAssignmentConditions } from '../../../engine/src/rules/check-assignment-conditions.js';
import { BUILTIN_RULES } from '../../support/builtin-rules.js';
import { expectProblem } from '../../support/problem-checks.js';
import { listUrl } from '../../support/list-url.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

type Rec = Record<string, any>;
let t: TestEngine;
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};

async function post(entity: string, body: Rec, token?: string): Promise<Rec> {
  const res = await t.request('POST', `/api/v1/${entity}`, body, token ? { authorization: `Bearer ${token}` } : {});
  expect(res.status, `${entity}: ${JSON.stringify(res.body)}`).toBe(201);
  return res.body.data;
}

async function patch(entity: string, rec: Rec, body: Rec, token?: string) {
  return t.request('PATCH', `/api/v1/${entity}/${rec.id}`, body, {
    'if-match': `"${rec.version}"`,
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  });
}

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'metadata/packs/crm'] });
  //   HQ ─┬─ EAST (Branch East)    mgr_east manages rep_east
  //       └─ SOUTH (Branch South)  rep_south
  const units = await t.request('GET', listUrl('org_unit', { filter: { '==': [{ var: 'code' }, 'HQ'] } }));
  const hq = units.body.data[0] as Rec;
  const east = await post('org_unit', { name: '华东分公司', code: 'EAST', unit_type: 'branch', parent: hq.id });
  const south = await post('org_unit', { name: '华南分公司', code: 'SOUTH', unit_type: 'branch', parent: hq.id });
  const mk = async (username: string, unit: string, manager?: string) => {
    const u = await post('app_user', {
      username,
      display_name: username,
      org_unit: unit,
      ...(manager ? { manager } : {}),
      locale: 'zh-CN',
    });
    expect((await t.request('PUT', `/api/admin/users/${u.id}/password`, { password: `${username}-password` })).status).toBe(204);
    ids[username] = u.id;
  };
  await mk('mgr_east', east.id);
  await mk('rep_east', east.id, ids.mgr_east);
  await mk('rep_south', south.id);
  await mk('pm', hq.id);
  await mk('fin', hq.id);
  const crmGrant = (scope: string) => ({
    actions: ['read', 'create', 'update'],
    scope,
    // The customer's sales team reach it whatever the scope.
    sharing: [
      {
        or: ['relationship_manager', 'account_manager', 'delivery_manager', 'service_rep'].map((f) => ({
          '==': [{ var: f }, { var: '$user.id' }],
        })),
      },
    ],
  });
  const entities = (scope: string) => ({
    customer: crmGrant(scope),
    contact: { actions: ['read', 'create', 'update'], scope },
    lead: { actions: ['read', 'create', 'update', 'convert'], scope },
    // An opportunity's sales team reaches it too (team selling).
    opportunity: {
      actions: ['read', 'create', 'update'],
      scope,
      sharing: [{ some: [{ var: 'team' }, { '==': [{ var: 'id' }, { var: '$user.id' }] }] }],
    },
    sales_order: { actions: ['read', 'create', 'update'], scope },
    order_line: { actions: ['read', 'create', 'update'], scope },
    activity: { actions: ['read', 'create', 'update'], scope },
    // Colleagues are picked for sales teams.
    app_user: { actions: ['read'], scope: 'all' },
  });
  await post('role', {
    code: 'sales_rep',
    name: '销售代表',
    grants: { entities: entities('own') },
    members: [ids.rep_east, ids.rep_south],
  });
  await post('role', { code: 'sales_manager', name: '销售经理', grants: { entities: entities('subordinates') }, members: [ids.mgr_east] });
  await post('role', { code: 'sales_east', name: '华东销售', grants: {}, members: [ids.rep_east] });
  await post('role', { code: 'product_manager', name: '产品经理', grants: {}, members: [ids.pm] });
  await post('role', { code: 'finance', name: '财务', grants: {}, members: [ids.fin] });
  for (const name of ['mgr_east', 'rep_east', 'rep_south', 'pm', 'fin']) tokens[name] = await t.login(name, `${name}-password`);
});

afterAll(async () => {
  await t?.stop();
});

describe('the CRM pack', () => {
  it('validates with no problem', () => {
    const model = loadModel([resolve('metadata/packs/core'), resolve('metadata/packs/crm')], { kinds: BUILTIN_RULES.kinds });
    expect([
      ...checkIndexConditions(model, BUILTIN_RULES),
      ...checkAssignmentConditions(model, BUILTIN_RULES),
      ...recordRuleProblems(model, BUILTIN_RULES),
    ]).toEqual([]);
    expect(
      model.entities
        .map((e) => e.name)
        .filter((n) => model.entitiesByName[n]?.pack === 'crm')
        .sort(),
    ).toEqual([
      'activity',
      'address',
      'bid',
      'bom_item',
      'brand',
      'contact',
      'customer',
      'customer_interest',
      'lead',
      'member',
      'member_coupon',
      'member_fee',
      'member_plan',
      'member_purchase',
      'opportunity',
      'order_line',
      'points_entry',
      'price_rule',
      'product',
      'product_relation',
      'product_unit',
      'related_party',
      'reward_rule',
      'sales_order',
      'stock_count',
      'stock_count_line',
      'stock_movement',
      'warehouse',
    ]);
  });

  it('assigns a lead by region and industry, scores it, and lets it qualify only above the bar', async () => {
    const lead = await post('lead', {
      company_name: '苏州精密制造有限公司',
      contact_name: '王强',
      source: 'exhibition',
      region: 'east',
      industry: 'manufacturing',
    });
    expect(lead.owner).toBe(ids.rep_east);
    expect(lead.lead_no).toMatch(/^LD\d{6}\d{6}$/);
    expect(lead.score).toMatchObject({ points: '10.00', band: 'cold' });
    const refused = await patch('lead', lead, { status: 'qualified' });
    expectProblem(refused, 422, 'validation.transition', [{ pointer: '/status' }]);

    const warmer = await patch('lead', lead, {
      mobile: '13800138000',
      email: 'wang@example.cn',
      budget: { amount: '500000.00', currency: 'CNY' },
      size: 'large',
    });
    expect(warmer.status, JSON.stringify(warmer.body)).toBe(200);
    expect(warmer.body.data.score).toMatchObject({ points: '65.00', band: 'hot' });
    const qualified = await patch('lead', warmer.body.data, { status: 'qualified' });
    expect(qualified.status, JSON.stringify(qualified.body)).toBe(200);
    expect(qualified.body.data.status_changed_at).toEqual(expect.any(String));
  });

  it('imports leads from a spreadsheet in Chinese: numbered, assigned by region and industry, and scored', async () => {
    const csv = [
      '公司名称,联系人,线索来源,区域,行业,预算,手机',
      '常州新材料有限公司,赵磊,展会,华东,制造业,"300,000 CNY",13700137000',
      '杭州云数科技有限公司,孙悦,官网,华东,制造业,,',
    ].join('\n');
    const res = await fetch(`${t.url}/api/v1/lead/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'text/csv' },
      body: csv,
    });
    const body = (await res.json()) as Rec;
    expect(res.status, JSON.stringify(body)).toBe(201);
    const leads = await Promise.all(
      (body.data.ids as string[]).map(async (id) => (await t.request('GET', `/api/v1/lead/${id}`)).body.data as Rec),
    );
    expect(leads.map((l) => l.owner)).toEqual([ids.rep_east, ids.rep_east]);
    expect(leads[0]).toMatchObject({
      source: 'exhibition',
      region: 'east',
      industry: 'manufacturing',
      budget: { amount: '300000.00', currency: 'CNY' },
    });
    expect(leads[0]?.lead_no).toMatch(/^LD\d{12}$/);
    expect(Number(leads[0]?.score.points)).toBeGreaterThan(Number(leads[1]?.score.points));
  });

  it('converts a qualified lead into a customer, a contact and an opportunity, all or nothing', async () => {
    const as = { authorization: `Bearer ${tokens.rep_east}` };
    const lead = await post(
      'lead',
      {
        company_name: '无锡新能源科技有限公司',
        contact_name: '李娜',
        contact_title: '采购总监',
        mobile: '13900139000',
        email: 'lina@example.cn',
        source: 'referral',
        region: 'east',
        industry: 'energy',
        size: 'enterprise',
        budget: { amount: '800000.00', currency: 'CNY' },
        need: '储能系统集成',
      },
      tokens.rep_east,
    );
    // Not qualified yet: refused, and nothing is created.
    const early = await t.request('POST', `/api/v1/lead/${lead.id}/actions/convert`, {}, as);
    expectProblem(early, 422, 'crm.lead_not_qualified', [{ pointer: '/status' }]);
    const qualified = await patch('lead', lead, { status: 'qualified' }, tokens.rep_east);
    expect(qualified.status, JSON.stringify(qualified.body)).toBe(200);

    // Onto a blacklisted customer the opportunity is refused: the contact written before it is rolled back too.
    const blacklisted = await post('customer', { name: '黑名单公司', blacklisted: true, status_reason: '欺诈', owner: ids.rep_east });
    const refused = await t.request('POST', `/api/v1/lead/${lead.id}/actions/convert`, { customer: blacklisted.id }, as);
    expectProblem(refused, 422, 'validation.failed', [{ pointer: '/opportunity/customer' }]);
    const contactsOf = async (customer: string) =>
      (await t.request('GET', listUrl('contact', { filter: { '==': [{ var: 'customer' }, customer] } }))).body.data as Rec[];
    expect(await contactsOf(blacklisted.id)).toEqual([]);

    const res = await t.request('POST', `/api/v1/lead/${lead.id}/actions/convert`, { opportunityName: '储能系统一期' }, as);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { customer, contact, opportunity } = res.body.data;
    const made = (await t.request('GET', `/api/v1/customer/${customer}?include=contacts,opportunities`)).body.data;
    expect(made).toMatchObject({ name: '无锡新能源科技有限公司', source: 'lead', region: 'east', industry: 'energy', owner: ids.rep_east });
    expect(made.contacts.map((c: Rec) => [c.id, c.name, c.title, c.is_decision_maker])).toEqual([[contact, '李娜', '采购总监', true]]);
    expect(made.opportunities.map((o: Rec) => [o.id, o.name, o.amount, o.source_lead])).toEqual([
      [opportunity, '储能系统一期', { amount: '800000.00', currency: 'CNY' }, lead.id],
    ]);
    const after = (await t.request('GET', `/api/v1/lead/${lead.id}`)).body.data;
    expect(after).toMatchObject({
      status: 'converted',
      converted_customer: customer,
      converted_contact: contact,
      converted_at: expect.any(String),
    });
    // Converted once: a second conversion is refused.
    expectProblem(await t.request('POST', `/api/v1/lead/${lead.id}/actions/convert`, {}, as), 422, 'crm.lead_not_qualified');
  });

  it('shows a manager the customers of the people below them, and not another branch’s', async () => {
    const mine = await post(
      'customer',
      { name: '杭州云帆科技', region: 'east', industry: 'technology', owner: ids.rep_east },
      tokens.rep_east,
    );
    await post('customer', { name: '深圳海岸贸易', region: 'south', industry: 'retail', owner: ids.rep_south }, tokens.rep_south);
    const seen = async (who: string) =>
      ((await t.request('GET', '/api/v1/customer', undefined, { authorization: `Bearer ${tokens[who]}` })).body.data as Rec[]).map(
        (c) => c.name,
      );
    expect(await seen('mgr_east')).toContain('杭州云帆科技');
    expect(await seen('mgr_east')).not.toContain('深圳海岸贸易');
    expect(await seen('rep_south')).toEqual(['深圳海岸贸易']);
    // The rep of another branch reaches a customer once they are on its team.
    const shared = await patch('customer', mine, { service_rep: ids.rep_south }, tokens.rep_east);
    expect(shared.status, JSON.stringify(shared.body)).toBe(200);
    expect((await seen('rep_south')).sort()).toEqual(['杭州云帆科技', '深圳海岸贸易']);
    expect(await seen('rep_east')).not.toContain('深圳海岸贸易');
    expect(mine.customer_no).toMatch(/^CU\d{4}\d{6}$/);
  });

  it('computes an opportunity’s money exactly and, won, raises its customer’s rollups and value score', async () => {
    const customer = await post('customer', {
      name: '宁波港湾物流集团',
      region: 'east',
      industry: 'logistics',
      customer_type: 'key_account',
      annual_revenue: { amount: '250000000.00', currency: 'CNY' },
    });
    expect(customer.value_score).toMatchObject({ points: '35.00', band: 'B' });
    const opp = await post('opportunity', {
      name: '智能仓储系统',
      customer: customer.id,
      amount: { amount: '1000000.00', currency: 'CNY' },
      cost_of_sale: '600000.00',
      expenses: '50000.00',
      budget: '100000.00',
      expected_close: '2027-03-31',
      owner: ids.rep_east,
    });
    expect(opp).toMatchObject({
      stage: 'qualification',
      confidence: 10,
      amount_cny: '1000000.00',
      weighted_amount: '100000.00',
      expected_profit: '350000.00',
      margin_pct: '35.00',
      roi_pct: '233.33',
    });
    expect(opp.opportunity_no).toMatch(/^OP\d{6}\d{5}$/);
    let current = opp;
    for (const stage of ['proposal', 'negotiation']) {
      const res = await patch('opportunity', current, { stage });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      current = res.body.data;
    }
    // A deal this large is won only once approved: the rep's manager approves it (a director only from 5,000,000).
    expectProblem(await patch('opportunity', current, { stage: 'won' }), 422, 'validation.failed', [{ pointer: '/stage' }]);
    const submitted = await t.request('POST', `/api/v1/opportunity/${opp.id}/approval/submit`, {});
    expect(submitted.body.data, JSON.stringify(submitted.body)).toMatchObject({ status: 'pending', step: 'manager' });
    const inbox = await t.request('GET', '/api/v1/me/approvals', undefined, { authorization: `Bearer ${tokens.mgr_east}` });
    expect(inbox.body.data).toContainEqual(expect.objectContaining({ entity: 'opportunity', recordId: opp.id, title: '智能仓储系统' }));
    const approved = await t.request(
      'POST',
      `/api/v1/opportunity/${opp.id}/approval/approve`,
      { comment: '同意' },
      {
        authorization: `Bearer ${tokens.mgr_east}`,
      },
    );
    expect(approved.body.data, JSON.stringify(approved.body)).toMatchObject({ status: 'approved' });
    current = (await t.request('GET', `/api/v1/opportunity/${opp.id}`)).body.data;
    expect(current.deal_approved).toBe(true);
    const won = await patch('opportunity', current, { stage: 'won' });
    expect(won.status, JSON.stringify(won.body)).toBe(200);
    current = won.body.data;
    expect(current).toMatchObject({ stage: 'won', confidence: 100, weighted_amount: '1000000.00', closed_on: expect.any(String) });
    const after = (await t.request('GET', `/api/v1/customer/${customer.id}`)).body.data;
    expect(after).toMatchObject({ opportunity_count: 1, open_opportunity_count: 0, won_amount: '1000000.00' });
    expect(after.value_score).toMatchObject({ points: '55.00', band: 'B' });
    // Winning it made its draft order in the same write: one line for the amount.
    const orders = (await t.request('GET', `/api/v1/opportunity/${opp.id}?include=orders`)).body.data.orders as Rec[];
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ status: 'planned', customer: customer.id, total: '1000000.00', line_count: 1 });
    expect(orders[0]?.order_no).toMatch(/^SO\d{8}\d{4}$/);
    // Asked again, the action returns that order rather than make another.
    const again = await t.request('POST', `/api/v1/opportunity/${opp.id}/actions/create_order`, {});
    expect(again.body.data).toEqual({ order: orders[0]?.id, created: false });
    // A won opportunity cannot go back.
    expectProblem(await patch('opportunity', current, { stage: 'proposal' }), 422, 'validation.transition', [{ pointer: '/stage' }]);
  });

  it('wins nothing when the order it makes is refused: a customer blacklisted meanwhile gets no order', async () => {
    const customer = await post('customer', { name: '温州鞋业集团' });
    let opp = await post('opportunity', { name: '门店改造', customer: customer.id, amount: { amount: '200000.00', currency: 'CNY' } });
    for (const stage of ['proposal', 'negotiation']) opp = (await patch('opportunity', opp, { stage })).body.data;
    const current = (await t.request('GET', `/api/v1/customer/${customer.id}`)).body.data;
    expect((await patch('customer', current, { blacklisted: true, status_reason: '拖欠货款' })).status).toBe(200);
    const refused = await patch('opportunity', opp, { stage: 'won' });
    expectProblem(refused, 422, 'validation.failed', [{ pointer: '/sales_order/customer' }]);
    const after = (await t.request('GET', `/api/v1/opportunity/${opp.id}?include=orders`)).body.data;
    expect(after).toMatchObject({ stage: 'negotiation', closed_on: null, orders: [] });
  });

  it('launches a new product only through its approval, with finance when the margin is thin', async () => {
    const thin = await post('product', { name: '低毛利配件', list_price: '100.00', cost: '90.00' });
    expect(thin).toMatchObject({ status: 'draft', margin_pct: '10.00' });
    // The launch transition is the flow's: nobody takes it directly.
    expect((await patch('product', thin, { status: 'active' })).status).toBe(409);
    expect((await t.request('POST', `/api/v1/product/${thin.id}/approval/submit`, {})).body.data).toMatchObject({
      step: 'product_manager',
    });
    const as = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });
    const decide = (who: string) => t.request('POST', `/api/v1/product/${thin.id}/approval/approve`, {}, as(who));
    expect((await decide('pm')).body.data).toMatchObject({ status: 'pending', step: 'finance' });
    expect((await decide('fin')).body.data).toMatchObject({ status: 'approved' });
    expect((await t.request('GET', `/api/v1/product/${thin.id}`)).body.data.status).toBe('active');
  });

  it('confirms a small order directly, and one of 100,000 CNY or more only once the manager (and finance) approve', async () => {
    const customer = await post('customer', { name: '宁波港务', owner: ids.rep_east }, tokens.rep_east);
    const order = async (price: string) => {
      const o = await post('sales_order', { customer: customer.id, owner: ids.rep_east }, tokens.rep_east);
      await post('order_line', { sales_order: o.id, description: '设备', unit_price: price });
      return (await t.request('GET', `/api/v1/sales_order/${o.id}`, undefined, { authorization: `Bearer ${tokens.rep_east}` })).body.data;
    };
    const small = await order('99999.99');
    const confirmed = await patch('sales_order', small, { status: 'formal' }, tokens.rep_east);
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect(confirmed.body.data).toMatchObject({ status: 'formal', order_date: expect.any(String) });

    const as = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });
    const large = await order('1200000.00');
    expectProblem(await patch('sales_order', large, { status: 'formal' }, tokens.rep_east), 409, 'approval.required');
    const submitted = await t.request('POST', `/api/v1/sales_order/${large.id}/approval/submit`, {}, as('rep_east'));
    expect(submitted.body.data, JSON.stringify(submitted.body)).toMatchObject({ status: 'pending', step: 'manager' });
    const decide = (who: string) => t.request('POST', `/api/v1/sales_order/${large.id}/approval/approve`, {}, as(who));
    expect((await decide('mgr_east')).body.data).toMatchObject({ status: 'pending', step: 'finance' });
    expect((await decide('fin')).body.data).toMatchObject({ status: 'approved' });
    const after = (await t.request('GET', `/api/v1/sales_order/${large.id}`)).body.data;
    expect(after).toMatchObject({ status: 'formal', order_date: expect.any(String), total: '1200000.00' });
  });

  it('shares an opportunity with its sales team across branches', async () => {
    const customer = await post('customer', { name: '合肥智造', owner: ids.rep_east }, tokens.rep_east);
    const opp = await post('opportunity', { name: '产线升级', customer: customer.id, owner: ids.rep_east }, tokens.rep_east);
    const seen = async (who: string) =>
      ((await t.request('GET', '/api/v1/opportunity', undefined, { authorization: `Bearer ${tokens[who]}` })).body.data as Rec[]).map(
        (o) => o.id,
      );
    expect(await seen('rep_south')).not.toContain(opp.id);
    const teamed = await patch('opportunity', opp, { team: [ids.rep_south] }, tokens.rep_east);
    expect(teamed.status, JSON.stringify(teamed.body)).toBe(200);
    expect(await seen('rep_south')).toContain(opp.id);
  });

  it('refuses a new opportunity for a blacklisted customer', async () => {
    const customer = await post('customer', { name: '失信企业有限公司', blacklisted: true, status_reason: '多次逾期付款' });
    const res = await t.request('POST', '/api/v1/opportunity', { name: '新项目', customer: customer.id });
    expectProblem(res, 422, 'validation.failed', [{ pointer: '/customer' }]);
    const listed = await t.request('GET', listUrl('opportunity', { filter: { '==': [{ var: 'customer' }, customer.id] } }));
    expect(listed.body.data).toEqual([]);
  });
});
