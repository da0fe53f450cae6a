// Stock (#21 part 5): stock on hand is the sum of a product's movements; a shipment that would take a product
// below zero is refused unless the product allows it; serial-tracked products need a serial number per movement.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../../support/problem-checks.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

type Rec = Record<string, any>;
let t: TestEngine;
let warehouse: Rec;

async function post(entity: string, body: Rec): Promise<Rec> {
  const res = await t.request('POST', `/api/v1/${entity}`, body);
  expect(res.status, `${entity}: ${JSON.stringify(res.body)}`).toBe(201);
  return res.body.data;
}

const move = (product: Rec, kind: string, quantity: string, extra: Rec = {}) =>
  t.request('POST', '/api/v1/stock_movement', {
    product: product.id,
    warehouse: warehouse.id,
    kind,
    quantity,
    moved_at: new Date().toISOString(),
    ...extra,
  });
const stock = async (product: Rec) => (await t.request('GET', `/api/v1/product/${product.id}`)).body.data.stock_on_hand;

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'metadata/packs/crm'] });
  warehouse = await post('warehouse', { name: '上海中心仓', code: 'SH01', region: 'east' });
});

afterAll(async () => {
  await t?.stop();
});

describe('stock', () => {
  it('sums movements into stock on hand and refuses to ship below zero', async () => {
    const p = await post('product', { name: '扫码枪', list_price: '399.00' });
    expect((await move(p, 'receipt', '10')).status).toBe(201);
    expect((await move(p, 'shipment', '-4')).status).toBe(201);
    expect(await stock(p)).toBe('6.000');
    const short = await move(p, 'shipment', '-7');
    expectProblem(short, 422, 'validation.failed', [{ pointer: '/product', code: 'validation.rule' }]);
    expect(short.body.errors[0].message).toBe('Product: Not enough stock: this product may not go below zero');
    expect(await stock(p)).toBe('6.000');
    expectProblem(await move(p, 'shipment', '5'), 422, 'validation.failed', [{ pointer: '/quantity' }]);
  });

  it('lets a product that allows it go below zero (back orders)', async () => {
    const p = await post('product', { name: '定制工作站', list_price: '12000.00', allow_negative_stock: true });
    expect((await move(p, 'shipment', '-2')).status).toBe(201);
    expect(await stock(p)).toBe('-2.000');
  });

  it('needs a serial number for a serial-tracked product', async () => {
    const p = await post('product', { name: '服务器', list_price: '58000.00', serial_tracked: true });
    expectProblem(await move(p, 'receipt', '1'), 422, 'validation.failed', [{ pointer: '/serial_no' }]);
    expect((await move(p, 'receipt', '1', { serial_no: 'SN-2026-0001' })).status).toBe(201);
  });
});

