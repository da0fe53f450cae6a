// The customer's transaction view (#24 part 9) in Chromium: on a customer's page, the contracts pack's overview is a
// tab of its own whose sections (contracts, invoices, receipts, upcoming milestones, receivables) show the records
// and totals the API holds. And the revenue forecast dashboard: the contract's billing rolled up from its owner's
// department to headquarters, each unit by name, a branch drilling down to the lines below it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listUrl } from '../support/list-url.js';
import { TEST_ADMIN_PASSWORD } from '../support/test-engine.js';
import { activeContract, contractApprover, post, runBillingJob, type Rec } from '../integration/contracts/contracts-world.js';
import { startUiWorld, type UiWorld } from './support/ui-world.js';

let w: UiWorld;
let customerId = '';
/** The contract owner's org unit and the units above it, by name, department first. */
const ownerUnits: string[] = [];

beforeAll(async () => {
  w = await startUiWorld({ packs: ['metadata/packs/core', 'metadata/packs/crm', 'metadata/packs/contracts'] });
  const customer = (await w.t.request('GET', listUrl('customer', { limit: 1, sort: 'name' }))).body.data[0];
  customerId = customer.id;
  // Owned by a demo rep, whose department sits in a branch under headquarters.
  const rep = (await w.t.request('GET', listUrl('app_user', { filter: { '==': [{ var: 'username' }, 'jiang.tao'] } }))).body.data[0] as Rec;
  for (let unit: Rec | undefined = (await w.t.request('GET', `/api/v1/org_unit/${rep.org_unit}`)).body.data; unit;) {
    ownerUnits.push(unit.name);
    unit = unit.parent ? (await w.t.request('GET', `/api/v1/org_unit/${unit.parent}`)).body.data : undefined;
  }
  await contractApprover(w.t, [rep.id]);
  const contract = await activeContract(w.t, customerId, '智慧园区一期', '600000.00', { owner: rep.id });
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

describe('the revenue forecast dashboard', () => {
  it("rolls the contract's billing up from its owner's department to headquarters, and drills a branch down", async () => {
    expect(ownerUnits.length).toBeGreaterThanOrEqual(2);
    await w.page.goto(`${w.t.url}/d/revenue_forecast`);
    const widget = w.page.locator('[data-widget=contracted_by_branch]');
    await widget.locator('tbody tr').first().waitFor({ timeout: 30_000 });
    // One row per unit on the way up (the quarter of the line), each by its name and the same amount.
    const rows = await widget.locator('tbody tr').allInnerTexts();
    expect(rows.map((r) => ownerUnits.find((u) => r.includes(u))).sort()).toEqual([...ownerUnits].sort());
    for (const r of rows) expect(r.replace(/[,\s]/g, '')).toContain('240000');
    await w.page.waitForSelector('[data-widget=contracted_by_month] canvas', { timeout: 30_000 });
    await w.page.waitForTimeout(600); // the charts' entry animation
    await w.shot('c02-revenue-forecast');
    const branch = w.page.locator('td', { hasText: new RegExp(`^${ownerUnits[1]}$`) });
    await widget.locator('tbody tr').filter({ has: branch }).click();
    await w.page.waitForURL(/\/e\/billing_line\?/);
    await expect.poll(() => w.page.locator('[data-test=list-count]').innerText()).toMatch(/\d/);
    expect(await w.page.locator('[data-test=list-count]').innerText()).toMatch(/^\D*1\D*$/);
    expect(w.browser.errors).toEqual([]);
  });
});
