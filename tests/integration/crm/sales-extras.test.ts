// The CRM pack's smaller parts through HTTP (#21): a customer's interests in products and needs, bids on an
// opportunity from preparation to the result, products' packaging units and up-/cross-sell relations, and a
// member's fees setting how long the membership is paid for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../../support/problem-checks.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

type Rec = Record<string, any>;
let t: TestEngine;

async function post(entity: string, body: Rec): Promise<Rec> {
  const res = await t.request('POST', `/api/v1/${entity}`, body);
  expect(res.status, `${entity}: ${JSON.stringify(res.body)}`).toBe(201);
  return res.body.data;
}

async function patch(entity: string, rec: Rec, body: Rec) {
  const current = (await t.request('GET', `/api/v1/${entity}/${rec.id}`)).body.data;
  return t.request('PATCH', `/api/v1/${entity}/${rec.id}`, body, { 'if-match': `"${current.version}"` });
}

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'metadata/packs/crm'] });
});

afterAll(async () => {
  await t?.stop();
});

describe('customer interests', () => {
  it('records interest in a product or in a need, each asking for what it is about', async () => {
    const customer = await post('customer', { name: '昆山电子有限公司' });
    const scanner = await post('product', { name: '工业扫码枪', list_price: '1200.00' });
    await post('customer_interest', { customer: customer.id, interest_type: 'product', product: scanner.id, level: 'high' });
    await post('customer_interest', { customer: customer.id, interest_type: 'need', need: '仓库无纸化' });
    expectProblem(
      await t.request('POST', '/api/v1/customer_interest', { customer: customer.id, interest_type: 'product' }),
      422,
      'validation.failed',
      [{ pointer: '/product' }],
    );
    expectProblem(
      await t.request('POST', '/api/v1/customer_interest', { customer: customer.id, interest_type: 'need' }),
      422,
      'validation.failed',
      [{ pointer: '/need' }],
    );
    const withInterests = (await t.request('GET', `/api/v1/customer/${customer.id}?include=interest_records`)).body.data;
    expect(withInterests.interest_records.map((i: Rec) => i.interest_type).sort()).toEqual(['need', 'product']);
    const interested = (await t.request('GET', `/api/v1/product/${scanner.id}?include=interested_customers`)).body.data;
    expect(interested.interested_customers).toEqual([expect.objectContaining({ customer: customer.id, level: 'high' })]);
  });
});

describe('bids', () => {
  it('prepares, submits and closes a bid on an opportunity, numbered, with its deadline after publication', async () => {
    const customer = await post('customer', { name: '南京地铁集团' });
    const opp = await post('opportunity', {
      name: '地铁票务系统',
      customer: customer.id,
      amount: { amount: '3000000.00', currency: 'CNY' },
    });
    expectProblem(
      await t.request('POST', '/api/v1/bid', {
        opportunity: opp.id,
        published_at: '2026-12-10T00:00:00Z',
        deadline: '2026-12-01T09:30:00Z',
      }),
      422,
      'validation.failed',
      [{ pointer: '/deadline' }],
    );
    const bid = await post('bid', {
      opportunity: opp.id,
      tender_no: 'NJMTR-2026-118',
      issuer: '南京地铁集团有限公司',
      published_at: '2026-12-01T00:00:00Z',
      deadline: '2026-12-20T09:30:00+08:00',
      deposit: '60000.00',
    });
    expect(bid).toMatchObject({ status: 'preparing', bid_no: expect.stringMatching(/^BD\d{4}\d{5}$/) });
    // Without an amount there is nothing to submit.
    expectProblem(await patch('bid', bid, { status: 'submitted' }), 422, 'validation.transition', [{ pointer: '/status' }]);
    expect((await patch('bid', bid, { bid_amount: { amount: '2860000.00', currency: 'CNY' } })).status).toBe(200);
    const submitted = await patch('bid', bid, { status: 'submitted' });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    expect(submitted.body.data.submitted_on).toEqual(expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/));
    const won = await patch('bid', bid, { status: 'won', result_notes: '技术分第一' });
    expect(won.body.data).toMatchObject({ status: 'won' });
    expectProblem(await patch('bid', bid, { status: 'preparing' }), 422, 'validation.transition');
    const withBids = (await t.request('GET', `/api/v1/opportunity/${opp.id}?include=bids`)).body.data;
    expect(withBids.bids).toEqual([expect.objectContaining({ tender_no: 'NJMTR-2026-118', status: 'won' })]);
  });
});

