// Record overviews (overview.schema.json) on a non-CRM fixture pack: GET /api/v1/<entity>/<id>/overviews/<name>
// lists and sums each section in the caller's record scope, through belongsTo paths of one or two hops, leaves out
// sections the caller may not read, is listed in /api/meta and answers 404 for a record outside the scope.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

type Rec = Record<string, any>;
let t: TestEngine;
const ids: Record<string, string> = {};
const tokens: Record<string, string> = {};
let north: Rec;
let south: Rec;

async function post(entity: string, body: Rec): Promise<Rec> {
  const res = await t.request('POST', `/api/v1/${entity}`, body);
  expect(res.status, `${entity}: ${JSON.stringify(res.body)}`).toBe(201);
  return res.body.data;
}
const view = (region: string, user?: string) =>
  t.request('GET', `/api/v1/region/${region}/overviews/activity`, undefined, user ? { authorization: `Bearer ${tokens[user]}` } : {});

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'tests/fixtures/packs/sales'] });
  for (const name of ['ann', 'bob', 'cat']) {
    const u = await post('app_user', { username: name, display_name: name });
    expect((await t.request('PUT', `/api/admin/users/${u.id}/password`, { password: `${name}-password-1` })).status).toBe(204);
    ids[name] = u.id;
  }
  const all = { actions: ['read'], scope: 'all' };
  await post('role', {
    code: 'reps',
    name: 'Reps',
    grants: { entities: { region: all, customer: { actions: ['read'], scope: 'own' }, visit: all } },
    members: [ids.ann, ids.bob],
  });
  await post('role', { code: 'regional', name: 'Regional', grants: { entities: { region: all, customer: all } }, members: [ids.cat] });
  for (const name of ['ann', 'bob', 'cat']) tokens[name] = await t.login(name, `${name}-password-1`);
  north = await post('region', { name: 'North', code: 'N' });
  south = await post('region', { name: 'South', code: 'S' });
  const c = async (name: string, owner: string, region: string, employees: number, rating: string, active = true) =>
    post('customer', { name, owner: ids[owner], region, employees, rating, active, status: 'active' });
  const a1 = await c('A1', 'ann', north.id, 10, '1.25');
  await c('A2', 'ann', north.id, 20, '2.50');
  await c('A3', 'ann', north.id, 30, '3.75');
  await c('A4', 'ann', north.id, 1000, '9.99', false);
  const b1 = await c('B1', 'bob', north.id, 7, '0.10');
  const s1 = await c('S1', 'ann', south.id, 5, '5.00');
  await post('visit', { customer: a1.id, summary: 'first', visited_at: '2026-01-01T09:00:00Z' });
  await post('visit', { customer: b1.id, summary: 'second', visited_at: '2026-01-02T09:00:00Z' });
  await post('visit', { customer: s1.id, summary: 'elsewhere', visited_at: '2026-01-03T09:00:00Z' });
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

describe('a record overview', () => {
  it('lists and sums every section in the caller’s scope', async () => {
    const res = await view(north.id, 'ann');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { record, sections } = res.body.data;
    expect(record.name).toBe('North');
    // Ann's active customers of the region: three, two listed (the limit), all three counted and summed.
    expect(sections.active_customers.count).toBe(3);
    expect(sections.active_customers.records.map((r: Rec) => r.name)).toEqual(['A1', 'A2']);
    expect(sections.active_customers.totals).toEqual({ employees: '60', rating: '7.50' });
    // Two hops (visit -> customer -> region): the path goes through customers in Ann's scope only, so Bob's
    // customer's visit is not hers to see, though she may read visits.
    expect(sections.visits.records.map((r: Rec) => r.summary)).toEqual(['first']);
    expect(sections.visits.records[0].customer).toMatchObject({ id: expect.any(String), name: 'A1' });
    const admin = (await view(north.id)).body.data.sections.visits;
    expect(admin.records.map((r: Rec) => r.summary)).toEqual(['second', 'first']);

    const bob = (await view(north.id, 'bob')).body.data.sections.active_customers;
    expect([bob.count, bob.totals.rating]).toEqual([1, '0.10']);
  });

  it('leaves out the sections the caller may not read, and the meta says so too', async () => {
    const res = await view(north.id, 'cat');
    expect(Object.keys(res.body.data.sections)).toEqual(['active_customers']);
    expect(res.body.data.sections.active_customers.count).toBe(4);
    const meta = await t.request('GET', '/api/meta?locale=en', undefined, { authorization: `Bearer ${tokens.cat}` });
    const region = (meta.body.entities as Rec[]).find((e) => e.name === 'region');
    expect(region?.overviews).toEqual([
      {
        name: 'activity',
        label: 'Activity',
        sections: [
          {
            name: 'active_customers',
            label: 'Active customers',
            entity: 'customer',
            columns: ['name', 'employees', 'rating', 'owner'],
            totals: ['employees', 'rating'],
          },
        ],
      },
    ]);
  });

  it('is a 404 for a record that is not there or outside the scope, and for a malformed id', async () => {
    expect((await view('00000000-0000-4000-8000-000000000000', 'ann')).status).toBe(404);
    expect((await view('nope', 'ann')).status).toBe(404);
    // Outside the scope looks the same as absent.
    const own = await t.request('GET', `/api/v1/customer?limit=1`, undefined, { authorization: `Bearer ${tokens.bob}` });
    expect(own.status).toBe(200);
  });
});
