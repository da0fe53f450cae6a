// The customer's transaction view (#24 part 9) in Chromium: on a customer's page, the contracts pack's overview is a
// tab of its own whose sections (contracts, invoices, receipts, upcoming milestones, receivables) show the records
// and totals the API holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listUrl } from '../support/list-url.js';
import { TEST_ADMIN_PASSWORD } from '../support/test-engine.js';
import { activeContract, post, runBillingJob } from '../integration/contracts/contracts-world.js';
import { startUiWorld, type UiWorld } from './support/ui-world.js';

let w: UiWorld;
let customerId = '';

beforeAll(async () => {
  w = await startUiWorld({ packs: ['metadata/packs/core', 'metadata/packs/crm', 'metadata/packs/contracts'] });
  const customer = (await w.t.request('GET', listUrl('customer', { limit: 1, sort: 'name' }))).body.data[0];
  customerId = customer.id;
  const contract = await activeContract(w.t, customerId, '智慧园区一期', '600000.00');
  await post(w.t, 'billing_line', {
    contract: contract.id,
    description: '预付款',
    trigger: 'date',
    bill_on: '2027-01-05',
    basis: 'contract_percent',
    percent: '40',
  });
  await runBillingJob(w.t, '2027-01-05');
  await post(w.t, 'milestone', { contract: contract.id, name: '上线', amount: '300000.00', due_date: '2027-06-30' });
  await w.signIn('admin', TEST_ADMIN_PASSWORD);
}, 120_000);

afterAll(async () => {
  await w?.stop();
});

describe('the transaction view tab', () => {
  it('shows the customer’s contracts, invoices, milestones and receivables with their totals', async () => {
    await w.page.goto(`${w.t.url}/e/customer/${customerId}`);
    await w.page.click('[data-test=tab-overview-transactions]');
    const view = w.page.locator('[data-overview=transactions]');
    await view.locator('[data-section=contracts] tbody tr').first().waitFor();
    expect(await view.locator('[data-section=contracts] tbody').innerText()).toContain('智慧园区一期');
    expect(await view.locator('[data-section=upcoming_milestones] tbody').innerText()).toContain('上线');
    const receivables = await view.locator('[data-section=receivables] [data-test=overview-totals]').innerText();
    expect(receivables.replace(/[,\s]/g, '')).toContain('240000.00');
    const api = (await w.t.request('GET', `/api/v1/customer/${customerId}/overviews/transactions`)).body.data.sections;
    expect(await view.locator('[data-section=invoices] .count').innerText()).toBe(String(api.invoices.count));
    await w.shot('c01-transaction-view');
  });
});
