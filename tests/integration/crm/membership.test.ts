// Membership and points (#21 part 7) through HTTP: members are numbered around the reserved VIP numbers; a purchase
// at the POS earns points by the plan and its reward rules, once per receipt however often (or however concurrently)
// the POS sends it; points are redeemed within the balance; the ledger is append-only and the balance is its sum.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../../support/problem-checks.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

type Rec = Record<string, any>;
let t: TestEngine;
let plan: Rec;

async function post(entity: string, body: Rec): Promise<Rec> {
  const res = await t.request('POST', `/api/v1/${entity}`, body);
  expect(res.status, `${entity}: ${JSON.stringify(res.body)}`).toBe(201);
  return res.body.data;
}

const act = (member: Rec, action: string, body: Rec) => t.request('POST', `/api/v1/member/${member.id}/actions/${action}`, body);
const member = async (id: string) => (await t.request('GET', `/api/v1/member/${id}`)).body.data as Rec;

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'metadata/packs/crm'] });
  plan = await post('member_plan', { name: '星享会', code: 'STAR', points_per_yuan: '1', yuan_per_point: '0.05', min_redeem_points: 100 });
  await post('reward_rule', { name: '金卡双倍积分', plan: plan.id, tier: 'gold', multiplier: '2', priority: 10 });
  await post('reward_rule', { name: '满 1000 送 50', plan: plan.id, min_amount: '1000', bonus_points: 50, priority: 5 });
});

afterAll(async () => {
  await t?.stop();
});

