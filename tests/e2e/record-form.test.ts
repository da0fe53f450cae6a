// The record form end to end in Chromium, as a sales rep (core + CRM, small demo data): validation rules judged as
// the user types (the server still the authority on save), many-to-many sets and JSON values edited in the form,
// files uploaded, replaced and removed, and tasks marked done from My tasks. Screenshots in tests/e2e/artefacts/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { listUrl } from '../support/list-url.js';
import { TEST_ADMIN_PASSWORD } from '../support/test-engine.js';
import { startUiWorld, type UiWorld } from './support/ui-world.js';

let w: UiWorld;
let token = '';
const asRep = (method: string, path: string, body?: unknown) => w.t.request(method, path, body, { authorization: `Bearer ${token}` });

/** Opens the record page's tab that holds `field`. */
async function showField(page: Page, field: string): Promise<void> {
  await page.waitForSelector('.tsection');
  for (const tab of await page.locator('[role=tab]').all()) {
    if (await page.locator(`[data-field=${field}]`).count()) return;
    await tab.click();
  }
}

beforeAll(async () => {
  w = await startUiWorld();
  token = await w.signIn('jiang.tao');
}, 120_000);

afterAll(async () => {
  await w?.stop();
});

describe('validation rules in the form', () => {
  it("shows a broken rule's message next to its field as the user types, and takes it away once fixed", async () => {
    await w.page.goto(`${w.t.url}/e/opportunity/new`);
    await w.page.waitForSelector('#root_amount_amount');
    const rateError = w.page.locator('[data-field=exchange_rate] .error-detail');
    const shown = async () => ((await rateError.count()) ? rateError.innerText() : '');
    await w.page.fill('#root_amount_amount', '12000');
    await w.page.selectOption('#root_amount_currency', 'CNY');
    expect(await shown()).toBe('');
    await w.page.selectOption('#root_amount_currency', 'USD');
    // The pack's rule: a foreign-currency amount needs its rate to CNY. Judged in the browser, before any save.
    await expect.poll(shown).toBe('外币金额需要填写兑人民币汇率');
    await w.shot('f01-live-rule-broken');
    await w.page.fill('#root_exchange_rate', '7.1');
    await expect.poll(shown).toBe('');
    await w.page.fill('#root_exchange_rate', '');
    await expect.poll(shown).not.toBe('');
    await w.page.selectOption('#root_amount_currency', 'CNY');
    await expect.poll(shown).toBe('');
    expect(w.browser.errors, w.browser.errors.join('\n')).toEqual([]);
  });

  it('leaves a rule that reads a related record to the server, whose refusal lands on the field it names', async () => {
    const blacklisted = await asRep('POST', '/api/v1/customer', {
      name: '宁波黑名单测试有限公司',
      blacklisted: true,
      status_reason: '长期拖欠',
    });
    expect(blacklisted.status, JSON.stringify(blacklisted.body)).toBe(201);
    await w.page.goto(`${w.t.url}/e/opportunity/new`);
    await w.page.waitForSelector('#root_name');
    await w.page.fill('#root_name', '黑名单客户的新商机');
    await w.page.fill('#root_customer', '宁波黑名单');
    await w.page.locator('[data-field=customer] [role=option]', { hasText: '宁波黑名单测试有限公司' }).dispatchEvent('mousedown');
    const customerError = w.page.locator('[data-field=customer] .error-detail');
    // customer.blacklisted is the customer's, not the form's: nothing is said before the save.
    expect(await customerError.count()).toBe(0);
    await w.page.click('[data-test=save]');
    await expect.poll(() => customerError.innerText()).toBe('黑名单客户不能新建商机');
    await w.shot('f04-server-rule-on-field');
    expect(w.page.url()).toMatch(/\/e\/opportunity\/new$/);
    // The refused save is the one console error Chromium logs (a 422 response), and the only one.
    expect(w.browser.errors).toEqual([expect.stringContaining('422')]);
    w.browser.errors.length = 0;
  });
});

