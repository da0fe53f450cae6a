// The list tools' endpoints on the CRM's demo data: /api/meta serves the dashboards a user may run and the views'
// footers; a user's saved views are theirs alone and checked like a list query; a batch applies a transition or a
// delete to each record through the write pipeline and answers every record's outcome.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModelRuntime } from '../../../engine/src/data/entity-runtime.js';
import { seedPack } from '../../../engine/src/data/seed-pack.js';
import { createLogger } from '../../../engine/src/shared/logger.js';
import { DEMO_PASSWORD } from '../../../plugins/crm-demo/sales-org.js';
import { listUrl } from '../../support/list-url.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

let t: TestEngine;
const tokens: Record<string, string> = {};
const as = (who: string) => (method: string, path: string, body?: unknown) =>
  t.request(method, path, body, { authorization: `Bearer ${tokens[who]}` });

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'metadata/packs/crm'] });
  const { registries } = t.engine;
  const runtime = buildModelRuntime(t.engine.models.current().model, registries.kinds, registries.operators);
  await seedPack(t.engine.db.pool, runtime, registries.seeders, { pack: 'crm', size: 'small', log: createLogger('silent') });
  for (const who of ['jiang.tao', 'lv.na', 'qian.jun']) tokens[who] = await t.login(who, DEMO_PASSWORD);
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

describe('/api/meta', () => {
  it('serves the home dashboard with its planned widgets, and the views their footers', async () => {
    const meta = (await as('jiang.tao')('GET', '/api/meta?locale=en')).body;
    const home = meta.dashboards.find((d: any) => d.isHome);
    expect(home.name).toBe('home');
    const mine = home.widgets.find((w: any) => w.name === 'my_opportunities');
    expect(mine).toMatchObject({ type: 'list', entity: 'opportunity', mine: { member: 'opportunity.owner', path: 'owner' } });
    expect(mine.columns.map((c: any) => c.title)).toEqual(['ID', 'Name', 'Stage', 'Confidence %', 'Amount in CNY (sum)']);
    expect(home.widgets.find((w: any) => w.name === 'funnel').query.segments).toEqual(['opportunity.open']);
    const sales = meta.apps.find((a: any) => a.name === 'sales');
    expect(sales.menu).toContainEqual({ name: 'sales_analysis', label: 'Sales analysis', icon: 'chart', dashboard: 'sales_analysis' });
    const open = meta.entities.find((e: any) => e.name === 'opportunity').listViews.find((v: any) => v.name === 'open_opportunities');
    expect(open.footer).toEqual([
      { aggregate: 'count' },
      { aggregate: 'sum', field: 'amount_cny' },
      { aggregate: 'sum', field: 'weighted_amount' },
      { aggregate: 'avg', field: 'confidence' },
    ]);
  });
});

describe('saved views', () => {
  let id = '';
  it('are saved for their owner only, who alone deletes them', async () => {
    const body = {
      entity: 'opportunity',
      name: '大单',
      columns: ['name', 'amount', 'stage'],
      sort: ['-amount.amount'],
      filter: { '>=': [{ var: 'amount_cny' }, 1_000_000] },
    };
    const saved = await as('jiang.tao')('POST', '/api/v1/me/views', body);
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    id = saved.body.data.id;
    expect(saved.body.data).toMatchObject(body);
    expect((await as('jiang.tao')('POST', '/api/v1/me/views', body)).status).toBe(409);
    expect((await as('jiang.tao')('GET', '/api/v1/me/views?entity=opportunity')).body.data.map((v: any) => v.id)).toEqual([id]);
    expect((await as('jiang.tao')('GET', '/api/v1/me/views?entity=customer')).body.data).toEqual([]);
    expect((await as('lv.na')('GET', '/api/v1/me/views')).body.data).toEqual([]);
    expect((await as('lv.na')('DELETE', `/api/v1/me/views/${id}`)).status).toBe(404);
    // Its filter runs as a list filter.
    const list = await as('jiang.tao')(
      'GET',
      listUrl('opportunity', { filter: body.filter, sort: body.sort, fields: 'id,amount_cny', limit: 5 }),
    );
    expect(list.status).toBe(200);
    expect((await as('jiang.tao')('DELETE', `/api/v1/me/views/${id}`)).status).toBe(204);
    expect((await as('jiang.tao')('GET', '/api/v1/me/views')).body.data).toEqual([]);
  });

  it('refuse what a list could not run, with a pointer for each problem', async () => {
    const res = await as('jiang.tao')('POST', '/api/v1/me/views', {
      entity: 'opportunity',
      name: '',
      columns: ['name', 'nope'],
      sort: ['-ghost'],
      filter: { '==': [{ var: 'no_such_field' }, 1] },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: any) => e.pointer)).toEqual(['/name', '/columns/1', '/sort/0', expect.stringMatching(/^\/filter/)]);
    const unknown = await as('jiang.tao')('POST', '/api/v1/me/views', { entity: 'nothing', name: 'x', columns: ['a'] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0].pointer).toBe('/entity');
  });
});