describe('membership and points', () => {
  it('numbers members around the reserved VIP numbers', async () => {
    const numbers: string[] = [];
    for (let i = 0; i < 3; i++) numbers.push((await post('member', { name: `会员 ${i}`, plan: plan.id })).member_no);
    expect(numbers).toEqual(['M000001', 'M000002', 'M000003']);
    // Past 886 the next numbers skip 888 (ending in 888) — reserved for VIPs, given by hand.
    await t.db.pool.query(`UPDATE tessera_number_counter SET last_value = 886 WHERE entity_id = 'crm.member'`);
    const next = [];
    for (let i = 0; i < 2; i++) next.push((await post('member', { name: `会员 ${i + 3}`, plan: plan.id })).member_no);
    expect(next).toEqual(['M000887', 'M000889']);
  });

  it('earns points at the POS once per receipt, however often it is sent', async () => {
    const m = await post('member', { name: '王芳', plan: plan.id, mobile: '13600000001' });
    const first = await act(m, 'purchase', { receiptId: 'POS-0001', amount: '1280.50', store: '徐家汇店' });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    // 1280 points for 1280.50 yuan at 1 per yuan, plus 50 for spending over 1000.
    expect(first.body.data).toMatchObject({ points: 1330, duplicate: false });
    const again = await act(m, 'purchase', { receiptId: 'POS-0001', amount: '1280.50' });
    expect(again.body.data).toEqual({ purchase: first.body.data.purchase, points: 1330, duplicate: true });
    // Sent five times at once: one purchase, one award.
    const burst = await Promise.all([1, 2, 3, 4, 5].map(() => act(m, 'purchase', { receiptId: 'POS-0002', amount: '99.90' })));
    expect(burst.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(burst.filter((r) => !r.body.data.duplicate)).toHaveLength(1);
    expect(await member(m.id)).toMatchObject({ points_balance: 1429, lifetime_points: 1429, spend_total: '1380.40' });
    expectProblem(await act(m, 'purchase', { receiptId: 'POS-0003', amount: '12.345' }), 422, 'validation.failed', [
      { pointer: '/amount' },
    ]);
  });

  it('doubles a gold member’s points by the reward rule with the higher priority', async () => {
    const m = await post('member', { name: '李雷', plan: plan.id, tier: 'gold' });
    const res = await act(m, 'purchase', { receiptId: 'POS-1001', amount: '1500.00' });
    expect(res.body.data.points).toBe(3000);
    const purchase = (await t.request('GET', `/api/v1/member_purchase/${res.body.data.purchase}`)).body.data;
    expect(purchase.reward_explanation).toMatchObject({ rule: { name: '金卡双倍积分', multiplier: '2.00' }, points: 3000 });
    expectProblem(await act(m, 'purchase', { receiptId: 'POS-0001', amount: '10.00' }), 422, 'membership.receipt_taken');
  });

  it('redeems within the balance and above the plan’s minimum, and keeps the ledger append-only', async () => {
    const m = await post('member', { name: '韩梅梅', plan: plan.id });
    await act(m, 'purchase', { receiptId: 'POS-2001', amount: '600.00' });
    expectProblem(await act(m, 'redeem', { points: 50, reason: '兑换咖啡' }), 422, 'membership.below_minimum', [{ pointer: '/points' }]);
    expectProblem(await act(m, 'redeem', { points: 700, reason: '兑换礼品' }), 422, 'membership.insufficient_points');
    const redeemed = await act(m, 'redeem', { points: 400, reason: '兑换电影票' });
    expect(redeemed.body.data).toEqual({ redeemed: 400, balance: 200, worth: '20.00' });
    expect(await member(m.id)).toMatchObject({ points_balance: 200, lifetime_points: 600 });

    const entries = (await t.request('GET', `/api/v1/member/${m.id}?include=points`)).body.data.points as Rec[];
    expect(entries.map((e) => [e.kind, e.points]).sort()).toEqual([
      ['earn', 600],
      ['redeem', -400],
    ]);
    const entry = entries[0] as Rec;
    expectProblem(
      await t.request('PATCH', `/api/v1/points_entry/${entry.id}`, { points: 9999 }, { 'if-match': `"${entry.version}"` }),
      422,
      'membership.append_only',
    );
    expectProblem(await t.request('DELETE', `/api/v1/points_entry/${entry.id}`), 422, 'membership.append_only');
    // The ledger's sum is the balance.
    const sums = await t.db.pool.query(
      `SELECT m.points_balance, (SELECT sum(points) FROM points_entry e WHERE e.member_id = m.id)::int AS ledger FROM member m`,
    );
    for (const row of sums.rows) expect(row.points_balance ?? 0).toBe(row.ledger ?? 0);
  });

  it('lets no suspended member earn or redeem', async () => {
    const m = await post('member', { name: '赵强', plan: plan.id });
    const suspended = await t.request('PATCH', `/api/v1/member/${m.id}`, { status: 'suspended' }, { 'if-match': `"${m.version}"` });
    expect(suspended.status).toBe(200);
    expectProblem(await act(m, 'purchase', { receiptId: 'POS-3001', amount: '10.00' }), 422, 'membership.not_active');
  });

  it('applies promotions at the POS: a discount, a coupon issued and later redeemed, a gift for a product bought', async () => {
    const promo = await post('member_plan', { name: '促销计划', code: 'PROMO', points_per_yuan: '2' });
    const blender = await post('product', { name: '破壁机', list_price: '999.00' });
    const cups = await post('product', { name: '随行杯', list_price: '39.00' });
    await post('reward_rule', { name: '金卡九折', plan: promo.id, tier: 'gold', reward_type: 'discount', discount_pct: '10', priority: 5 });
    await post('reward_rule', {
      name: '满 500 送 50 元券',
      plan: promo.id,
      reward_type: 'coupon',
      min_amount: '500',
      coupon_value: '50',
      coupon_valid_days: 30,
    });
    await post('reward_rule', {
      name: '买破壁机送随行杯',
      plan: promo.id,
      reward_type: 'gift',
      product: blender.id,
      gift_product: cups.id,
      gift_quantity: 2,
    });
    expectProblem(
      await t.request('POST', '/api/v1/reward_rule', { name: '缺面额', plan: promo.id, reward_type: 'coupon' }),
      422,
      'validation.failed',
      [{ pointer: '/coupon_value' }],
    );
    const m = await post('member', { name: '林雪', plan: promo.id, tier: 'gold' });

    const first = await act(m, 'purchase', { receiptId: 'PROMO-1', amount: '1000.00', products: [blender.id] });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.data).toMatchObject({
      points: 1800,
      discount: '100.00',
      paid: '900.00',
      couponIssued: { id: expect.any(String), value: '50.00' },
      gift: { product: cups.id, quantity: 2 },
    });
    const couponNo = (await t.request('GET', `/api/v1/member_coupon/${first.body.data.couponIssued.id}`)).body.data.coupon_no as string;
    expect(couponNo).toMatch(/^CP\d{10}$/);
    const coupons = (await t.request('GET', `/api/v1/member/${m.id}?include=coupons`)).body.data.coupons as Rec[];
    expect(coupons).toEqual([expect.objectContaining({ coupon_no: couponNo, status: 'issued', value: '50.00' })]);

    const second = await act(m, 'purchase', { receiptId: 'PROMO-2', amount: '300.00', couponNo });
    expect(second.body.data).toMatchObject({ points: 440, discount: '30.00', couponUsed: couponNo, couponAmount: '50.00', paid: '220.00' });
    const purchase = (await t.request('GET', `/api/v1/member_purchase/${second.body.data.purchase}`)).body.data;
    expect(purchase).toMatchObject({ amount: '300.00', discount_amount: '30.00', coupon_amount: '50.00', paid_amount: '220.00' });
    const used = (await t.request('GET', `/api/v1/member/${m.id}?include=coupons`)).body.data.coupons as Rec[];
    expect(used.find((c) => c.coupon_no === couponNo)).toMatchObject({ status: 'used', used_on: expect.any(String) });

    // A coupon is used once, and only by its member; a refused purchase records nothing.
    expectProblem(await act(m, 'purchase', { receiptId: 'PROMO-3', amount: '80.00', couponNo }), 422, 'membership.coupon_invalid', [
      { pointer: '/couponNo' },
    ]);
    const other = await post('member', { name: '周航', plan: promo.id });
    const theirId = (await act(other, 'purchase', { receiptId: 'PROMO-4', amount: '600.00' })).body.data.couponIssued.id as string;
    const theirs = (await t.request('GET', `/api/v1/member_coupon/${theirId}`)).body.data.coupon_no as string;
    expectProblem(await act(m, 'purchase', { receiptId: 'PROMO-5', amount: '80.00', couponNo: theirs }), 422, 'membership.coupon_invalid');
    expect((await t.request('GET', `/api/v1/member/${m.id}`)).body.data).toMatchObject({ points_balance: 2240 });
  });
});
