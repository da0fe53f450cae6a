// The contracts pack's whole story through HTTP in one walk (#24, "Tests that must exist"): a won opportunity
// becomes a quote, approved and accepted; the quote a contract, approved (version 1) and signed; a change request,
// approved, makes version 2 with version 1 intact and the difference shown by compare_versions; the go-live
// milestone is accepted 12 days late; the billing job invoices the billing lines; two partial receipts pay them,
// one settling invoices of two contracts; the SLA periods are settled, the delay's penalty goes on an invoice as a
// penalty line, and the contract's profit is exactly 253,000.00.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentHash } from '../../../plugins/contracts/contract-content.js';
import { startContractsWorld, type ContractsWorld } from '../../support/contracts-world.js';
import { ISSUE_DEFECT_TERMS, ISSUE_DELAY_TERMS, runBillingJob, type Rec } from './contracts-world.js';

let w: ContractsWorld;
let customer: Rec;

beforeAll(async () => {
  w = await startContractsWorld();
  customer = await w.post('customer', { name: '杭州云栖智慧园区有限公司', owner: w.ids.rep }, 'rep');
}, 60_000);

afterAll(async () => {
  await w?.t.stop();
});

const byContract = (id: string) => ({ '==': [{ var: 'contract' }, id] });

/** A small contract of the same customer, signed, with one amount due on 1 May: the other contract a receipt pays. */
async function supportContract(): Promise<Rec> {
  const c = await w.post(
    'contract',
    { title: '园区网络维保', customer: customer.id, owner: w.ids.rep, start_date: '2027-01-01', end_date: '2027-12-31' },
    'rep',
  );
  await w.post('contract_line', { contract: c.id, description: '网络维保', quantity: '1', unit_price: '50000.00' }, 'rep');
  await w.patch('contract', c.id, { status: 'in_approval' }, 'rep');
  await w.approve('contract', c.id, 'status', 'approved');
  for (const status of ['signing', 'signed']) expect((await w.patch('contract', c.id, { status }, 'rep')).status).toBe(200);
  await w.post(
    'billing_line',
    { contract: c.id, description: '维保费', trigger: 'date', bill_on: '2027-05-01', basis: 'amount', fixed_amount: '50000.00' },
    'rep',
  );
  return c;
}

