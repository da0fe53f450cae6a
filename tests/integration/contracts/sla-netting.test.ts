// An applied SLA penalty counts in a contract's profit once (#24 part 6): it stays in the SLA net until the invoice
// carrying its line is paid; from then on the customer has paid net of it, `received` holds it and the SLA net no
// longer counts it. A partial payment leaves it in the SLA net, and so does a payment taken back (an allocation or a
// whole receipt deleted). Through HTTP on a real engine, on the issue's worked example: the Go-live milestone
// (200,000.00) 12 days late costs 9,000.00, the quarter's defect rate 8,000.00, cost is 730,000.00.
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';
import {
  activeContract,
  get,
  ISSUE_DEFECT_TERMS,
  ISSUE_DELAY_TERMS,
  moveTo,
  patch,
  post,
  runBillingJob,
  type Rec,
} from './contracts-world.js';

let t: TestEngine;
let contract: Rec;
let delay: Rec;
let defects: Rec;

const byContract = (id: string) => encodeURIComponent(JSON.stringify({ '==': [{ var: 'contract' }, id] }));

async function remove(entity: string, id: string): Promise<void> {
  const now = await get(t, entity, id);
  const res = await t.request('DELETE', `/api/v1/${entity}/${id}`, undefined, { 'if-match': `"${now.version}"` });
  expect(res.status, `${entity}: ${JSON.stringify(res.body)}`).toBe(200);
}

async function pay(invoice: string, amount: string, on: string): Promise<{ receipt: Rec; allocation: Rec }> {
  const receipt = await post(t, 'receipt', { customer: contract.customer, received_on: on, amount });
  const allocation = await post(t, 'receipt_allocation', { receipt: receipt.id, invoice, amount });
  return { receipt, allocation };
}

/** The contract's money figures, checking that profit is received − cost + SLA net to the cent. */
async function figures(): Promise<Rec> {
  const c = await get(t, 'contract', contract.id);
  expect(new Decimal(c.received).minus(c.cost).plus(c.sla_net).toFixed(2)).toBe(c.profit);
  return { received: c.received, cost: c.cost, sla_net: c.sla_net, profit: c.profit };
}

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'metadata/packs/crm', 'metadata/packs/contracts'] });
  const customer = await post(t, 'customer', { name: '苏州启航智能科技有限公司' });
  contract = await activeContract(t, customer.id, 'Smart campus', '1000000.00');
  // 800,000.00 billed and paid; the Go-live part (200,000.00) is billed later, with the delay's penalty.
  await post(t, 'billing_line', {
    contract: contract.id,
    description: 'Platform',
    trigger: 'date',
    bill_on: '2027-05-01',
    basis: 'amount',
    fixed_amount: '800000.00',
  });
  await runBillingJob(t, '2027-05-01');
  const [billed] = (await t.request('GET', `/api/v1/invoice_line?filter=${byContract(contract.id)}`)).body.data as Rec[];
  await pay(billed!.invoice, '800000.00', '2027-05-20');
  for (const [kind, amount] of [
    ['material', '420000.00'],
    ['labour', '310000.00'],
  ] as const)
    await post(t, 'cost_entry', { contract: contract.id, kind, description: kind, incurred_on: '2027-06-30', amount });

  const goLive = await post(t, 'milestone', { contract: contract.id, name: 'Go-live', amount: '200000.00', due_date: '2027-06-18' });
  expect((await patch(t, 'milestone', goLive.id, { delivered_on: '2027-06-28', accepted_on: '2027-06-30' })).status).toBe(200);
  await moveTo(t, 'milestone', goLive.id, 'status', ['delivered', 'accepted']);
  const delayType = await post(t, 'sla_metric_type', { name: 'Delivery delay', category: 'time', unit: 'days' });
  const defectType = await post(t, 'sla_metric_type', { name: 'Defect rate', category: 'quality', unit: '%' });
  const delayMetric = await post(t, 'sla_metric', {
    contract: contract.id,
    name: 'Go-live delay',
    metric_type: delayType.id,
    period: 'milestone',
    milestone: goLive.id,
    ...ISSUE_DELAY_TERMS,
  });
  const defectMetric = await post(t, 'sla_metric', {
    contract: contract.id,
    name: 'Defect rate',
    metric_type: defectType.id,
    ...ISSUE_DEFECT_TERMS,
  });
  await post(t, 'sla_measurement', { metric: defectMetric.id, measured_on: '2027-06-15', actual: '4.1' });
  const settled = await t.request('POST', `/api/v1/contract/${contract.id}/actions/settle_sla`, { through: '2027-07-01' });
  expect(settled.body.data, JSON.stringify(settled.body)).toMatchObject({ created: 2, net: '-17000.00' });
  const rows = (await t.request('GET', `/api/v1/sla_settlement?filter=${byContract(contract.id)}`)).body.data as Rec[];
  for (const s of rows) await moveTo(t, 'sla_settlement', s.id, 'status', ['confirmed']);
  delay = rows.find((s) => s.metric === delayMetric.id)!;
  defects = rows.find((s) => s.metric === defectMetric.id)!;
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