describe('many-to-many sets in the form', () => {
  it('adds and removes linked records found by a search over the target, shows their titles, saves the set', async () => {
    const opp = (await asRep('GET', listUrl('opportunity', { limit: 1, fields: 'id,team', sort: '-created_at' }))).body.data[0];
    await asRep('PATCH', `/api/v1/opportunity/${opp.id}`, { team: [] });
    await w.page.goto(`${w.t.url}/e/opportunity/${opp.id}`);
    await showField(w.page, 'team');
    const search = w.page.locator('[data-field=team] input');
    await search.click();
    const options = w.page.locator('[data-field=team] [role=option]');
    await expect.poll(() => options.count()).toBeGreaterThan(1);
    // What is offered is what the user list API gives this rep, titles and all.
    const offered = await options.allInnerTexts();
    const users = (await asRep('GET', listUrl('app_user', { limit: 8, fields: 'display_name' }))).body.data;
    expect(offered).toEqual(users.map((u: any) => u.display_name));
    await options.nth(0).dispatchEvent('mousedown');
    await options.nth(1).dispatchEvent('mousedown');
    const chips = w.page.locator('[data-test=set-team] .set-chip');
    const titles = w.page.locator('[data-test=set-team] .set-title');
    await expect.poll(() => titles.allInnerTexts()).toEqual([offered[0], offered[1]]);
    await search.fill(offered[2] ?? '');
    await expect.poll(() => options.allInnerTexts()).toContain(offered[2]);
    await options.filter({ hasText: offered[2] }).first().dispatchEvent('mousedown');
    await expect.poll(() => chips.count()).toBe(3);
    await w.page.locator('[data-test=set-team] .set-chip button').first().click();
    await expect.poll(() => chips.count()).toBe(2);
    await w.shot('f02-many-to-many');
    await w.page.click('[data-test=save]');
    await expect.poll(() => w.page.locator('[data-test=banner]').innerText()).toBe('已保存。');
    const saved = (await asRep('GET', `/api/v1/opportunity/${opp.id}?fields=team`)).body.data.team;
    expect(saved).toEqual([users[1].id, users[2].id]);
    // After the save, and on a fresh page (titles looked up by id through the list API), the chips name the saved set.
    await expect.poll(() => titles.allInnerTexts()).toEqual([offered[1], offered[2]]);
    await w.page.reload();
    await showField(w.page, 'team');
    await expect.poll(() => titles.allInnerTexts()).toEqual([offered[1], offered[2]]);
    expect(w.browser.errors, w.browser.errors.join('\n')).toEqual([]);
  });
});

// Last: it signs the browser in as the administrator.
describe('JSON values in the form', () => {
  it('edits a JSON value as text, shows a parse error inline without saving, and sends the parsed value', async () => {
    const made = await w.t.request('POST', '/api/v1/role', { code: 'e2e_form_role', name: '表单测试角色', grants: {} });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    await w.signIn('admin', TEST_ADMIN_PASSWORD);
    await w.page.goto(`${w.t.url}/e/role/${made.body.data.id}`);
    await showField(w.page, 'grants');
    const editor = w.page.locator('[data-field=grants] textarea');
    await expect.poll(() => editor.inputValue()).toBe('{}');
    await editor.fill('{"entities": {"customer": {"actions": ["read"], "scope": "own"}}');
    const parseError = w.page.locator('[data-test=json-error-grants]');
    // The parser's own reason follows, so the user knows where to look.
    await expect.poll(() => parseError.innerText()).toMatch(/^不是有效的 JSON：.+/);
    await w.shot('f03-json-parse-error');
    await w.page.click('[data-test=save]');
    await expect.poll(() => w.page.locator('[data-test=banner]').innerText()).toBe('请修正标出的字段。');
    expect((await w.t.request('GET', `/api/v1/role/${made.body.data.id}`)).body.data.grants).toEqual({});
    await editor.fill('{"entities": {"customer": {"actions": ["read"], "scope": "own"}}}');
    await expect.poll(() => parseError.count()).toBe(0);
    await w.page.click('[data-test=save]');
    await expect.poll(() => w.page.locator('[data-test=banner]').innerText()).toBe('已保存。');
    expect((await w.t.request('GET', `/api/v1/role/${made.body.data.id}`)).body.data.grants).toEqual({
      entities: { customer: { actions: ['read'], scope: 'own' } },
    });
    await expect.poll(() => editor.inputValue()).toContain('"scope": "own"');
    expect(w.browser.errors, w.browser.errors.join('\n')).toEqual([]);
  });
});
