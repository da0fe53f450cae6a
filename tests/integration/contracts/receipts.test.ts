// Receipts (#24 part 4) through HTTP on a real engine: one receipt settles invoices of two contracts through
// allocations, two partial receipts pay an invoice off, an allocation never exceeds what the invoice owes or what the
// receipt holds — also when several are fired at once — and invoices, contracts and receipts follow the allocations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../../support/problem-checks.js';
import { listUrl } from '../../support/list-url.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';
import { activeContract, get, post, runBillingJob, type Rec } from './contracts-world.js';

let t: TestEngine;
let customer: Rec;
let other: Rec;
let a: Rec;
let b: Rec;
let invA: Rec;
let invB: Rec;

async function invoiceOf(contract: Rec): Promise<Rec> {
  const res = await t.request(
    'GET',
    listUrl('invoice_line', { filter: { '==': [{ var: 'contract' }, contract.id] }, sort: ['-created_at'] }),
  );
  return get(t, 'invoice', res.body.data[0].invoice as string);
}

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'metadata/packs/crm', 'metadata/packs/contracts'] });
  customer = await post(t, 'customer', { name: '杭州明远制造股份有限公司' });
  other = await post(t, 'customer', { name: '成都蜀光电子有限公司' });
  a = await activeContract(t, customer.id, 'Plant MES', '400000.00');
  b = await activeContract(t, customer.id, 'Warehouse WMS', '200000.00');
  await post(t, 'billing_line', {
    contract: a.id,
    description: 'Stage 1',
    trigger: 'date',
    bill_on: '2026-01-05',
    basis: 'amount',
    fixed_amount: '100000.00',
  });
  await runBillingJob(t, '2026-01-05');
  await post(t, 'billing_line', {
    contract: b.id,
    description: 'Stage 1',
    trigger: 'date',
    bill_on: '2026-02-05',
    basis: 'contract_percent',
    percent: '25',
  });
  await runBillingJob(t, '2026-02-05');
  invA = await invoiceOf(a);
  invB = await invoiceOf(b);
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

