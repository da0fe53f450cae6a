// The customer's transaction view (#24 part 9) through HTTP on a real engine: the contracts pack's record overview of
// a customer — contracts, orders, invoices, receipts, upcoming milestones and receivables in one read — matches the
// records it is made of, and every part is in the caller's scope: a rep of another org unit gets a 404, a rep of
// the same customer sees only what their grants reach.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { listUrl } from '../../support/list-url.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';
import { activeContract, moveTo, post, runBillingJob, type Rec } from './contracts-world.js';

let t: TestEngine;
const ids: Record<string, string> = {};
const tokens: Record<string, string> = {};
let customer: Rec;
let c1: Rec;
let c2: Rec;

const as = (user: string) => ({ authorization: `Bearer ${tokens[user]}` });
const overview = (id: string, user?: string) =>
  t.request('GET', `/api/v1/customer/${id}/overviews/transactions`, undefined, user ? as(user) : {});
const sum = (rows: Rec[], field: string) => rows.reduce((s, r) => s.plus(r[field] ?? 0), new Decimal(0)).toFixed(2);

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'metadata/packs/crm', 'metadata/packs/contracts'] });
  const units = await t.request('GET', listUrl('org_unit', { filter: { '==': [{ var: 'code' }, 'HQ'] } }));
  const hq = units.body.data[0] as Rec;
  const east = await post(t, 'org_unit', { name: '华东分公司', code: 'EAST', unit_type: 'branch', parent: hq.id });
  const south = await post(t, 'org_unit', { name: '华南分公司', code: 'SOUTH', unit_type: 'branch', parent: hq.id });
  for (const [username, unit] of [
    ['rep_east', east.id],
    ['rep_south', south.id],
  ] as const) {
    const u = await post(t, 'app_user', { username, display_name: username, org_unit: unit, locale: 'zh-CN' });
    expect((await t.request('PUT', `/api/admin/users/${u.id}/password`, { password: `${username}-password` })).status).toBe(204);
    ids[username] = u.id;
  }
  const own = { actions: ['read', 'create', 'update'], scope: 'own' };
  // Records without an owner of their own are reached through their contract's.
  const byContract = { actions: ['read'], scope: 'own', sharing: [{ '==': [{ var: 'contract.owner' }, { var: '$user.id' }] }] };
  await post(t, 'role', {
    code: 'sales_rep',
    name: '销售代表',
    grants: { entities: { customer: own, contract: own, sales_order: own, invoice: own, receipt: own, milestone: byContract } },
    members: [ids.rep_east, ids.rep_south],
  });
  for (const name of ['rep_east', 'rep_south']) tokens[name] = await t.login(name, `${name}-password`);

  customer = await post(t, 'customer', { name: '苏州恒信精密机械有限公司', owner: ids.rep_east });
  const elsewhere = await post(t, 'customer', { name: '广州南粤贸易有限公司', owner: ids.rep_south });
  c1 = await activeContract(t, customer.id, 'Line automation', '800000.00');
  c2 = await activeContract(t, customer.id, 'Spare parts 2027', '90000.00');
  for (const c of [c1, c2])
    expect((await t.request('PATCH', `/api/v1/contract/${c.id}`, { owner: ids.rep_east }, { 'if-match': `"${c.version}"` })).status).toBe(
      200,
    );
  const foreign = await activeContract(t, elsewhere.id, 'Not this customer', '5000.00');
  await post(t, 'sales_order', { customer: customer.id, owner: ids.rep_east, order_date: '2027-01-15' });
  await post(t, 'sales_order', { customer: elsewhere.id, owner: ids.rep_south, order_date: '2027-01-16' });
  await post(t, 'billing_line', {
    contract: c1.id,
    description: 'Advance',
    trigger: 'date',
    bill_on: '2027-02-01',
    basis: 'contract_percent',
    percent: '30',
  });
  await post(t, 'billing_line', {
    contract: c2.id,
    description: 'Parts',
    trigger: 'date',
    bill_on: '2027-02-01',
    basis: 'amount',
    fixed_amount: '90000.00',
  });
  await post(t, 'billing_line', {
    contract: foreign.id,
    description: 'Other',
    trigger: 'date',
    bill_on: '2027-02-01',
    basis: 'amount',
    fixed_amount: '5000.00',
  });
  await runBillingJob(t, '2027-02-01');
  const invoices = await t.request('GET', listUrl('invoice', { filter: { '==': [{ var: 'customer' }, customer.id] } }));
  const invoice = invoices.body.data[0] as Rec;
  const receipt = await post(t, 'receipt', { customer: customer.id, owner: ids.rep_east, received_on: '2027-02-10', amount: '100000.00' });
  await post(t, 'receipt_allocation', { receipt: receipt.id, invoice: invoice.id, contract: c1.id, amount: '100000.00' });
  await post(t, 'milestone', { contract: c1.id, name: 'Design review', amount: '0.00', due_date: '2027-03-01' });
  await post(t, 'milestone', { contract: c1.id, name: 'Go-live', amount: '400000.00', due_date: '2027-06-30' });
  const done = await post(t, 'milestone', { contract: c1.id, name: 'Kick-off', amount: '0.00', due_date: '2027-01-20' });
  await moveTo(t, 'milestone', done.id, 'status', ['delivered', 'accepted']);
  await post(t, 'milestone', { contract: foreign.id, name: 'Elsewhere', amount: '1.00', due_date: '2027-03-01' });
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