describe('an applied SLA penalty in the contract profit', () => {
  it('counts once: in the SLA net until its invoice is paid, then in received', async () => {
    expect(await figures()).toEqual({ received: '800000.00', cost: '730000.00', sla_net: '-17000.00', profit: '53000.00' });

    // Applied: its line (-9,000.00) goes on a new draft invoice, where the Go-live charge (200,000.00) joins it.
    await moveTo(t, 'sla_settlement', delay.id, 'status', ['applied']);
    const applied = await get(t, 'sla_settlement', delay.id);
    expect(applied.netted).toBe(false);
    const penaltyLine = await get(t, 'invoice_line', applied.invoice_line);
    expect(penaltyLine).toMatchObject({ kind: 'penalty', amount: '-9000.00' });
    const invoice = penaltyLine.invoice as string;
    await post(t, 'invoice_line', {
      invoice,
      contract: contract.id,
      kind: 'charge',
      description: 'Go-live acceptance',
      amount: '200000.00',
    });
    await moveTo(t, 'invoice', invoice, 'stage', ['issued']);
    expect(await get(t, 'invoice', invoice)).toMatchObject({ total: '191000.00', status: 'issued' });
    expect(await figures()).toEqual({ received: '800000.00', cost: '730000.00', sla_net: '-17000.00', profit: '53000.00' });

    // Paid in part: the penalty is not in received yet, so the SLA net still counts it.
    await pay(invoice, '100000.00', '2027-07-20');
    expect((await get(t, 'invoice', invoice)).status).toBe('partially_paid');
    expect((await get(t, 'sla_settlement', delay.id)).netted).toBe(false);
    expect(await figures()).toEqual({ received: '900000.00', cost: '730000.00', sla_net: '-17000.00', profit: '153000.00' });

    // Paid in full, net of the penalty: received is 9,000.00 short of the billed 1,000,000.00, and the SLA net keeps
    // only the confirmed defect-rate settlement, which no invoice carries. The worked example's profit, counted once.
    const last = await pay(invoice, '91000.00', '2027-07-30');
    expect((await get(t, 'invoice', invoice)).status).toBe('paid');
    expect((await get(t, 'sla_settlement', delay.id)).netted).toBe(true);
    expect((await get(t, 'sla_settlement', defects.id)).netted).toBe(false);
    expect(await figures()).toEqual({ received: '991000.00', cost: '730000.00', sla_net: '-8000.00', profit: '253000.00' });

    // The last allocation taken back: the invoice is open again, and so is the penalty.
    await remove('receipt_allocation', last.allocation.id);
    expect((await get(t, 'invoice', invoice)).status).toBe('partially_paid');
    expect((await get(t, 'sla_settlement', delay.id)).netted).toBe(false);
    expect(await figures()).toEqual({ received: '900000.00', cost: '730000.00', sla_net: '-17000.00', profit: '153000.00' });

    // Allocated again from the same receipt, then the whole receipt deleted (its allocations go with it).
    await post(t, 'receipt_allocation', { receipt: last.receipt.id, invoice, amount: '91000.00' });
    expect(await figures()).toEqual({ received: '991000.00', cost: '730000.00', sla_net: '-8000.00', profit: '253000.00' });
    await remove('receipt', last.receipt.id);
    expect(await get(t, 'invoice', invoice)).toMatchObject({ status: 'partially_paid', paid_amount: '100000.00' });
    expect((await get(t, 'sla_settlement', delay.id)).netted).toBe(false);
    expect(await figures()).toEqual({ received: '900000.00', cost: '730000.00', sla_net: '-17000.00', profit: '153000.00' });
  });
});
