// Milestones and billing (#24 part 3) through HTTP on a real engine: a milestone accepted makes its billing line due,
// the billing job (the engine's queue) turns due lines into one issued invoice per customer across contracts, and a
// second run invoices nothing again; invoices follow draft -> issued -> void by their transitions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../../support/problem-checks.js';
import { listUrl } from '../../support/list-url.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';
import { activeContract, count, get, moveTo, patch, post, runBillingJob, type Rec } from './contracts-world.js';

let t: TestEngine;
let customer: Rec;
let a: Rec;
let b: Rec;
let milestone: Rec;
let onMilestone: Rec;
let onDate: Rec;
let onSigning: Rec;

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'metadata/packs/crm', 'metadata/packs/contracts'] });
  customer = await post(t, 'customer', { name: '上海云帆科技有限公司' });
  a = await activeContract(t, customer.id, 'ERP rollout', '1000000.00');
  b = await activeContract(t, customer.id, 'Support 2027', '120000.00');
  milestone = await post(t, 'milestone', { contract: a.id, name: 'Go-live', amount: '200000.00', due_date: '2027-03-01' });
  onMilestone = await post(t, 'billing_line', {
    contract: a.id,
    description: 'Go-live payment',
    trigger: 'milestone',
    milestone: milestone.id,
    basis: 'milestone_percent',
    percent: '100',
  });
  onDate = await post(t, 'billing_line', {
    contract: a.id,
    description: 'Down payment',
    trigger: 'date',
    bill_on: '2027-01-10',
    basis: 'contract_percent',
    percent: '30',
  });
  onSigning = await post(t, 'billing_line', {
    contract: b.id,
    description: 'Annual fee',
    trigger: 'signing',
    basis: 'amount',
    fixed_amount: '120000.00',
  });
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

describe('billing lines', () => {
  it('compute their amount exactly and wait for their trigger', async () => {
    expect((await get(t, 'billing_line', onDate.id)).amount).toBe('300000.00');
    expect((await get(t, 'billing_line', onDate.id)).status).toBe('due');
    const line = await get(t, 'billing_line', onMilestone.id);
    expect(line.amount).toBe('200000.00');
    expect(line.due_on).toBeNull();
    expect(line.status).toBe('waiting');
    // Signed contracts: the signing line is due on the signing date.
    const signed = await get(t, 'contract', b.id);
    expect((await get(t, 'billing_line', onSigning.id)).due_on).toBe(signed.signed_on);
  });

  it('refuse a milestone line without its milestone, with a pointer', async () => {
    const res = await t.request('POST', '/api/v1/billing_line', {
      contract: a.id,
      description: 'x',
      trigger: 'milestone',
      basis: 'amount',
      fixed_amount: '1.00',
    });
    expectProblem(res, 422, 'validation.failed', [{ pointer: '/milestone' }]);
  });

  it('become due when their milestone is accepted', async () => {
    await moveTo(t, 'milestone', milestone.id, 'status', ['delivered']);
    expect((await patch(t, 'milestone', milestone.id, { accepted_on: '2027-03-13' })).status).toBe(200);
    const accepted = await moveTo(t, 'milestone', milestone.id, 'status', ['accepted']);
    expect(accepted.accepted_on).toBe('2027-03-13');
    expect(accepted.days_late).toBe(12);
    const line = await get(t, 'billing_line', onMilestone.id);
    expect(line.due_on).toBe('2027-03-13');
    expect(line.status).toBe('due');
  });
});

describe('the billing job', () => {
  it('invoices due lines once per customer across contracts, and a second run nothing', async () => {
    await runBillingJob(t, '2027-03-20');
    const invoices = await t.request('GET', listUrl('invoice', { filter: { '==': [{ var: 'customer' }, customer.id] } }));
    expect(invoices.status).toBe(200);
    expect(invoices.body.data).toHaveLength(1);
    const invoice = invoices.body.data[0] as Rec;
    expect(invoice.invoice_no).toMatch(/^XS\d{6}\d{6}$/);
    expect(invoice.total).toBe('620000.00');
    expect(invoice.stage).toBe('issued');
    expect(invoice.status).toBe('issued');
    expect(invoice.outstanding).toBe('620000.00');
    expect(invoice.issue_date).toBe('2027-03-20');
    expect(invoice.due_date).toBe('2027-04-19');
    for (const line of [onMilestone, onDate, onSigning]) {
      const now = await get(t, 'billing_line', line.id);
      expect(now.invoice).toBe(invoice.id);
      expect(now.status).toBe('invoiced');
    }
    expect((await get(t, 'contract', a.id)).invoiced).toBe('500000.00');
    expect((await get(t, 'contract', b.id)).invoiced).toBe('120000.00');
    expect((await get(t, 'contract', a.id)).receivable).toBe('500000.00');

    await runBillingJob(t, '2027-03-20');
    await runBillingJob(t, '2027-04-30');
    expect(await count(t, 'SELECT count(*)::int AS n FROM invoice')).toBe(1);
    expect(await count(t, 'SELECT count(*)::int AS n FROM invoice_line')).toBe(3);
  });

  it('leaves lines not yet due, and a draft contract, alone', async () => {
    const draft = await post(t, 'contract', { title: 'Not signed', customer: customer.id });
    await post(t, 'billing_line', {
      contract: draft.id,
      description: 'Early',
      trigger: 'date',
      bill_on: '2027-01-01',
      basis: 'amount',
      fixed_amount: '10.00',
    });
    const later = await post(t, 'billing_line', {
      contract: a.id,
      description: 'Final',
      trigger: 'date',
      bill_on: '2027-12-31',
      basis: 'amount',
      fixed_amount: '100.00',
    });
    await runBillingJob(t, '2027-06-30');
    expect(await count(t, 'SELECT count(*)::int AS n FROM invoice')).toBe(1);
    await runBillingJob(t, '2027-12-31');
    expect(await count(t, 'SELECT count(*)::int AS n FROM invoice')).toBe(2);
    expect((await get(t, 'billing_line', later.id)).status).toBe('invoiced');
  });
});

describe('invoices', () => {
  it('go draft -> issued by transition, and void only while unpaid', async () => {
    const inv = await post(t, 'invoice', { customer: customer.id });
    expect(inv.stage).toBe('draft');
    expect(inv.status).toBe('draft');
    // Nothing to issue yet.
    expectProblem(await patch(t, 'invoice', inv.id, { stage: 'issued' }), 422, 'validation.transition', [{ pointer: '/stage' }]);
    await post(t, 'invoice_line', { invoice: inv.id, contract: a.id, description: 'Extra training', amount: '5000.00' });
    const issued = await moveTo(t, 'invoice', inv.id, 'stage', ['issued']);
    expect(issued.status).toBe('issued');
    expect(issued.issue_date).not.toBeNull();
    expect((await get(t, 'contract', a.id)).invoiced).toBe('505100.00');
    const voided = await moveTo(t, 'invoice', inv.id, 'stage', ['void']);
    expect(voided.status).toBe('void');
    expect(voided.outstanding).toBe('0.00');
    expect((await get(t, 'contract', a.id)).invoiced).toBe('500100.00');
  });

  it('never take a billing line twice', async () => {
    const inv = await post(t, 'invoice', { customer: customer.id });
    const res = await t.request('POST', '/api/v1/invoice_line', {
      invoice: inv.id,
      billing_line: onDate.id,
      description: 'again',
      amount: '1.00',
    });
    expect(res.status).toBe(409);
  });
});
