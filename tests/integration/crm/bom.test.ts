// Bills of materials (#21 part 5): an assembly's cost is the sum of its components' unit costs times their quantities,
// through any number of levels, kept current by every write; a ring (a part that is, through others, its own
// component) is refused, and its write leaves nothing behind.
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

const product = async (id: string) => (await t.request('GET', `/api/v1/product/${id}`)).body.data as Rec;

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'metadata/packs/crm'] });
});

afterAll(async () => {
  await t?.stop();
});

describe('bills of materials', () => {
  it('rolls component costs up through the levels and follows a component’s new cost', async () => {
    const board = await post('product', { name: '主板', product_type: 'material', cost: '100.00' });
    const housing = await post('product', { name: '机壳', product_type: 'material', cost: '50.00' });
    const terminal = await post('product', { name: '收银终端', product_type: 'bundle', pricing_method: 'cost_plus', markup_pct: '40' });
    await post('bom_item', { product: terminal.id, component: board.id, quantity: '2' });
    await post('bom_item', { product: terminal.id, component: housing.id, quantity: '1' });
    const kit = await post('product', { name: '门店套装', product_type: 'bundle' });
    await post('bom_item', { product: kit.id, component: terminal.id, quantity: '3' });
    expect(await product(terminal.id)).toMatchObject({ bom_cost: '250.00', unit_cost: '250.00', base_price: '350.00' });
    expect(await product(kit.id)).toMatchObject({ bom_cost: '750.00', unit_cost: '750.00' });

    const current = await product(board.id);
    const cheaper = await t.request('PATCH', `/api/v1/product/${board.id}`, { cost: '120.00' }, { 'if-match': `"${current.version}"` });
    expect(cheaper.status, JSON.stringify(cheaper.body)).toBe(200);
    expect(await product(terminal.id)).toMatchObject({ unit_cost: '290.00', base_price: '406.00' });
    expect(await product(kit.id)).toMatchObject({ unit_cost: '870.00' });

    // The board made of kits: a ring, refused; nothing of it is written.
    const ring = await t.request('POST', '/api/v1/bom_item', { product: board.id, component: kit.id, quantity: '1' });
    expectProblem(ring, 422, 'validation.derived_cycle');
    expect((await t.request('GET', `/api/v1/product/${board.id}?include=components`)).body.data.components).toEqual([]);
    expect(await product(kit.id)).toMatchObject({ unit_cost: '870.00' });
    // A product as its own component is the shortest ring.
    expectProblem(await t.request('POST', '/api/v1/bom_item', { product: kit.id, component: kit.id }), 422, 'validation.derived_cycle');
  });

  it('imports a bill of materials from its template, components named by product number or name', async () => {
    const chip = await post('product', { name: '芯片', product_type: 'material', cost: '30.00' });
    await post('product', { name: '显示屏', product_type: 'material', cost: '80.00' });
    const pad = await post('product', { name: '手持终端', product_type: 'bundle' });
    const auth = { authorization: `Bearer ${t.adminToken}` };
    const template = await fetch(`${t.url}/api/v1/bom_item/import-template?format=csv&locale=zh-CN`, { headers: auth });
    const header = new TextDecoder().decode(new Uint8Array(await template.arrayBuffer())).trim();
    expect(header.split(',')).toEqual(['上级产品', '组件产品', '用量']);
    const csv = `${header}\n${pad.product_no},${chip.product_no},4\n手持终端,显示屏,1\n`;
    const res = await fetch(`${t.url}/api/v1/bom_item/import`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/csv' },
      body: csv,
    });
    expect(res.status, await res.clone().text()).toBe(201);
    expect(await product(pad.id)).toMatchObject({ bom_cost: '200.00', unit_cost: '200.00' });
  });
});
