// The engine serves the built runtime UI at / (client routes fall back to index.html, /api/* never does, missing
// bundles are 404s, nothing outside the build leaks), and /api/meta gives each user the apps, layouts and list
// views they may use; the lists' filter translation produces conditions the real list endpoint runs.
import { request } from 'node:http';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureUiBuilt, isUiBuildCurrent } from '../../../engine/src/cli/ensure-ui-build.js';
import { UI_DIST } from '../../../engine/src/api/ui.routes.js';
import { buildModelRuntime } from '../../../engine/src/data/entity-runtime.js';
import { seedPack } from '../../../engine/src/data/seed-pack.js';
import { createLogger } from '../../../engine/src/shared/logger.js';
import { DEMO_PASSWORD } from '../../../plugins/crm-demo/sales-org.js';
import { filterModelToLogic, type FilterModel } from '../../../runtime-ui/src/list/filter-to-logic.js';
import { listUrl } from '../../support/list-url.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

let t: TestEngine;
let rep = '';

beforeAll(async () => {
  await ensureUiBuilt();
  t = await startTestEngine({ packs: ['metadata/packs/core', 'metadata/packs/crm'] });
  const { registries } = t.engine;
  const runtime = buildModelRuntime(t.engine.models.current().model, registries.kinds, registries.operators);
  await seedPack(t.engine.db.pool, runtime, registries.seeders, { pack: 'crm', size: 'small', log: createLogger('silent') });
  rep = await t.login('jiang.tao', DEMO_PASSWORD);
}, 90_000);

afterAll(async () => {
  await t?.stop();
});

