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
