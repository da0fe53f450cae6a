// Rules as metadata (#19) through HTTP on the rules-demo fixture: computed fields over the record and its
// parent, rollups kept current by every child write, scores with their explanation, validation rules and
// field rules on every write path, all in the write's transaction.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModelRuntime } from '../../../engine/src/data/entity-runtime.js';
import { recomputeAll } from '../../../engine/src/data/recompute-all.js';
import { expectProblem } from '../../support/problem-checks.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

let t: TestEngine;

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'tests/fixtures/packs/rules-demo'] });
});

afterAll(async () => {
  await t?.stop();
});

type Rec = Record<string, any>;

async function create(entity: string, body: Rec): Promise<Rec> {
  const res = await t.request('POST', `/api/v1/${entity}`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

async function get(entity: string, id: string): Promise<Rec> {
  const res = await t.request('GET', `/api/v1/${entity}/${id}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

async function patch(entity: string, rec: Rec, body: Rec) {
  return t.request('PATCH', `/api/v1/${entity}/${rec.id}`, body, { 'if-match': `"${rec.version}"` });
}

describe('computed fields and rollups', () => {
  it('computes line totals from the product, rolls them up into the order, and follows every change', async () => {
    const widget = await create('product', { name: 'Widget', unit_price: '12.50', unit_cost: '7.25' });
    const gadget = await create('product', { name: 'Gadget', unit_price: '400.00', unit_cost: '100.00' });
    const order = await create('sales_order', { title: 'First', discount_pct: '10' });
    expect(order).toMatchObject({ line_count: 0, total: '0.00', big_lines: 0, net_total: '0.00', last_delivery: null });

    const line = await create('order_line', { sales_order: order.id, product: widget.id, quantity: 3, delivery_on: '2026-01-10' });
    expect(line).toMatchObject({ line_total: '37.50', margin: '15.75', is_big: false });
    const big = await create('order_line', { sales_order: order.id, product: gadget.id, quantity: 5, delivery_on: '2026-02-01' });
    expect(big).toMatchObject({ line_total: '2000.00', is_big: true });
    expect(await get('sales_order', order.id)).toMatchObject({
      line_count: 2,
      total: '2037.50',
      big_lines: 1,
      net_total: '1833.75',
      last_delivery: '2026-02-01',
    });

    // A parent's change reaches every line reading it, and through them the order.
    const p = await patch('product', gadget, { unit_price: '100.10' });
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    expect(await get('order_line', big.id)).toMatchObject({ line_total: '500.50', margin: '0.50', is_big: false });
    expect(await get('sales_order', order.id)).toMatchObject({ total: '538.00', big_lines: 0, net_total: '484.20' });

    // Deleting a line takes it out of the rollups.
    const del = await t.request('DELETE', `/api/v1/order_line/${line.id}`);
    expect(del.status).toBe(200);
    expect(await get('sales_order', order.id)).toMatchObject({ line_count: 1, total: '500.50', last_delivery: '2026-02-01' });

    // Moving a line to another order changes both orders.
    const other = await create('sales_order', { title: 'Second' });
    const current = await get('order_line', big.id);
    const moved = await patch('order_line', current, { sales_order: other.id });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(await get('sales_order', order.id)).toMatchObject({ line_count: 0, total: '0.00', last_delivery: null });
    expect(await get('sales_order', other.id)).toMatchObject({ line_count: 1, total: '500.50' });
  });

  it('computes money part by part, and refuses a currency the field does not take', async () => {
    const yuan = await create('product', { name: 'Tea', unit_price: '1.00', list_price: { amount: '12.50', currency: 'CNY' } });
    const bare = await create('product', { name: 'Water', unit_price: '1.00' });
    const euro = await create('product', { name: 'Wine', unit_price: '1.00', list_price: { amount: '9.00', currency: 'EUR' } });
    const order = await create('sales_order', { title: 'Money' });
    const line = await create('order_line', { sales_order: order.id, product: yuan.id, quantity: 3 });
    expect(line.line_value).toEqual({ amount: '37.50', currency: 'CNY' });
    const none = await create('order_line', { sales_order: order.id, product: bare.id, quantity: 3 });
    expect(none.line_value).toBeNull();
    const res = await t.request('POST', '/api/v1/order_line', { sales_order: order.id, product: euro.id, quantity: 1 });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ pointer: '/line_value', code: 'validation.computed_out_of_range' })]);
  });

  it('refuses writes to derived fields', async () => {
    const res = await t.request('POST', '/api/v1/sales_order', { title: 'x', total: '5.00' });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ pointer: '/total', code: 'validation.read_only' })]);
  });

  it('computes day counts between dates', async () => {
    const order = await create('sales_order', { title: 'Dated', starts_on: '2024-02-27', ends_on: '2024-03-02' });
    expect(order.days).toBe(4);
  });

  it('refuses a child write that breaks a rule of the parent it changes (a rollup the parent validates)', async () => {
    const product = await create('product', { name: 'Press', unit_price: '1500.00', unit_cost: '900.00' });
    const order = await create('sales_order', { title: 'Presses' });
    for (let i = 0; i < 3; i++) await create('order_line', { sales_order: order.id, product: product.id, quantity: 1 });
    const fourth = await t.request('POST', '/api/v1/order_line', { sales_order: order.id, product: product.id, quantity: 1 });
    expectProblem(fourth, 422, 'validation.failed', [{ pointer: '/sales_order', code: 'validation.rule' }]);
    expect(fourth.body.errors[0].message).toBe('Order: An order holds at most 3 lines of 1,000 or more');
    expect(await get('sales_order', order.id)).toMatchObject({ line_count: 3, big_lines: 3 });
    // In a bulk write the error points into the batch; nothing of it is written.
    const washer = await create('product', { name: 'Washer', unit_price: '1.00', unit_cost: '0.20' });
    const bulk = await t.request('POST', '/api/v1/order_line/bulk', {
      data: [
        { sales_order: order.id, product: washer.id, quantity: 10 },
        { sales_order: order.id, product: product.id, quantity: 2 },
      ],
    });
    expectProblem(bulk, 422, 'validation.failed', [{ pointer: '/data/1/sales_order' }]);
    expect(await get('sales_order', order.id)).toMatchObject({ line_count: 3 });
  });

  it('keeps exact sums under 50 concurrent child inserts', async () => {
    const product = await create('product', { name: 'Bolt', unit_price: '0.10', unit_cost: '0.01' });
    const order = await create('sales_order', { title: 'Busy' });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.request('POST', '/api/v1/order_line', { sales_order: order.id, product: product.id, quantity: i + 1 }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    // 0.10 x (1 + 2 + ... + 50) = 127.50
    expect(await get('sales_order', order.id)).toMatchObject({ line_count: 50, total: '127.50' });
  });
});

describe('scores', () => {
  it('stores the points, the band and which criteria earned them', async () => {
    const product = await create('product', { name: 'Server', unit_price: '6000.00', unit_cost: '4000.00' });
    const order = await create('sales_order', { title: 'Scored' });
    expect(order.order_score).toMatchObject({ points: '0.00', band: 'C' });
    await create('order_line', { sales_order: order.id, product: product.id, quantity: 2 });
    const scored = await get('sales_order', order.id);
    expect(scored.order_score.points).toBe('55.00');
    expect(scored.order_score.band).toBe('A');
    expect(scored.order_score.explanation).toEqual([
      { criterion: 'big', points: 30 },
      { criterion: 'won', points: 0 },
      { criterion: 'size', points: 25, value: '12000.00' },
    ]);
  });
});

describe('validation and field rules', () => {
  it('reports every broken rule at once, as field errors', async () => {
    const res = await t.request('POST', '/api/v1/sales_order', {
      title: 'Bad',
      discount_pct: '60',
      starts_on: '2024-05-02',
      ends_on: '2024-05-01',
    });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { pointer: '/discount_pct', code: 'validation.rule', message: 'The discount must be between 0% and 50%' },
        { pointer: '/starts_on', code: 'validation.rule', message: 'The order cannot end before it starts' },
        { pointer: '/ends_on', code: 'validation.rule', message: 'The order cannot end before it starts' },
      ]),
    );
  });

  it('holds on updates and bulk creates too, and nothing is written', async () => {
    const order = await create('sales_order', { title: 'Fine' });
    const res = await patch('sales_order', order, { discount_pct: '75' });
    expect(res.status).toBe(422);
    expect((await get('sales_order', order.id)).discount_pct).toBeNull();
    const bulk = await t.request('POST', '/api/v1/sales_order/bulk', { data: [{ title: 'ok' }, { title: 'bad', discount_pct: '99' }] });
    expect(bulk.status).toBe(422);
    expect(bulk.body.errors).toEqual([expect.objectContaining({ pointer: '/data/1/discount_pct', code: 'validation.rule' })]);
  });

  it('requires a field when its condition holds', async () => {
    const order = await create('sales_order', { title: 'Lost one' });
    const res = await patch('sales_order', order, { stage: 'lost' });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ pointer: '/lost_reason', code: 'validation.required' })]);
    const ok = await patch('sales_order', order, { stage: 'lost', lost_reason: 'Price' });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  });

  it('keeps a field read-only while its condition holds on the stored record', async () => {
    const order = await create('sales_order', { title: 'Won one', discount_pct: '5' });
    const won = await patch('sales_order', order, { stage: 'won', discount_pct: '6' });
    expect(won.status, JSON.stringify(won.body)).toBe(200);
    const res = await patch('sales_order', won.body.data, { discount_pct: '7' });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ pointer: '/discount_pct', code: 'validation.read_only' })]);
    // Sending the value it already has is no change.
    const same = await patch('sales_order', won.body.data, { discount_pct: '6.00', title: 'Still won' });
    expect(same.status, JSON.stringify(same.body)).toBe(200);
  });
});

describe('recompute after a rule changes', () => {
  it('brings stored derived values back in line, for administrators only', async () => {
    const product = await create('product', { name: 'Lamp', unit_price: '20.00', unit_cost: '5.00' });
    const order = await create('sales_order', { title: 'Stale' });
    const line = await create('order_line', { sales_order: order.id, product: product.id, quantity: 2 });
    // As if the formula had changed since these were stored.
    await t.db.pool.query('UPDATE order_line SET line_total = 1, margin = 1 WHERE id = $1', [line.id]);
    await t.db.pool.query('UPDATE sales_order SET total = 1, net_total = 1 WHERE id = $1', [order.id]);
    const res = await t.request('POST', '/api/admin/rules/order_line/recompute');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.changed).toBeGreaterThanOrEqual(1);
    expect(await get('order_line', line.id)).toMatchObject({ line_total: '40.00', margin: '30.00' });
    expect(await get('sales_order', order.id)).toMatchObject({ total: '40.00', net_total: '40.00' });
    const none = await t.request('POST', '/api/admin/rules/product/recompute');
    expect(none.status).toBe(404);
  });

  it('recomputes in batches side by side, every row once', async () => {
    const product = await create('product', { name: 'Bulb', unit_price: '3.00', unit_cost: '1.00' });
    const order = await create('sales_order', { title: 'Many lines' });
    const lines: Rec[] = [];
    for (let i = 1; i <= 23; i++) lines.push(await create('order_line', { sales_order: order.id, product: product.id, quantity: i }));
    await t.db.pool.query('UPDATE order_line SET line_total = 1, margin = 1');
    const registries = t.engine.registries;
    const runtime = buildModelRuntime(t.engine.models.current().model, registries.kinds, registries.operators);
    const seen: number[] = [];
    const done = await recomputeAll(t.db.pool, runtime, 'order_line', { batchSize: 4, onBatch: (p) => seen.push(p.records) });
    const total = (await t.db.pool.query('SELECT count(*)::int AS n FROM order_line WHERE deleted_at IS NULL')).rows[0].n;
    expect(done.records).toBe(total);
    expect(done.changed).toBe(total);
    expect(seen).toHaveLength(Math.ceil(total / 4));
    for (const line of lines) expect((await get('order_line', line.id)).line_total).toBe((3 * line.quantity).toFixed(2));
    expect((await get('sales_order', order.id)).total).toBe('828.00');
    // The whole-table form (one grouped pass per rollup, as a seed runs it) gives what the per-parent form gives.
    await t.db.pool.query('UPDATE sales_order SET total = 1, net_total = 1');
    const every = runtime.entity('sales_order').rules.recomputeEvery ?? '';
    expect((await t.db.pool.query(every)).rows[0].changed).toBeGreaterThan(0);
    expect((await recomputeAll(t.db.pool, runtime, 'sales_order')).changed).toBe(0);
    expect((await get('sales_order', order.id)).total).toBe('828.00');
  });

  it('filters lists by comparing fields with each other', async () => {
    const filter = encodeURIComponent(JSON.stringify({ '>': [{ var: 'margin' }, { '*': [{ var: 'line_total' }, '0.5'] }] }));
    const res = await t.request('GET', `/api/v1/order_line?filter=${filter}&limit=500`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.length).toBeGreaterThan(0);
    for (const row of res.body.data) expect(Number(row.margin)).toBeGreaterThan(Number(row.line_total) / 2);
  });
});

describe('explain', () => {
  it('tells every rule outcome for a record: derived values with inputs, score criteria, validation and field rules', async () => {
    const product = await create('product', { name: 'Desk', unit_price: '250.00', unit_cost: '100.00' });
    const order = await create('sales_order', { title: 'Explained', discount_pct: '20', stage: 'lost', lost_reason: 'Budget' });
    const line = await create('order_line', { sales_order: order.id, product: product.id, quantity: 4 });
    const res = await t.request('POST', `/api/v1/order_line/${line.id}/explain`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const lineTotal = res.body.data.derived.find((d: Rec) => d.field === 'line_total');
    expect(lineTotal).toMatchObject({
      formula: { '*': [{ var: 'quantity' }, { var: 'product.unit_price' }] },
      stored: '1000.00',
      computedNow: '1000.00',
      inputs: { quantity: '4', 'product.unit_price': '250.00' },
    });
    expect(res.body.data.validationRules).toEqual([expect.objectContaining({ name: 'positive_quantity', holds: true })]);

    const explained = await t.request('POST', `/api/v1/sales_order/${order.id}/explain`, undefined, { 'accept-language': 'zh-CN' });
    expect(explained.status, JSON.stringify(explained.body)).toBe(200);
    const data = explained.body.data;
    expect(data.derived.find((d: Rec) => d.field === 'total')).toMatchObject({
      rollup: { relation: 'lines', aggregate: 'sum' },
      stored: '1000.00',
    });
    expect(data.derived.find((d: Rec) => d.field === 'net_total')).toMatchObject({
      stored: '800.00',
      inputs: { total: '1000.00', discount_pct: '20.00' },
    });
    expect(data.scores[0]).toMatchObject({ field: 'order_score', band: 'C', points: '10.00' });
    expect(data.scores[0].criteria).toEqual([
      expect.objectContaining({ id: 'big', matched: false, points: 0 }),
      expect.objectContaining({ id: 'won', matched: false }),
      expect.objectContaining({ id: 'size', matched: true, points: 10, value: '800.00' }),
    ]);
    expect(data.validationRules).toEqual([
      expect.objectContaining({ name: 'discount_range', holds: true, message: '折扣必须在 0% 到 50% 之间' }),
      expect.objectContaining({ name: 'dates_in_order', holds: true }),
      expect.objectContaining({ name: 'few_big_lines', holds: true }),
    ]);
    expect(data.fieldRules).toEqual(
      expect.arrayContaining([
        { field: 'lost_reason', visibleWhen: true, requiredWhen: true },
        { field: 'discount_pct', readOnlyWhen: false },
      ]),
    );
    const missing = await t.request('POST', `/api/v1/sales_order/${line.id}/explain`);
    expect(missing.status).toBe(404);
  });
});

describe('restore', () => {
  it('brings a deleted line back into its order’s rollups', async () => {
    const product = await create('product', { name: 'Chair', unit_price: '30.00', unit_cost: '10.00' });
    const order = await create('sales_order', { title: 'Restored' });
    const line = await create('order_line', { sales_order: order.id, product: product.id, quantity: 2 });
    const del = await t.request('DELETE', `/api/v1/order_line/${line.id}`);
    expect(del.status).toBe(200);
    expect(await get('sales_order', order.id)).toMatchObject({ line_count: 0, total: '0.00' });
    // The product's price changed while the line was deleted: the restored line computes from today's price.
    const p = await patch('product', product, { unit_price: '31.00' });
    expect(p.status).toBe(200);
    const restored = await t.request('POST', `/api/v1/order_line/${line.id}/restore`);
    expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    expect(restored.body.data).toMatchObject({ id: line.id, line_total: '62.00' });
    expect(await get('sales_order', order.id)).toMatchObject({ line_count: 1, total: '62.00' });
    const again = await t.request('POST', `/api/v1/order_line/${line.id}/restore`);
    expect(again.status).toBe(409);
    expect(again.body.type).toContain('record.not_deleted');
  });

  it('refuses to restore a record whose parent is gone', async () => {
    const product = await create('product', { name: 'Shelf', unit_price: '5.00', unit_cost: '1.00' });
    const order = await create('sales_order', { title: 'Gone' });
    const line = await create('order_line', { sales_order: order.id, product: product.id, quantity: 1 });
    // Deleting the order cascades to its line; restoring only the line would leave it under a deleted order.
    expect((await t.request('DELETE', `/api/v1/sales_order/${order.id}`)).status).toBe(200);
    const res = await t.request('POST', `/api/v1/order_line/${line.id}/restore`);
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ pointer: '/sales_order', code: 'validation.reference' })]);
  });
});