describe('product catalogue', () => {
  it('keeps packaging units and up-sell and cross-sell relations, never a product related to itself', async () => {
    const pos = await post('product', { name: '收银机 S1', list_price: '2999.00' });
    const pro = await post('product', { name: '收银机 S1 Pro', list_price: '4599.00' });
    const drawer = await post('product', { name: '钱箱', list_price: '299.00' });
    await post('product_unit', { product: drawer.id, unit_name: '箱', factor: '12', barcode: '6901234567890', default_for_sales: true });
    expectProblem(
      await t.request('POST', '/api/v1/product_unit', { product: drawer.id, unit_name: '托', factor: '0' }),
      422,
      'validation.failed',
      [{ pointer: '/factor' }],
    );
    await post('product_relation', { product: pos.id, related: pro.id, relation: 'up_sell', note: '大屏双显，适合连锁门店' });
    await post('product_relation', { product: pos.id, related: drawer.id, relation: 'cross_sell' });
    expectProblem(
      await t.request('POST', '/api/v1/product_relation', { product: pos.id, related: pos.id, relation: 'accessory' }),
      422,
      'validation.failed',
      [{ pointer: '/related' }],
    );
    expect((await t.request('POST', '/api/v1/product_relation', { product: pos.id, related: pro.id, relation: 'up_sell' })).status).toBe(
      409,
    );
    const related = (await t.request('GET', `/api/v1/product/${pos.id}?include=related_products`)).body.data.related_products as Rec[];
    expect(related.map((r) => [r.relation, r.related]).sort()).toEqual(
      [
        ['cross_sell', drawer.id],
        ['up_sell', pro.id],
      ].sort(),
    );
    const units = (await t.request('GET', `/api/v1/product/${drawer.id}?include=packaging_units`)).body.data.packaging_units;
    expect(units).toEqual([expect.objectContaining({ unit_name: '箱', factor: '12.0000' })]);
  });
});

describe('membership fees', () => {
  it('sets how long a membership is paid for from its fees', async () => {
    const plan = await post('member_plan', { name: '金卡计划', code: 'GOLD_FEE', points_per_yuan: '1' });
    const member = await post('member', { name: '陈晓', plan: plan.id });
    expect(member.fee_paid_until).toBeNull();
    await post('member_fee', { member: member.id, period_from: '2026-01-01', period_to: '2026-12-31', amount: '199.00' });
    await post('member_fee', { member: member.id, period_from: '2027-01-01', period_to: '2027-12-31', amount: '199.00' });
    expect((await t.request('GET', `/api/v1/member/${member.id}`)).body.data.fee_paid_until).toBe('2027-12-31');
    expectProblem(
      await t.request('POST', '/api/v1/member_fee', { member: member.id, period_from: '2028-01-01', period_to: '2027-01-01', amount: '1' }),
      422,
      'validation.failed',
      [{ pointer: '/period_to' }],
    );
  });
});

describe('order satisfaction survey', () => {
  it('sends a shipped order’s customer a survey link; their answer lands on the order', async () => {
    const customer = await post('customer', { name: '嘉兴百货' });
    const order = await post('sales_order', { customer: customer.id });
    expect((await t.request('POST', `/api/v1/sales_order/${order.id}/public-links/satisfaction`, {})).status).toBe(409);
    expect((await patch('sales_order', order, { shipped_on: '2026-12-05' })).status).toBe(200);
    const link = await t.request('POST', `/api/v1/sales_order/${order.id}/public-links/satisfaction`, {});
    expect(link.status, JSON.stringify(link.body)).toBe(201);
    const none = { authorization: '' };
    const form = await t.request('GET', `/api/public/forms/${link.body.data.token}?locale=zh-CN`, undefined, none);
    expect(form.body.data.form.label).toBe('订单满意度调查');
    const options = form.body.data.fields[0].options as Rec[];
    const answer = await t.request(
      'POST',
      `/api/public/forms/${link.body.data.token}`,
      { satisfaction: options[0]?.value, satisfaction_comment: '送货很快' },
      none,
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect((await t.request('GET', `/api/v1/sales_order/${order.id}`)).body.data).toMatchObject({
      satisfaction: options[0]?.value,
      satisfaction_comment: '送货很快',
    });
  });
});