/** A raw GET, so that paths reach the server exactly as written (fetch would normalise `..`). */
function rawGet(path: string): Promise<{ status: number; type: string; body: string }> {
  const { hostname, port } = new URL(t.url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the built UI at /', () => {
  it('is current after ensureUiBuilt, which then has nothing to do', async () => {
    expect(isUiBuildCurrent()).toBe(true);
    expect((await ensureUiBuilt()).built).toBe(false);
  });

  it('serves index.html for the root and for client routes, the bundles with long caching', async () => {
    for (const path of ['/', '/login', '/e/customer/0193e2a0-0001-7000-8000-000000000001']) {
      const res = await fetch(t.url + path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toContain('<div id="app"></div>');
    }
    const bundle = readdirSync(join(UI_DIST, 'assets')).find((f) => f.endsWith('.js'));
    const res = await fetch(`${t.url}/assets/${bundle}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('javascript');
    expect(res.headers.get('cache-control')).toContain('immutable');
  });

  it('never answers the API, a missing bundle or a path outside the build with the app', async () => {
    const api = await fetch(`${t.url}/api/no-such-route`);
    expect(api.status).toBe(401);
    expect(api.headers.get('content-type')).toContain('application/problem+json');
    expect((await fetch(`${t.url}/assets/gone-1234.js`)).status).toBe(404);
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json']) {
      const res = await rawGet(path);
      expect(res.body, path).not.toContain('"name": "tessera"');
    }
  });
});

describe('/api/meta for the UIs', () => {
  it('gives each user the apps whose entities they may read', async () => {
    const admin = (await t.request('GET', '/api/meta?locale=en')).body;
    const mine = (await t.request('GET', '/api/meta?locale=zh-CN', undefined, { authorization: `Bearer ${rep}` })).body;
    expect(admin.apps.map((a: any) => a.name)).toEqual(['sales', 'membership', 'admin']);
    expect(mine.apps.map((a: any) => [a.name, a.label])).toEqual([
      ['sales', '销售'],
      ['admin', '系统管理'],
    ]);
    const adminApp = mine.apps.find((a: any) => a.name === 'admin');
    expect(adminApp.menu.map((m: any) => m.entity)).toEqual(['app_user', 'org_unit']);
    const sales = mine.apps[0].menu.find((m: any) => m.group === 'customers');
    expect(sales).toMatchObject({
      label: '客户',
      items: [
        { name: 'customers', entity: 'customer', label: '客户', view: null },
        { view: 'key_customers' },
        { entity: 'contact' },
        { view: 'suppliers', label: '供应商' },
        { view: 'partners' },
        { view: 'blacklisted' },
      ],
    });
  });

  it("serves the packs' layouts and list views, and generated ones for entities without", async () => {
    const meta = (await t.request('GET', '/api/meta?locale=zh-CN')).body;
    const customer = meta.entities.find((e: any) => e.name === 'customer');
    expect(customer.layout).toMatchObject({
      id: 'crm.layout.customer',
      generated: false,
      highlights: ['customer_no', 'stage', 'value_score', 'owner'],
    });
    expect(customer.layout.tabs.map((tab: any) => tab.label)).toEqual(['概览', '相关记录', '关系网络']);
    // A related party has its pages both ways: the parties a customer names, and those that name it.
    expect(customer.layout.tabs[2].relatedLists.map((l: any) => [l.relation, l.entity, l.field])).toEqual([
      ['children', 'customer', 'parent'],
      ['related_parties', 'related_party', 'customer'],
      ['related_to', 'related_party', 'related'],
      ['addresses', 'address', 'customer'],
      ['interest_records', 'customer_interest', 'customer'],
    ]);
    expect(customer.layout.tabs[1].relatedLists[0]).toMatchObject({
      relation: 'contacts',
      entity: 'contact',
      field: 'customer',
      label: '联系人',
    });
    expect(customer.listViews.map((v: any) => [v.name, v.isDefault])).toEqual([
      ['all_customers', true],
      ['blacklisted', false],
      ['key_customers', false],
      ['partners', false],
      ['suppliers', false],
    ]);
    const role = meta.entities.find((e: any) => e.name === 'role');
    expect(role.layout).toMatchObject({ generated: true, tabs: [{ name: 'details', label: '详细信息' }] });
    expect(role.listViews).toEqual([
      { name: 'all', label: '全部角色', isDefault: true, columns: [{ field: 'name' }, { field: 'code' }], sort: ['-created_at'] },
    ]);
    // Every list view of the packs runs on the list endpoint as it is.
    for (const e of meta.entities) {
      for (const v of e.listViews) {
        const res = await t.request('GET', listUrl(e.name, { limit: 1, sort: v.sort, ...(v.filter ? { filter: v.filter } : {}) }));
        expect(res.status, `${e.name}/${v.name}: ${JSON.stringify(res.body)}`).toBe(200);
      }
    }
  });
});

describe('column filters on the real list endpoint', () => {
  it('runs what the grid asks for and returns only matching rows', async () => {
    const meta = (await t.request('GET', '/api/meta?locale=zh-CN')).body;
    const customer = meta.entities.find((e: any) => e.name === 'customer');
    const fields = new Map<string, any>(customer.fields.map((f: any) => [f.name, f]));
    const model: FilterModel = {
      stage: { filterType: 'text', type: 'contains', filter: '客户' },
      employees: { filterType: 'number', type: 'inRange', filter: 50, filterTo: 5000 },
      annual_revenue: { filterType: 'number', type: 'greaterThan', filter: 1_000_000 },
      name: {
        filterType: 'text',
        operator: 'OR',
        conditions: [
          { type: 'contains', filter: '科技' },
          { type: 'contains', filter: 'Co' },
        ],
      },
    };
    const filter = filterModelToLogic(model, fields);
    const res = await t.request('GET', listUrl('customer', { filter, limit: 200, sort: '-annual_revenue.amount' }));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.length).toBeGreaterThan(0);
    const stages = fields
      .get('stage')
      .values.filter((v: any) => v.label.includes('客户'))
      .map((v: any) => v.value);
    for (const c of res.body.data) {
      expect(stages).toContain(c.stage);
      expect(c.employees).toBeGreaterThanOrEqual(50);
      expect(c.employees).toBeLessThanOrEqual(5000);
      expect(Number(c.annual_revenue.amount)).toBeGreaterThan(1_000_000);
      expect(c.name.includes('科技') || c.name.toLowerCase().includes('co')).toBe(true);
    }
    const amounts = res.body.data.map((c: any) => Number(c.annual_revenue.amount));
    expect(amounts).toEqual([...amounts].sort((a, b) => b - a));
  });
});