describe('receipts', () => {
  it('settle invoices of two contracts from one receipt, and a second receipt pays the rest', async () => {
    expect(invA.id).not.toBe(invB.id);
    expect(invB.total).toBe('50000.00');
    const first = await post(t, 'receipt', {
      customer: customer.id,
      received_on: '2026-02-20',
      amount: '120000.00',
      reference: 'BANK-001',
    });
    await post(t, 'receipt_allocation', { receipt: first.id, invoice: invA.id, amount: '100000.00' });
    const part = await post(t, 'receipt_allocation', { receipt: first.id, invoice: invB.id, amount: '20000.00' });
    // The invoice's only contract is filled in.
    expect(part.contract).toBe(b.id);
    expect((await get(t, 'invoice', invA.id)).status).toBe('paid');
    const halfB = await get(t, 'invoice', invB.id);
    expect(halfB.status).toBe('partially_paid');
    expect(halfB.paid_amount).toBe('20000.00');
    expect(halfB.outstanding).toBe('30000.00');
    expect((await get(t, 'receipt', first.id)).unallocated).toBe('0.00');

    const second = await post(t, 'receipt', { customer: customer.id, received_on: '2026-03-01', amount: '30000.00' });
    await post(t, 'receipt_allocation', { receipt: second.id, invoice: invB.id, amount: '30000.00' });
    const paidB = await get(t, 'invoice', invB.id);
    expect(paidB.status).toBe('paid');
    expect(paidB.outstanding).toBe('0.00');
    const ca = await get(t, 'contract', a.id);
    expect([ca.invoiced, ca.received, ca.receivable]).toEqual(['100000.00', '100000.00', '0.00']);
    const cb = await get(t, 'contract', b.id);
    expect([cb.invoiced, cb.received, cb.receivable]).toEqual(['50000.00', '50000.00', '0.00']);
  });

  it('never take more than the invoice owes or the receipt holds, nor another customer’s invoice', async () => {
    const r = await post(t, 'receipt', { customer: customer.id, received_on: '2026-03-02', amount: '10.00' });
    expectProblem(
      await t.request('POST', '/api/v1/receipt_allocation', { receipt: r.id, invoice: invA.id, amount: '0.01' }),
      422,
      'billing.over_invoice',
      [{ pointer: '/amount' }],
    );
    await post(t, 'billing_line', {
      contract: a.id,
      description: 'Stage 2',
      trigger: 'date',
      bill_on: '2026-03-02',
      basis: 'amount',
      fixed_amount: '500.00',
    });
    await runBillingJob(t, '2026-03-02');
    const invC = await invoiceOf(a);
    expectProblem(
      await t.request('POST', '/api/v1/receipt_allocation', { receipt: r.id, invoice: invC.id, amount: '10.01' }),
      422,
      'billing.over_receipt',
      [{ pointer: '/amount' }],
    );
    const foreign = await post(t, 'receipt', { customer: other.id, received_on: '2026-03-02', amount: '500.00' });
    expectProblem(
      await t.request('POST', '/api/v1/receipt_allocation', { receipt: foreign.id, invoice: invC.id, amount: '1.00' }),
      422,
      'billing.other_customer',
      [{ pointer: '/invoice' }],
    );
    // Malformed input is a 4xx with its pointer, never a 500.
    const bad = await t.request('POST', '/api/v1/receipt_allocation', { receipt: r.id, invoice: invC.id, amount: 'lots' });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toContain('/amount');
  });

  it('never overpay an invoice under concurrent receipts', async () => {
    await post(t, 'billing_line', {
      contract: b.id,
      description: 'Stage 2',
      trigger: 'date',
      bill_on: '2026-04-01',
      basis: 'amount',
      fixed_amount: '10000.00',
    });
    await runBillingJob(t, '2026-04-01');
    const inv = await invoiceOf(b);
    expect(inv.outstanding).toBe('10000.00');
    const receipts = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        post(t, 'receipt', { customer: customer.id, received_on: '2026-04-10', amount: '10000.00', reference: `RACE-${i}` }),
      ),
    );
    const fired = await Promise.all(
      receipts.map((r) => t.request('POST', '/api/v1/receipt_allocation', { receipt: r.id, invoice: inv.id, amount: '6000.00' })),
    );
    const statuses = fired.map((f) => f.status).sort();
    expect(statuses).toEqual([201, 422, 422, 422, 422, 422]);
    for (const f of fired.filter((x) => x.status === 422)) expect(f.body.code ?? f.body.type).toMatch(/over_invoice/);
    const after = await get(t, 'invoice', inv.id);
    expect(after.paid_amount).toBe('6000.00');
    expect(after.outstanding).toBe('4000.00');
    expect(after.status).toBe('partially_paid');
    // The rest, fired at once from every receipt: exactly what is owed is taken.
    const rest = await Promise.all(
      receipts.map((r) => t.request('POST', '/api/v1/receipt_allocation', { receipt: r.id, invoice: inv.id, amount: '4000.00' })),
    );
    expect(rest.filter((f) => f.status === 201)).toHaveLength(1);
    const paid = await get(t, 'invoice', inv.id);
    expect([paid.paid_amount, paid.outstanding, paid.status]).toEqual(['10000.00', '0.00', 'paid']);
  });

  it('keep a receipt within its amount and an invoice within its total when they are edited afterwards', async () => {
    const r = await post(t, 'receipt', { customer: customer.id, received_on: '2026-04-20', amount: '300.00' });
    await post(t, 'billing_line', {
      contract: a.id,
      description: 'Stage 4',
      trigger: 'date',
      bill_on: '2026-04-20',
      basis: 'amount',
      fixed_amount: '300.00',
    });
    await runBillingJob(t, '2026-04-20');
    const inv = await invoiceOf(a);
    await post(t, 'receipt_allocation', { receipt: r.id, invoice: inv.id, amount: '300.00' });
    const now = await get(t, 'receipt', r.id);
    const shrunk = await t.request('PATCH', `/api/v1/receipt/${r.id}`, { amount: '200.00' }, { 'if-match': `"${now.version}"` });
    expectProblem(shrunk, 422, 'validation.failed', [{ pointer: '/amount' }]);
    // A credit line after payment would leave the invoice paid beyond its total.
    const credit = await t.request('POST', '/api/v1/invoice_line', {
      invoice: inv.id,
      contract: a.id,
      kind: 'credit',
      description: 'Goodwill',
      amount: '-50.00',
    });
    expect(credit.status).toBe(422);
    expect((await get(t, 'invoice', inv.id)).total).toBe('300.00');
  });

  it('show overdue amounts per invoice', async () => {
    await post(t, 'billing_line', {
      contract: a.id,
      description: 'Stage 3',
      trigger: 'date',
      bill_on: '2026-05-01',
      basis: 'amount',
      fixed_amount: '700.00',
    });
    await runBillingJob(t, '2026-05-01');
    const inv = await invoiceOf(a);
    // Issued 2026-05-01, due 30 days later: past by the time this runs (the suite's clock is after 2026-06).
    expect(inv.due_date).toBe('2026-05-31');
    expect(inv.overdue_amount).toBe(new Date().toISOString().slice(0, 10) > '2026-05-31' ? '700.00' : '0.00');
  });
});