describe('batch changes', () => {
  const stageOf = async (id: string) => (await as('jiang.tao')('GET', `/api/v1/opportunity/${id}`)).body.data.stage;

  it("take each record's transition on its own, refusing what the state machine or the scope refuses", async () => {
    const qualifying = (
      await as('jiang.tao')(
        'GET',
        listUrl('opportunity', { filter: { '==': [{ var: 'stage' }, 'qualification'] }, fields: 'id', limit: 2 }),
      )
    ).body.data.map((r: any) => r.id);
    const negotiating = (
      await as('jiang.tao')('GET', listUrl('opportunity', { filter: { '==': [{ var: 'stage' }, 'negotiation'] }, fields: 'id', limit: 1 }))
    ).body.data.map((r: any) => r.id);
    const theirs = (await as('lv.na')('GET', listUrl('opportunity', { fields: 'id', limit: 1 }))).body.data[0].id;
    expect(qualifying).toHaveLength(2);
    expect(negotiating).toHaveLength(1);
    const res = await as('jiang.tao')('POST', '/api/v1/opportunity/batch', {
      ids: [...qualifying, ...negotiating, theirs],
      action: 'update',
      changes: { stage: 'needs_analysis' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.meta).toEqual({ done: 2, refused: 2 });
    const [a, b, c, d] = res.body.data;
    expect([a.ok, b.ok]).toEqual([true, true]);
    expect(c).toMatchObject({ id: negotiating[0], ok: false, status: 422 });
    expect(c.errors[0]).toMatchObject({ pointer: '/stage', code: 'validation.transition' });
    expect(d).toMatchObject({ id: theirs, ok: false, status: 404, code: 'record.not_found' });
    expect(await stageOf(qualifying[0])).toBe('needs_analysis');
    expect(await stageOf(negotiating[0])).toBe('negotiation');
    expect((await as('lv.na')('GET', `/api/v1/opportunity/${theirs}`)).body.data.stage).not.toBe('needs_analysis');
  });

  it('delete each record the caller may delete, and refuse the others each with its reason', async () => {
    const customerId = (await as('jiang.tao')('GET', listUrl('customer', { fields: 'id', limit: 1 }))).body.data[0].id;
    const made = await as('jiang.tao')('POST', '/api/v1/activity/bulk', {
      data: [
        { kind: 'call', subject: '批量删除一', status: 'planned', customer: customerId },
        { kind: 'call', subject: '批量删除二', status: 'planned', customer: customerId },
      ],
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const ids = made.body.data.map((r: any) => r.id);
    // Reps may not delete activities: each record is refused with the reason, and stays.
    const refused = await as('jiang.tao')('POST', '/api/v1/activity/batch', { ids, action: 'delete' });
    expect(refused.body.meta).toEqual({ done: 0, refused: 2 });
    expect(refused.body.data[0]).toMatchObject({ ok: false, status: 403, code: 'access.denied' });
    for (const id of ids) expect((await as('jiang.tao')('GET', `/api/v1/activity/${id}`)).status).toBe(200);
    // The sales director may.
    const done = await as('qian.jun')('POST', '/api/v1/activity/batch', { ids, action: 'delete' });
    expect(done.body.meta, JSON.stringify(done.body.data)).toEqual({ done: 2, refused: 0 });
    for (const id of ids) expect((await as('jiang.tao')('GET', `/api/v1/activity/${id}`)).status).toBe(404);
  });

  it('refuse a malformed request whole, with pointers', async () => {
    const res = await as('jiang.tao')('POST', '/api/v1/opportunity/batch', { ids: [], action: 'promote' });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: any) => e.pointer)).toEqual(['/ids', '/action']);
    const noChanges = await as('jiang.tao')('POST', '/api/v1/opportunity/batch', { ids: ['x'], action: 'update' });
    expect(noChanges.body.errors.map((e: any) => e.pointer)).toEqual(['/changes']);
  });
});