describe('the whole contracts story', () => {
  it('goes from a won opportunity to a profit of exactly 253,000.00', async () => {
    // Opportunity won -> quote, approved through its flow (800,000.00 + 13 % VAT is over the amount threshold).
    const opp = await w.post(
      'opportunity',
      { name: '智慧园区平台', customer: customer.id, owner: w.ids.rep, amount: { amount: '400000.00', currency: 'CNY' } },
      'rep',
    );
    expect((await w.patch('opportunity', opp.id, { stage: 'proposal' }, 'rep')).status).toBe(200);
    expect((await w.patch('opportunity', opp.id, { stage: 'won' }, 'rep')).status).toBe(200);
    const quoted = await w.action('opportunity', opp.id, 'create_quote', {}, 'rep');
    expect(quoted.status, JSON.stringify(quoted.body)).toBe(200);
    const quoteId = quoted.body.data.quote as string;
    const [quoteLine] = await w.list('quote_line', { '==': [{ var: 'quote' }, quoteId] });
    expect((await w.patch('quote_line', quoteLine!.id, { tax_rate: '13' }, 'rep')).status).toBe(200);
    // The rep adds the platform's hardware to the deal's services before it goes out.
    await w.post(
      'quote_line',
      { quote: quoteId, description: '园区服务器集群', quantity: '4', unit_price: '100000.00', tax_rate: '13' },
      'rep',
    );
    expect(await w.get('quote', quoteId)).toMatchObject({
      customer: customer.id,
      opportunity: opp.id,
      subtotal: '800000.00',
      total: '904000.00',
    });
    await w.patch('quote', quoteId, { status: 'in_approval' }, 'rep');
    expect(await w.approve('quote', quoteId, 'status', 'approved')).toMatchObject({ status: 'approved' });
    expect((await w.patch('quote', quoteId, { status: 'sent', sent_via: 'email' }, 'rep')).status).toBe(200);
    expect((await w.patch('quote', quoteId, { status: 'accepted' }, 'rep')).status).toBe(200);

    // The contract generated from it: customer and lines filled in, nothing typed twice; approved (version 1), signed.
    const made = await w.action('quote', quoteId, 'create_contract', { start_date: '2027-01-01', end_date: '2027-12-31' }, 'rep');
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    const contractId = made.body.data.contract as string;
    expect(await w.get('contract', contractId)).toMatchObject({
      customer: customer.id,
      opportunity: opp.id,
      status: 'draft',
      contract_value: '800000.00',
    });
    await w.patch('contract', contractId, { status: 'in_approval' }, 'rep');
    await w.approve('contract', contractId, 'status', 'approved');
    for (const status of ['signing', 'signed']) expect((await w.patch('contract', contractId, { status }, 'rep')).status).toBe(200);
    const [v1Before] = await w.list('contract_version', byContract(contractId));
    expect(v1Before).toMatchObject({ version_no: 1, sha256: contentHash(v1Before!.content) });

    // A change request adds the go-live work (200,000.00) and, approved, makes version 2; version 1 stays as it was.
    const lines = await w.list('contract_line', byContract(contractId));
    const change = await w.post(
      'change_request',
      {
        contract: contractId,
        reason: '增加上线实施服务',
        changes: { end_date: '2028-03-31' },
        lines: [...lines.map((l) => ({ id: l.id })), { description: '上线实施服务', quantity: '1', unit_price: '200000.00' }],
      },
      'rep',
    );
    await w.patch('change_request', change.id, { status: 'in_approval' }, 'rep');
    expect(await w.approve('change_request', change.id, 'status', 'approved')).toMatchObject({ applied_version: 2 });
    expect(await w.get('contract', contractId)).toMatchObject({ status: 'signed', current_version: 2, contract_value: '1000000.00' });
    const [v1, v2] = await w.list('contract_version', byContract(contractId));
    expect(v1).toEqual(v1Before);
    expect(v2).toMatchObject({ version_no: 2, change_request: change.id, sha256: contentHash(v2!.content) });
    const diff = await w.action('contract', contractId, 'compare_versions', { from: 1, to: 2 }, 'rep');
    expect(diff.body.data.fields).toEqual([{ field: 'end_date', from: '2027-12-31', to: '2028-03-31' }]);
    expect(diff.body.data.lines.added).toEqual([expect.objectContaining({ description: '上线实施服务', line_total: '200000.00' })]);
    expect(diff.body.data.lines.removed).toEqual([]);
    expect((await w.patch('contract', contractId, { status: 'active' }, 'rep')).status).toBe(200);

    // Billing: 800,000.00 due on 1 May, and the go-live milestone's 200,000.00 once accepted.
    await w.post(
      'billing_line',
      { contract: contractId, description: '平台款', trigger: 'date', bill_on: '2027-05-01', basis: 'amount', fixed_amount: '800000.00' },
      'rep',
    );
    const goLive = await w.post('milestone', { contract: contractId, name: 'Go-live', amount: '200000.00', due_date: '2027-06-18' }, 'rep');
    await w.post(
      'billing_line',
      {
        contract: contractId,
        description: '上线验收款',
        trigger: 'milestone',
        milestone: goLive.id,
        basis: 'milestone_percent',
        percent: '100',
      },
      'rep',
    );
    const other = await supportContract();
    await runBillingJob(w.t, '2027-05-01');
    // One invoice for the customer across both contracts.
    const [first, ...none] = await w.list('invoice', { '==': [{ var: 'customer' }, customer.id] });
    expect(none).toEqual([]);
    expect(first).toMatchObject({ stage: 'issued', total: '850000.00', outstanding: '850000.00' });

    // The milestone accepted 12 days late; the next run invoices its billing line, once.
    expect((await w.patch('milestone', goLive.id, { delivered_on: '2027-06-28', accepted_on: '2027-06-30' }, 'rep')).status).toBe(200);
    for (const status of ['delivered', 'accepted']) expect((await w.patch('milestone', goLive.id, { status }, 'rep')).status).toBe(200);
    expect(await w.get('milestone', goLive.id)).toMatchObject({ status: 'accepted', days_late: 12 });
    await runBillingJob(w.t, '2027-07-01');
    await runBillingJob(w.t, '2027-07-01');
    const invoices = await w.list('invoice', { '==': [{ var: 'customer' }, customer.id] });
    expect(invoices.map((i) => i.total)).toEqual(['850000.00', '200000.00']);
    const [, second] = invoices as [Rec, Rec];

    // Two partial receipts: the first pays part of the first invoice; the second the rest of it — both contracts'
    // lines — and the second invoice.
    const r1 = await w.post('receipt', { customer: customer.id, received_on: '2027-05-20', amount: '600000.00' }, 'rep');
    await w.post('receipt_allocation', { receipt: r1.id, invoice: first!.id, contract: contractId, amount: '600000.00' }, 'rep');
    expect(await w.get('invoice', first!.id)).toMatchObject({ status: 'partially_paid', outstanding: '250000.00' });
    const r2 = await w.post('receipt', { customer: customer.id, received_on: '2027-07-10', amount: '450000.00' }, 'rep');
    for (const [invoice, contract, amount] of [
      [first!.id, contractId, '200000.00'],
      [first!.id, other.id, '50000.00'],
      [second.id, contractId, '200000.00'],
    ] as const)
      await w.post('receipt_allocation', { receipt: r2.id, invoice, contract, amount }, 'rep');
    expect(await w.get('receipt', r2.id)).toMatchObject({ allocated: '450000.00', unallocated: '0.00' });
    expect((await w.get('invoice', first!.id)).status).toBe('paid');
    expect((await w.get('invoice', second.id)).status).toBe('paid');
    expect(await w.get('contract', other.id)).toMatchObject({ invoiced: '50000.00', received: '50000.00', receivable: '0.00' });

    // Costs, then the SLA periods settled: the go-live delay (12 days late: 9,000.00) and a quarter's defect rate
    // (4.1 %: 8,000.00), confirmed; the delay's penalty applied as a penalty line on an invoice.
    await w.post(
      'cost_entry',
      { contract: contractId, kind: 'material', description: '服务器与交换机', incurred_on: '2027-04-01', amount: '420000.00' },
      'rep',
    );
    await w.post(
      'cost_entry',
      { contract: contractId, kind: 'labour', description: '实施工程师', incurred_on: '2027-06-30', amount: '310000.00' },
      'rep',
    );
    const delayType = await w.post('sla_metric_type', { name: '交付延期', category: 'time', unit: '天' });
    const defectType = await w.post('sla_metric_type', { name: '缺陷率', category: 'quality', unit: '%' });
    const delay = await w.post('sla_metric', {
      contract: contractId,
      name: 'Go-live delay',
      metric_type: delayType.id,
      period: 'milestone',
      milestone: goLive.id,
      ...ISSUE_DELAY_TERMS,
    });
    const defects = await w.post('sla_metric', {
      contract: contractId,
      name: 'Defect rate',
      metric_type: defectType.id,
      ...ISSUE_DEFECT_TERMS,
    });
    await w.post('sla_measurement', { metric: defects.id, measured_on: '2027-06-15', actual: '4.1' });
    const settled = await w.action('contract', contractId, 'settle_sla', { through: '2027-07-01' });
    expect(settled.body.data, JSON.stringify(settled.body)).toMatchObject({ created: 2, net: '-17000.00' });
    const settlements = await w.list('sla_settlement', byContract(contractId));
    for (const s of settlements) expect((await w.patch('sla_settlement', s.id, { status: 'confirmed' })).status).toBe(200);
    const delaySettlement = settlements.find((s) => s.metric === delay.id)!;
    expect(delaySettlement).toMatchObject({ penalty: '9000.00', actual: '12.0000' });
    expect((await w.patch('sla_settlement', delaySettlement.id, { status: 'applied' })).status).toBe(200);
    const applied = await w.get('sla_settlement', delaySettlement.id);
    expect(await w.get('invoice_line', applied.invoice_line)).toMatchObject({ contract: contractId, kind: 'penalty', amount: '-9000.00' });

    expect(await w.get('contract', contractId)).toMatchObject({
      contract_value: '1000000.00',
      invoiced: '1000000.00',
      received: '1000000.00',
      receivable: '0.00',
      cost: '730000.00',
      sla_net: '-17000.00',
      profit: '253000.00',
    });
  });
});
