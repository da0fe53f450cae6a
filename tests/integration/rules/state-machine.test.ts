// State machines on enum fields (#20) through HTTP on the state-machine-demo fixture: a quote's status moves
// draft -> in_approval -> approved/rejected. Every write path (create, bulk create, PATCH, a plugin action) takes
// only allowed transitions, by the caller's roles, while the guard holds; effects land in the same write; and
// /api/meta lists per caller the transitions they may take from each state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

let t: TestEngine;
const tokens: Record<string, string> = {};
const PASSWORD = 'state-machine-password';

type Rec = Record<string, any>;

const QUOTE_GRANT = { actions: ['read', 'create', 'update', 'set_status'], scope: 'all' };

/** A user with one role (roles are data: created through the API like a customer's admin would). */
async function userWithRole(username: string, role: string): Promise<void> {
  const user = await t.request('POST', '/api/v1/app_user', { username, display_name: username });
  expect(user.status, JSON.stringify(user.body)).toBe(201);
  const pw = await t.request('PUT', `/api/admin/users/${user.body.data.id}/password`, { password: PASSWORD });
  expect(pw.status).toBe(204);
  const created = await t.request('POST', '/api/v1/role', {
    code: role,
    name: role,
    members: [user.body.data.id],
    grants: { entities: { quote: QUOTE_GRANT } },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  tokens[username] = await t.login(username, PASSWORD);
}

beforeAll(async () => {
  t = await startTestEngine({
    packs: ['metadata/packs/core', 'tests/fixtures/packs/state-machine-demo'],
    pluginsDir: 'tests/fixtures/plugins',
  });
  await userWithRole('seller', 'sales');
  await userWithRole('boss', 'approver');
});

afterAll(async () => {
  await t?.stop();
});

const as = (user: string) => ({ authorization: `Bearer ${tokens[user]}` });

async function create(user: string, body: Rec): Promise<Rec> {
  const res = await t.request('POST', '/api/v1/quote', body, as(user));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

async function get(id: string): Promise<Rec> {
  const res = await t.request('GET', `/api/v1/quote/${id}`);
  expect(res.status).toBe(200);
  return res.body.data;
}

async function patch(user: string, rec: Rec, body: Rec) {
  const current = await get(rec.id);
  return t.request('PATCH', `/api/v1/quote/${rec.id}`, body, { ...as(user), 'if-match': `"${current.version}"` });
}

const today = () => new Date().toISOString().slice(0, 10);

describe('transitions through PATCH', () => {
  it('takes an allowed transition and applies its effects in the same write', async () => {
    const quote = await create('seller', { title: 'Fleet', amount: '1200.00' });
    expect(quote).toMatchObject({ status: 'draft', submitted_on: null, approved: false });
    const res = await patch('seller', quote, { status: 'in_approval' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toMatchObject({ status: 'in_approval', submitted_on: today(), approval_note: 'waiting for approval' });

    const approved = await patch('boss', quote, { status: 'approved' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.data).toMatchObject({ status: 'approved', approved: true });

    // The audit keeps before and after of the state and of the effects.
    const history = await t.request('GET', `/api/v1/quote/${quote.id}/history`);
    expect(history.status).toBe(200);
    expect(JSON.stringify(history.body)).toContain('in_approval');
  });

  it('refuses a change that is no transition, saying what is allowed from that state', async () => {
    const quote = await create('seller', { title: 'Skip', amount: '10.00' });
    const res = await patch('boss', quote, { status: 'approved' });
    expect(res.status).toBe(422);
    expect(res.body.type).toMatch(/validation\.transition$/);
    expect(res.body.errors).toEqual([expect.objectContaining({ pointer: '/status', code: 'validation.transition' })]);
    expect(res.body).toMatchObject({ field: 'status', from: 'draft', to: 'approved' });
    expect(res.body.detail).toContain("from 'draft'");
    expect((await get(quote.id)).status).toBe('draft');
  });

  it('refuses a transition the caller’s roles may not take with 403', async () => {
    const quote = await create('seller', { title: 'Roles', amount: '10.00' });
    expect((await patch('seller', quote, { status: 'in_approval' })).status).toBe(200);
    const res = await patch('seller', quote, { status: 'approved' });
    expect(res.status).toBe(403);
    expect(res.body.type).toMatch(/access\.transition_denied$/);
    expect(res.body).toMatchObject({ from: 'in_approval', to: 'approved', transition: 'approve' });
    // A transition without roles is open to anyone who may update.
    const back = await patch('seller', quote, { status: 'draft' });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
  });

  it('refuses a transition whose guard does not hold on the stored record', async () => {
    const quote = await create('seller', { title: 'Empty', amount: '0.00' });
    const res = await patch('seller', quote, { status: 'in_approval' });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ pointer: '/status', code: 'validation.transition_guard' })]);
    // The guard reads the record as stored: the amount in the same patch does not count.
    const same = await patch('seller', quote, { status: 'in_approval', amount: '5.00' });
    expect(same.status).toBe(422);
    expect((await patch('seller', quote, { amount: '5.00' })).status).toBe(200);
    expect((await patch('seller', quote, { status: 'in_approval' })).status).toBe(200);
  });

  it('leaves other fields free, and a patch repeating the state is no transition', async () => {
    const quote = await create('seller', { title: 'Free', amount: '1.00' });
    const res = await patch('seller', quote, { title: 'Renamed', status: 'draft' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });
});

describe('initial states on create and bulk create', () => {
  it('refuses a create that starts past the initial state', async () => {
    const res = await t.request('POST', '/api/v1/quote', { title: 'Late', amount: '1.00', status: 'approved' }, as('seller'));
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ pointer: '/status', code: 'validation.transition' })]);
  });

  it('refuses a bulk create in which one record starts past the initial state, and writes none', async () => {
    const res = await t.request(
      'POST',
      '/api/v1/quote/bulk',
      {
        data: [
          { title: 'B1', amount: '1.00' },
          { title: 'B2', amount: '1.00', status: 'in_approval' },
        ],
      },
      as('seller'),
    );
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ pointer: '/data/1/status', code: 'validation.transition' })]);
    const filter = encodeURIComponent(JSON.stringify({ in: [{ var: 'title' }, ['B1', 'B2']] }));
    const written = await t.request('GET', `/api/v1/quote?filter=${filter}`);
    expect(written.status).toBe(200);
    expect(written.body.data).toEqual([]);
  });
});