describe('shipping orders', () => {
  async function formalOrder(lines: Array<[Rec, string]>): Promise<Rec> {
    const customer = await post('customer', { name: `门店 ${Math.random().toString(36).slice(2, 8)}` });
    const order = await post('sales_order', { customer: customer.id });
    for (const [product, quantity] of lines) await post('order_line', { sales_order: order.id, product: product.id, quantity });
    const current = (await t.request('GET', `/api/v1/sales_order/${order.id}`)).body.data;
    const confirmed = await t.request(
      'PATCH',
      `/api/v1/sales_order/${order.id}`,
      { status: 'formal' },
      { 'if-match': `"${current.version}"` },
    );
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    return confirmed.body.data;
  }
  const act = (order: Rec, action: string, body: Rec) => t.request('POST', `/api/v1/sales_order/${order.id}/actions/${action}`, body);

  it('ships a formal order’s lines out of stock, all or nothing, once, and takes goods back up to what was shipped', async () => {
    const printer = await post('product', { name: '小票打印机', list_price: '899.00' });
    const drawer = await post('product', { name: '钱箱', list_price: '299.00' });
    await move(printer, 'receipt', '5');
    await move(drawer, 'receipt', '1');

    // Two drawers but one in stock: nothing ships, not even the printers.
    const short = await formalOrder([
      [printer, '2'],
      [drawer, '2'],
    ]);
    expectProblem(await act(short, 'ship', { warehouse: warehouse.id }), 422, 'validation.failed', [
      { pointer: '/stock_movement/product' },
    ]);
    expect(await stock(printer)).toBe('5.000');

    const order = await formalOrder([
      [printer, '2'],
      [drawer, '1'],
    ]);
    const shipped = await act(order, 'ship', { warehouse: warehouse.id });
    expect(shipped.body.data, JSON.stringify(shipped.body)).toEqual({ shipped: 2 });
    expect([await stock(printer), await stock(drawer)]).toEqual(['3.000', '0.000']);
    expectProblem(await act(order, 'ship', { warehouse: warehouse.id }), 422, 'crm.order_shipped');
    // Sent twice at once, an order ships once.
    const twice = await formalOrder([[printer, '1']]);
    const both = await Promise.all([1, 2].map(() => act(twice, 'ship', { warehouse: warehouse.id })));
    expect(both.map((r) => r.status).sort()).toEqual([200, 422]);
    expect(await stock(printer)).toBe('2.000');

    const back = { warehouse: warehouse.id, product: printer.id, reason: '屏幕损坏' };
    expect((await act(order, 'return_goods', { ...back, quantity: '1' })).status).toBe(200);
    expect(await stock(printer)).toBe('3.000');
    expectProblem(await act(order, 'return_goods', { ...back, quantity: '2' }), 422, 'crm.return_too_large', [{ pointer: '/quantity' }]);
    expectProblem(await act(short, 'return_goods', { ...back, quantity: '1' }), 422, 'crm.order_not_shipped');
  });

  it('posts a periodic stock count: lines learn the books, differences become count movements, once', async () => {
    const paper = await post('product', { name: '热敏纸', list_price: '5.00' });
    const ribbon = await post('product', { name: '色带', list_price: '12.00' });
    const toner = await post('product', { name: '碳粉', list_price: '80.00' });
    expect((await move(paper, 'receipt', '100')).status).toBe(201);
    expect((await move(ribbon, 'receipt', '20')).status).toBe(201);
    expect((await move(toner, 'receipt', '5')).status).toBe(201);
    const count = await post('stock_count', { warehouse: warehouse.id, counted_on: '2026-12-06' });
    expect(count).toMatchObject({ status: 'draft', count_no: expect.stringMatching(/^SC\d{6}\d{4}$/) });
    const line = (product: Rec, counted: string) =>
      post('stock_count_line', { stock_count: count.id, product: product.id, counted_qty: counted });
    const lines = [await line(paper, '97'), await line(ribbon, '20'), await line(toner, '6')];
    expect(lines[0]).toMatchObject({ system_qty: null, difference: null });
    // The same product twice on one count is refused.
    expect(
      (await t.request('POST', '/api/v1/stock_count_line', { stock_count: count.id, product: paper.id, counted_qty: '1' })).status,
    ).toBe(409);

    const current = (await t.request('GET', `/api/v1/stock_count/${count.id}`)).body.data;
    expect(current.line_count).toBe(3);
    const posted = await t.request(
      'PATCH',
      `/api/v1/stock_count/${count.id}`,
      { status: 'posted' },
      { 'if-match': `"${current.version}"` },
    );
    expect(posted.status, JSON.stringify(posted.body)).toBe(200);
    expect(await stock(paper)).toBe('97.000');
    expect(await stock(ribbon)).toBe('20.000');
    expect(await stock(toner)).toBe('6.000');
    const after = (await t.request('GET', `/api/v1/stock_count/${count.id}?include=lines`)).body.data.lines as Rec[];
    expect(after.map((l) => [l.system_qty, l.difference]).sort()).toEqual(
      [
        ['100.000', '-3.000'],
        ['20.000', '0.000'],
        ['5.000', '1.000'],
      ].sort(),
    );
    // Called by hand, the action refuses: the count is posted (and only ever once).
    const again = await t.request('POST', `/api/v1/stock_count/${count.id}/actions/post_count`, {});
    expectProblem(again, 422, 'crm.count_posted');
    expect(await stock(paper)).toBe('97.000');
  });
});
