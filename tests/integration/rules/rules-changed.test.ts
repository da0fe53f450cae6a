// A publish that changes derived fields' rules recomputes the stored values (schema/derived-changes.ts): the apply
// queues, in its own transaction, one recompute per entity whose computed, rollup or score fields changed, and the
// job runs it once the engine serves the new Model — the lines' totals under the new formula, and through them the
// orders' rollups. A publish that changes no rule queues none.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RULES_CHANGED_JOB } from '../../../engine/src/schema/derived-changes.js';
import { makeTempDir, removeDir } from '../../support/pack-builder.js';
import { publishReviewed } from '../../support/publish-reviewed.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

type Rec = Record<string, any>;
let t: TestEngine;
let packDir: string;

async function create(entity: string, body: Rec): Promise<Rec> {
  const res = await t.request('POST', `/api/v1/${entity}`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

async function get(entity: string, id: string): Promise<Rec> {
  return (await t.request('GET', `/api/v1/${entity}/${id}`)).body.data;
}

/** Rewrites one field of an entity file of the pack. */
function editField(entity: string, field: string, edit: (f: Rec) => void): void {
  const file = join(packDir, `entities/${entity}.json`);
  const def = JSON.parse(readFileSync(file, 'utf8'));
  edit(def.fields.find((f: Rec) => f.name === field));
  writeFileSync(file, JSON.stringify(def, null, 2));
}

async function queued(): Promise<string[]> {
  const { rows } = await t.db.pool.query<{ key: string }>(`SELECT job_key AS key FROM tessera_outbox WHERE job_name = $1 ORDER BY id`, [
    RULES_CHANGED_JOB,
  ]);
  return rows.map((r) => r.key);
}

beforeAll(async () => {
  packDir = makeTempDir('tessera-rules-changed-');
  cpSync(resolve(import.meta.dirname, '../../fixtures/packs/rules-demo'), packDir, { recursive: true });
  t = await startTestEngine({ packs: ['metadata/packs/core', packDir] });
});

afterAll(async () => {
  await t?.stop();
  removeDir(packDir);
});

describe('a publish that changes a computed field', () => {
  it('recomputes the stored values under the new rule, and the rollups that read them', async () => {
    const product = await create('product', { name: 'Widget', unit_price: '10.00', unit_cost: '4.00' });
    const order = await create('sales_order', { title: 'Before the change' });
    const lines = [];
    for (const quantity of [1, 2, 3]) lines.push(await create('order_line', { sales_order: order.id, product: product.id, quantity }));
    expect((await get('sales_order', order.id)).total).toBe('60.00');

    // A line total now includes a 5.00 handling charge per line.
    editField('order_line', 'line_total', (f) => {
      f.computed = { '+': [f.computed, 5] };
    });
    const published = await publishReviewed(t.request);
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    const version = published.body.data.version;
    expect(await queued()).toEqual([`rules-changed:${version}:order_line`]);
    await expect.poll(async () => (await get('sales_order', order.id)).total, { timeout: 30_000 }).toBe('75.00');
    for (const [i, line] of lines.entries()) expect((await get('order_line', line.id)).line_total).toBe(`${(i + 1) * 10 + 5}.00`);
  });

  it('queues nothing when no derived field changes', async () => {
    const before = await queued();
    editField('product', 'name', (f) => {
      f.label = { en: 'Product name' };
    });
    const published = await publishReviewed(t.request);
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    expect(published.body.data.changed).toBe(true);
    expect(await queued()).toEqual(before);
  });
});