describe('the customer transaction view', () => {
  it('shows every part, consistent with the records', async () => {
    const res = await overview(customer.id, 'rep_east');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { record, sections } = res.body.data as { record: Rec; sections: Record<string, Rec> };
    expect(record.id).toBe(customer.id);
    expect(Object.keys(sections)).toEqual(['contracts', 'orders', 'invoices', 'receipts', 'upcoming_milestones', 'receivables']);

    const contracts = await t.request('GET', listUrl('contract', { filter: { '==': [{ var: 'customer' }, customer.id] } }));
    expect(sections.contracts!.count).toBe(2);
    expect(sections.contracts!.records.map((r: Rec) => r.id).sort()).toEqual(contracts.body.data.map((r: Rec) => r.id).sort());
    expect(sections.contracts!.totals).toEqual({
      contract_value: sum(contracts.body.data, 'contract_value'),
      invoiced: '330000.00',
      received: '100000.00',
      receivable: '230000.00',
    });
    expect(sections.orders!.count).toBe(1);
    expect(sections.invoices!.count).toBe(1);
    expect(sections.invoices!.totals).toEqual({ total: '330000.00', paid_amount: '100000.00' });
    expect(sections.receipts!.totals).toEqual({ amount: '100000.00' });
    expect(sections.upcoming_milestones!.records.map((m: Rec) => m.name)).toEqual(['Design review', 'Go-live']);
    // Related records come with their titles.
    expect(sections.upcoming_milestones!.records[0].contract).toMatchObject({ id: c1.id });
    expect(sections.receivables!.count).toBe(1);
    expect(sections.receivables!.totals.outstanding).toBe('230000.00');
    expect(sections.receivables!.totals.outstanding).toBe(sections.contracts!.totals.receivable);
  });

  it('is in the caller’s scope: a rep of another org unit sees nothing of it', async () => {
    const res = await overview(customer.id, 'rep_south');
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.body)).not.toContain('Line automation');
    // Their own customer's view holds only their records.
    const mine = await t.request('GET', listUrl('customer', {}), undefined, as('rep_south'));
    const theirs = mine.body.data[0] as Rec;
    const view = await overview(theirs.id, 'rep_south');
    expect(view.status).toBe(200);
    expect(view.body.data.sections.contracts.count).toBe(0); // the contract is the administrator's, not theirs
    expect(view.body.data.sections.orders.count).toBe(1);
  });

  it('leaves out the parts the caller may not read at all', async () => {
    const u = await post(t, 'app_user', { username: 'collector', display_name: 'collector', locale: 'zh-CN' });
    expect((await t.request('PUT', `/api/admin/users/${u.id}/password`, { password: 'collector-password' })).status).toBe(204);
    const all = { actions: ['read'], scope: 'all' };
    await post(t, 'role', { code: 'collections', name: '催收', grants: { entities: { customer: all, invoice: all } }, members: [u.id] });
    tokens.collector = await t.login('collector', 'collector-password');
    const res = await overview(customer.id, 'collector');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.data.sections)).toEqual(['invoices', 'receivables']);
    const admin = await overview(customer.id);
    expect(res.body.data.sections.receivables.totals).toEqual(admin.body.data.sections.receivables.totals);
  });

  it('answers a malformed id with a 4xx, never a 500', async () => {
    const res = await overview('not-an-id', 'rep_east');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});
