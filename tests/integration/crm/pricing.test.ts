// The pricing plugin on the CRM pack (#21 part 5): a product's base price by cost plus markup or list minus discount,
// then price rules by customer type, quantity, product or product type and dates — the highest priority wins, the
// lowest price among equals — applied to order lines as they are written, with the explanation stored, and quoted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

type Rec = Record<string, any>;
let t: TestEngine;
const p: Record<string, Rec> = {};
const c: Record<string, Rec> = {};
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

async function post(entity: string, body: Rec): Promise<Rec> {
  const res = await t.request('POST', `/api/v1/${entity}`, body);
  expect(res.status, `${entity}: ${JSON.stringify(res.body)}`).toBe(201);
  return res.body.data;
}

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'metadata/packs/crm'] });
  p.panel = await post('product', { name: '触控面板', list_price: '1000.00', standard_discount_pct: '10' });
  p.service = await post('product', {
    name: '安装服务',
    product_type: 'service',
    unit: 'hour',
    pricing_method: 'cost_plus',
    cost: '200.00',
    markup_pct: '50',
  });
  for (const type of ['standard', 'vip', 'distributor']) c[type] = await post('customer', { name: `${type} 客户`, customer_type: type });
  await post('price_rule', { name: 'VIP 85 折', priority: 10, customer_type: 'vip', discount_pct: '15' });
  await post('price_rule', { name: '批量 100 件起 8 折', priority: 5, min_quantity: '100', discount_pct: '20' });
  await post('price_rule', {
    name: '经销商面板一口价',
    priority: 10,
    product: p.panel!.id,
    customer_type: 'distributor',
    fixed_price: '700.00',
  });
  await post('price_rule', { name: '已过期促销', priority: 99, discount_pct: '50', valid_to: yesterday });
});

afterAll(async () => {
  await t?.stop();
});

async function line(customer: string, product: string, quantity: string, extra: Rec = {}): Promise<Rec> {
  const order = await post('sales_order', { customer: c[customer]!.id });
  return post('order_line', { sales_order: order.id, product: p[product]!.id, quantity, ...extra });
}

describe('pricing', () => {
  it('computes a product’s base price from its pricing method', () => {
    expect(p.panel).toMatchObject({ pricing_method: 'list_minus_discount', base_price: '900.00' });
    expect(p.service).toMatchObject({ pricing_method: 'cost_plus', base_price: '300.00' });
  });

  it('prices a line from the base price and the rule that matches, and says why', async () => {
    const plain = await line('standard', 'panel', '1');
    expect(plain).toMatchObject({ unit_price: '900.00', line_total: '900.00' });
    expect(plain.price_explanation).toEqual({
      unitPrice: '900.00',
      base: { method: 'list_minus_discount', price: '900.00' },
      customerType: 'standard',
      quantity: '1',
    });
    const bulk = await line('standard', 'panel', '100');
    expect(bulk).toMatchObject({ unit_price: '720.00', line_total: '72000.00' });
    expect(bulk.price_explanation.rule).toMatchObject({ name: '批量 100 件起 8 折', priority: 5, discountPct: '20.00' });
    // For a VIP the priority-10 rule wins over the bigger bulk discount.
    expect((await line('vip', 'panel', '100')).unit_price).toBe('765.00');
    // Two priority-10 rules match a distributor's panel... only one names distributors: the fixed price.
    expect((await line('distributor', 'panel', '5')).price_explanation.rule).toMatchObject({ fixedPrice: '700.00' });
    expect((await line('standard', 'service', '3')).unit_price).toBe('300.00');
  });

  it('keeps a price the caller gives, and prices again when the quantity changes', async () => {
    const manual = await line('standard', 'panel', '1', { unit_price: '850.00' });
    expect(manual).toMatchObject({ unit_price: '850.00', price_explanation: null });
    const changed = await t.request('PATCH', `/api/v1/order_line/${manual.id}`, { quantity: '150' }, { 'if-match': `"${manual.version}"` });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.data).toMatchObject({ unit_price: '720.00', line_total: '108000.00' });
  });

  it('quotes without writing, and sums the lines into the order', async () => {
    const quote = await t.request('POST', `/api/v1/product/${p.panel!.id}/actions/quote`, { customer: c.vip!.id, quantity: '2' });
    expect(quote.status, JSON.stringify(quote.body)).toBe(200);
    expect(quote.body.data).toMatchObject({ unitPrice: '765.00', rule: { name: 'VIP 85 折' } });
    const order = await post('sales_order', { customer: c.vip!.id });
    await post('order_line', { sales_order: order.id, product: p.panel!.id, quantity: '2' });
    await post('order_line', { sales_order: order.id, description: '运费', unit_price: '120.00' });
    const total = (await t.request('GET', `/api/v1/sales_order/${order.id}`)).body.data;
    expect(total).toMatchObject({ line_count: 2, total: '1650.00' });
  });
});
