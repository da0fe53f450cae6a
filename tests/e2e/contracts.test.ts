// The Contracts app end to end in Chromium, from metadata alone (#24): its place in the app switcher and its menu, an accepted quote's record
// page with its amounts, the quote made into a contract from the page's primary action, and the contract's lines;
// that contract submitted, approved (version 1) and signed with the page's buttons; and a demo contract changed by
// an approved change request, its version 2 compared with version 1 on the page, field by field and line by line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listUrl } from '../support/list-url.js';
import { TEST_ADMIN_PASSWORD } from '../support/test-engine.js';
import { startUiWorld, type UiWorld } from './support/ui-world.js';

type Rec = Record<string, any>;
let w: UiWorld;
let quote: Rec;
let made: Rec;

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Rec> {
  const res = await w.t.request(method, path, body, headers);
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res.body.data;
}

async function move(entity: string, id: string, status: string): Promise<void> {
  const current = await api('GET', `/api/v1/${entity}/${id}`);
  await api('PATCH', `/api/v1/${entity}/${id}`, { status }, { 'if-match': `"${current.version}"` });
}

beforeAll(async () => {
  w = await startUiWorld({ packs: ['metadata/packs/core', 'metadata/packs/crm', 'metadata/packs/contracts'], seed: ['crm', 'contracts'] });
  const customer = (await api('GET', listUrl('customer', { limit: 1 }))) as unknown as Rec[];
  const server = await api('POST', '/api/v1/product', { name: '边缘服务器', list_price: '100000.00', cost: '60000.00' });
  quote = await api('POST', '/api/v1/quote', { title: '产线边缘计算', customer: customer[0]!.id });
  await api('POST', '/api/v1/quote_line', { quote: quote.id, product: server.id, quantity: '1', discount_pct: '5' });
  await api('POST', '/api/v1/quote_line', { quote: quote.id, description: '上门安装', quantity: '1', unit_price: '2000.00' });
  for (const status of ['in_approval', 'approved', 'sent', 'accepted']) await move('quote', quote.id, status);
  await w.signIn('admin', TEST_ADMIN_PASSWORD);
}, 90_000);

afterAll(async () => {
  await w?.stop();
});

describe('the Contracts app', () => {
  it('is in the app switcher, and its menu lists quotes, contracts, changes, versions, templates and issues', async () => {
    await w.page.click('[data-test=app-switcher]');
    const apps = w.page.locator('[role=menuitem]');
    expect((await apps.allInnerTexts()).join(' ')).toMatch(/合同管理|Contracts/);
    await apps.filter({ hasText: /合同管理|Contracts/ }).click();
    await expect.poll(() => w.page.locator('[data-test=app-switcher]').innerText()).toMatch(/合同管理|Contracts/);
    const items = (await w.page.locator('.menu-item').allInnerTexts()).join(' ');
    for (const label of [/报价单|Quotes/, /合同变更申请|Change requests/, /合同模板|Contract templates/]) expect(items).toMatch(label);
    await w.shot('c01-contracts-app');
  });

  it('turns an accepted quote into a contract from its record page, lines and value carried over', async () => {
    await w.page.goto(`${w.t.url}/e/quote/${quote.id}`);
    await w.page.waitForSelector('[data-test=highlight-total]');
    expect(await w.page.locator('[data-test=highlight-status]').innerText()).toMatch(/客户已接受|Accepted/);
    expect(await w.page.locator('[data-test=highlight-total]').innerText()).toMatch(/109[,.]?610/);
    await w.shot('c02-quote');
    await w.page.click('[data-test=btn-create_contract]');
    await w.page.click('[data-test=run-action]');
    await w.page.waitForSelector('[data-test=banner].ok');
    made = await api('GET', `/api/v1/quote/${quote.id}`);
    expect(made.contract).toEqual(expect.any(String));
    const contract = await api('GET', `/api/v1/contract/${made.contract}`);
    expect(contract).toMatchObject({ status: 'draft', contract_value: '97000.00', line_count: 2 });

    await w.page.goto(`${w.t.url}/e/contract/${contract.id}`);
    await w.page.waitForSelector('[data-test=highlight-contract_value]');
    await w.page.click('.tabs .tab >> nth=1');
    await w.page.waitForSelector('[data-related=lines] tbody tr');
    expect(await w.page.locator('[data-related=lines] tbody tr').count()).toBe(2);
    await w.shot('c03-contract-lines');
    expect(w.browser.errors).toEqual([]);
  });

  it("takes that contract through approval (version 1) and signing with the record page's buttons", async () => {
    await w.page.goto(`${w.t.url}/e/contract/${made.contract}`);
    for (const [button, status] of [
      ['submit', 'in_approval'],
      ['approve', 'approved'],
      ['send_for_signing', 'signing'],
      ['sign', 'signed'],
    ] as const) {
      await w.page.click(`[data-test=btn-${button}]`);
      await expect.poll(async () => (await api('GET', `/api/v1/contract/${made.contract}`)).status).toBe(status);
      await w.page.waitForSelector(`[data-test=btn-${button}]`, { state: 'detached' });
    }
    const contract = await api('GET', `/api/v1/contract/${made.contract}`);
    expect(contract).toMatchObject({ current_version: 1, signed_on: expect.any(String) });
    expect(await w.page.locator('[data-test=highlight-status]').innerText()).toMatch(/已签订|Signed/);
    await w.shot('c04-contract-signed');
  });

  it("compares a changed contract's version 2 with version 1 on its page, field by field and line by line", async () => {
    const [changed] = (await api(
      'GET',
      listUrl('contract', { filter: { '==': [{ var: 'current_version' }, 2] }, limit: 1 }),
    )) as unknown as Rec[];
    const [v1] = (await api(
      'GET',
      listUrl('contract_version', { filter: { '==': [{ var: 'contract' }, changed!.id] }, sort: 'version_no' }),
    )) as unknown as Rec[];
    await w.page.goto(`${w.t.url}/e/contract/${changed!.id}`);
    await w.page.click('[data-test=btn-compare_versions]');
    await w.page.waitForSelector('#root_from');
    await w.page.fill('#root_from', '1');
    await w.page.fill('#root_to', '2');
    await w.page.click('[data-test=run-action]');
    await w.page.waitForSelector('[data-test=action-result]');
    const fields = w.page.locator('[data-result=fields] tbody tr');
    expect(await fields.count()).toBe(1);
    expect(await fields.first().innerText()).toMatch(
      new RegExp(`^(结束日期|End date)\t${v1!.content.contract.end_date}\t${changed!.end_date}$`),
    );
    const added = await w.page.locator('[data-result="lines › added"] tbody tr').innerText();
    expect(added).toContain('追加实施顾问服务');
    // Ids under a belongsTo field (the product, the contract) read as their records' titles — only the line's own id
    // stays — and headings are translated.
    expect(added.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g)).toHaveLength(1);
    expect(await w.page.locator('[data-result="lines › added"] h3').innerText()).toMatch(/› (新增|Added)$/);
    expect(await w.page.locator('[data-result="lines › added"] thead').innerText()).toMatch(/产品|Product/);
    expect(await w.page.locator('[data-result="lines › changed"] tbody tr').innerText()).toMatch(/(数量|Quantity): [\d.]+ → [\d.]+/);
    await w.page.locator('[data-test=action-result]').scrollIntoViewIfNeeded();
    await w.shot('c05-version-diff');
    expect(w.browser.errors).toEqual([]);
  });
});
