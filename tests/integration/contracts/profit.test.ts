// Cost and profit (#24 part 5) through HTTP on a real engine: the worked example — received 1,000,000.00,
// material 420,000.00, labour 310,000.00, SLA net -17,000.00 — gives a profit of exactly 253,000.00, every figure
// computed from records (invoices, allocations, cost entries), none typed. The SLA net is set in SQL as the SLA
// settlements will roll it up (not built here), then the contract's rules are recomputed by the admin endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../../support/problem-checks.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';
import { activeContract, get, patch, post, runBillingJob, type Rec } from './contracts-world.js';

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

    await t.engine.db.pool.query(`UPDATE contract SET sla_net = -17000.00 WHERE id = $1`, [contract.id]);
    const recomputed = await t.request('POST', '/api/admin/rules/contract/recompute', {});
    expect(recomputed.status, JSON.stringify(recomputed.body)).toBe(200);
    const after = await get(t, 'contract', contract.id);
    expect(after.sla_net).toBe('-17000.00');
    expect(after.profit).toBe('253000.00');
  });
});
