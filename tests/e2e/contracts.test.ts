// The Contracts app end to end in Chromium, from metadata alone (#24): its place in the app switcher and its menu, an accepted quote's record
// page with its amounts, the quote made into a contract from the page's primary action, and the contract's lines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listUrl } from '../support/list-url.js';
import { TEST_ADMIN_PASSWORD } from '../support/test-engine.js';
import { startUiWorld, type UiWorld } from './support/ui-world.js';

type Rec = Record<string, any>;
let w: UiWorld;
let quote: Rec;

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
  w = await startUiWorld({ packs: ['metadata/packs/core', 'metadata/packs/crm', 'metadata/packs/contracts'] });
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
    const made = await api('GET', `/api/v1/quote/${quote.id}`);
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
});