describe('transitions through a plugin action', () => {
  const run = (user: string, id: string, status: string) =>
    t.request('POST', `/api/v1/quote/${id}/actions/set_status`, { status }, as(user));

  it('takes an allowed transition with its effects', async () => {
    const quote = await create('seller', { title: 'Action', amount: '3.00' });
    const res = await run('seller', quote.id, 'in_approval');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await get(quote.id)).toMatchObject({ status: 'in_approval', submitted_on: today(), approval_note: 'waiting for approval' });
  });

  it('refuses a forbidden transition, by state, by role and by guard, and rolls the action back', async () => {
    const quote = await create('seller', { title: 'Action refused', amount: '0.00' });
    const skip = await run('boss', quote.id, 'approved');
    expect(skip.status).toBe(422);
    expect(skip.body.type).toMatch(/validation\.transition$/);
    const guard = await run('seller', quote.id, 'in_approval');
    expect(guard.status).toBe(422);
    expect(guard.body.errors).toEqual([expect.objectContaining({ code: 'validation.transition_guard' })]);
    expect((await patch('seller', quote, { amount: '2.00' })).status).toBe(200);
    expect((await run('seller', quote.id, 'in_approval')).status).toBe(200);
    const role = await run('seller', quote.id, 'rejected');
    expect(role.status).toBe(403);
    expect((await get(quote.id)).status).toBe('in_approval');
  });
});

describe('/api/meta', () => {
  const statusMeta = async (user: string) => {
    const res = await t.request('GET', '/api/meta', undefined, as(user));
    expect(res.status).toBe(200);
    const quote = res.body.entities.find((e: Rec) => e.name === 'quote');
    return quote.fields.find((f: Rec) => f.name === 'status').transitions;
  };

  it('lists the machine, and per state the transitions each caller may take', async () => {
    const seller = await statusMeta('seller');
    const boss = await statusMeta('boss');
    expect(seller.initial).toEqual(['draft']);
    expect(seller.allowed.map((a: Rec) => a.name)).toEqual(['submit', 'approve', 'reject', 'withdraw']);
    expect(seller.allowed[0]).toMatchObject({ label: 'Submit', when: { '>': [{ var: 'amount' }, 0] }, roles: ['sales'] });
    expect(seller.byState).toEqual({ draft: ['submit'], in_approval: ['withdraw'], approved: [], rejected: ['submit'] });
    expect(boss.byState).toEqual({ draft: [], in_approval: ['approve', 'reject', 'withdraw'], approved: [], rejected: [] });
  });
});
