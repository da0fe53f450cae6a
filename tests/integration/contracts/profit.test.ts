// Cost and profit (#24 part 5) through HTTP on a real engine: the issue's worked example — received 1,000,000.00,
// material 420,000.00, labour 310,000.00, SLA net -17,000.00 — gives a profit of exactly 253,000.00, every figure
// computed from records (invoices, allocations, cost entries, SLA settlements from a milestone accepted 12 days late
// and a quarter's defect rate), none typed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../../support/problem-checks.js';
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

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'metadata/packs/crm', 'metadata/packs/contracts'] });
  const customer = await post(t, 'customer', { name: '北京华拓信息技术有限公司' });
  contract = await activeContract(t, customer.id, 'Smart campus', '1000000.00');
  await post(t, 'billing_line', {
    contract: contract.id,
    description: 'Full',
    trigger: 'date',
    bill_on: '2027-05-01',
    basis: 'contract_percent',
    percent: '100',
  });
  await runBillingJob(t, '2027-05-01');
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

describe('contract profit', () => {
  it('is received - cost + SLA net, exactly: 253,000.00 in the worked example', async () => {
    const billed = await get(t, 'contract', contract.id);
    expect([billed.contract_value, billed.invoiced, billed.received, billed.receivable]).toEqual([
      '1000000.00',
      '1000000.00',
      '0.00',
      '1000000.00',
    ]);
    const lines = await t.request(
      'GET',
      `/api/v1/invoice_line?filter=${encodeURIComponent(JSON.stringify({ '==': [{ var: 'contract' }, contract.id] }))}`,
    );
    const invoice = lines.body.data[0].invoice as string;
    // Two partial receipts.
    for (const [amount, on] of [
      ['600000.00', '2027-05-20'],
      ['400000.00', '2027-06-20'],
    ] as const) {
      const r = await post(t, 'receipt', { customer: contract.customer, received_on: on, amount });
      await post(t, 'receipt_allocation', { receipt: r.id, invoice, amount });
    }
    await post(t, 'cost_entry', {
      contract: contract.id,
      kind: 'material',
      description: 'Servers and switches',
      incurred_on: '2027-04-01',
      amount: '420000.00',
    });
    await post(t, 'cost_entry', {
      contract: contract.id,
      kind: 'labour',
      description: 'Engineers, 3 months',
      incurred_on: '2027-06-30',
      amount: '250000.10',
    });
    await post(t, 'cost_entry', {
      contract: contract.id,
      kind: 'labour',
      description: 'Project management',
      incurred_on: '2027-06-30',
      amount: '59999.90',
    });
    const beforeSla = await get(t, 'contract', contract.id);
    expect([beforeSla.received, beforeSla.receivable, beforeSla.cost, beforeSla.sla_net, beforeSla.profit]).toEqual([
      '1000000.00',
      '0.00',
      '730000.00',
      '0.00',
      '270000.00',
    ]);

    // Nobody types the SLA net or the profit.
    const typed = await patch(t, 'contract', contract.id, { sla_net: '-17000.00' });
    expect(typed.status).toBe(422);
    const typedProfit = await patch(t, 'contract', contract.id, { profit: '1.00' });
    expectProblem(typedProfit, 422, undefined, [{ pointer: '/profit' }]);

    // The SLA net comes from settlements: the Go-live milestone (200,000.00) accepted 12 days late, and a quarter's
    // defect rate of 4.1 % (the issue's terms), settled and confirmed.
    const goLive = await post(t, 'milestone', { contract: contract.id, name: 'Go-live', amount: '200000.00', due_date: '2027-06-18' });
    // Accepted on 30 June: the acceptance date is recorded first, and the transition keeps it.
    expect((await patch(t, 'milestone', goLive.id, { delivered_on: '2027-06-28', accepted_on: '2027-06-30' })).status).toBe(200);
    await moveTo(t, 'milestone', goLive.id, 'status', ['delivered', 'accepted']);
    const delayType = await post(t, 'sla_metric_type', { name: 'Delivery delay', category: 'time', unit: 'days' });
    const defectType = await post(t, 'sla_metric_type', { name: 'Defect rate', category: 'quality', unit: '%' });
    await post(t, 'sla_metric', {
      contract: contract.id,
      name: 'Go-live delay',
      metric_type: delayType.id,
      period: 'milestone',
      milestone: goLive.id,
      ...ISSUE_DELAY_TERMS,
    });
    const defects = await post(t, 'sla_metric', {
      contract: contract.id,
      name: 'Defect rate',
      metric_type: defectType.id,
      ...ISSUE_DEFECT_TERMS,
    });
    await post(t, 'sla_measurement', { metric: defects.id, measured_on: '2027-06-15', actual: '4.1' });
    const settled = await t.request('POST', `/api/v1/contract/${contract.id}/actions/settle_sla`, { through: '2027-07-01' });
    expect(settled.body.data, JSON.stringify(settled.body)).toMatchObject({ created: 2, net: '-17000.00' });
    // Computed, not yet confirmed: not in the SLA net.
    expect((await get(t, 'contract', contract.id)).sla_net).toBe('0.00');
    const filter = encodeURIComponent(JSON.stringify({ '==': [{ var: 'contract' }, contract.id] }));
    for (const s of (await t.request('GET', `/api/v1/sla_settlement?filter=${filter}`)).body.data as Rec[])
      await moveTo(t, 'sla_settlement', s.id, 'status', ['confirmed']);
    const after = await get(t, 'contract', contract.id);
    expect(after.sla_net).toBe('-17000.00');
    expect(after.profit).toBe('253000.00');
  });
});
