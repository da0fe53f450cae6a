// The runtime UI end to end, in Chromium against a real engine (core + CRM, small demo data): a sales rep signs
// in, lists their customers (exactly those the API gives them), creates a customer whose first save is refused
// with the error next to the field, fixes it, converts a lead, and switches to English and back. Screenshots of
// each screen land in tests/e2e/artefacts/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listUrl } from '../support/list-url.js';
import { startUiWorld, type UiWorld } from './support/ui-world.js';

const REP = 'jiang.tao';
let w: UiWorld;
let token = '';
let createdId = '';
const asRep = (method: string, path: string, body?: unknown) => w.t.request(method, path, body, { authorization: `Bearer ${token}` });

beforeAll(async () => {
  w = await startUiWorld();
}, 90_000);

afterAll(async () => {
  await w?.stop();
});

describe('runtime UI, as a sales rep', () => {
  it('signs in and shows the apps and menus from /api/meta', async () => {
    token = await w.signIn(REP);
    expect(token).not.toBe('');
    await expect.poll(() => w.page.locator('.menu-item', { hasText: '客户' }).first().isVisible()).toBe(true);
    // A rep cannot read roles: the administration app is not offered.
    await w.page.click('[data-test=app-switcher]');
    const apps = await w.page.locator('.switcher-menu button').allInnerTexts();
    // Users and org units are readable to reps (pickers need them); membership is not theirs.
    expect(apps.map((a) => a.trim())).toEqual(['销售', '系统管理']);
    await w.page.click('[data-test=app-switcher]');
    await w.shot('01-home');
  });

  it('lists exactly the customers the API gives the rep, sorted and paged by the server', async () => {
    const total = (await asRep('GET', listUrl('customer', { limit: 1, total: 'exact' }))).body.meta.total as number;
    expect(total).toBeGreaterThan(0);
    await w.page.click('.menu-item:has-text("客户") >> nth=0');
    await w.page.waitForSelector('[role=gridcell]');
    await expect.poll(() => w.page.locator('[data-test=list-count]').innerText()).toBe(`共 ${total} 条`);
    const first = (await asRep('GET', listUrl('customer', { limit: 1, sort: '-created_at' }))).body.data[0];
    await expect.poll(() => w.page.locator('[role=row] [col-id=name]').nth(1).innerText()).toBe(first.name);
    await w.shot('02-customer-list');
  });

  it('creates a customer: a refused save shows the error next to its field, the fixed one saves', async () => {
    await w.page.click('[data-test=new-record]');
    await w.page.waitForSelector('#root_name');
    await w.page.fill('#root_name', '杭州云帆科技有限公司');
    await w.page.check('#root_blacklisted');
    // The pack's requiredWhen holds now: the form marks the reason required before anything is saved.
    await expect.poll(() => w.page.locator('[data-field=status_reason] .required').count()).toBe(1);
    await w.page.click('[data-test=save]');
    // status_reason is required once the customer is blacklisted (a requiredWhen rule the server enforces).
    const error = w.page.locator('[data-field=status_reason] .error-detail');
    await expect.poll(() => error.innerText()).not.toBe('');
    await expect.poll(() => w.page.locator('[data-test=banner]').innerText()).toContain('请修正');
    await w.shot('03-customer-validation-error');
    await w.page.fill('#root_status_reason', '多次拖欠货款');
    await w.page.click('[data-test=save]');
    await w.page.waitForURL(/\/e\/customer\/[0-9a-f-]{36}/);
    await expect.poll(() => w.page.locator('[data-test=record-title]').innerText()).toBe('杭州云帆科技有限公司');
    const id = w.page.url().split('/').pop()?.split('?')[0] ?? '';
    createdId = id;
    const saved = (await asRep('GET', `/api/v1/customer/${id}`)).body.data;
    expect(saved).toMatchObject({ name: '杭州云帆科技有限公司', blacklisted: true, status_reason: '多次拖欠货款' });
    await w.page.waitForSelector('.tsection');
    await w.shot('04-customer-record');
  });

  it("shows a conflict when someone else saved first, and reloads keeping the user's change", async () => {
    const before = (await asRep('GET', `/api/v1/customer/${createdId}`)).body.data;
    // A colleague (here: the API) changes the phone while the page still shows the version it read.
    const theirs = await w.t.request(
      'PATCH',
      `/api/v1/customer/${createdId}`,
      { phone: '0571-88886666' },
      { authorization: `Bearer ${token}`, 'if-match': `"${before.version}"` },
    );
    expect(theirs.status).toBe(200);
    await w.page.fill('#root_short_name', '云帆');
    await w.page.click('[data-test=save]');
    await w.page.waitForSelector('[data-test=conflict]');
    await w.shot('05-conflict');
    await w.page.click('[data-test=conflict] .btn.primary');
    await expect.poll(() => w.page.locator('#root_phone').inputValue()).toBe('0571-88886666');
    expect(await w.page.locator('#root_short_name').inputValue()).toBe('云帆');
    await w.page.click('[data-test=save]');
    await expect
      .poll(async () => (await asRep('GET', `/api/v1/customer/${createdId}`)).body.data)
      .toMatchObject({ phone: '0571-88886666', short_name: '云帆' });
    // The history tab tells both saves apart: the colleague's phone, then the rep's short name.
    await w.page.click('[data-test=tab-history]');
    const history = w.page.locator('[data-test=history] .history > li');
    await expect.poll(() => history.count()).toBe(3);
    expect(await history.nth(0).innerText()).toContain('简称: — → 云帆');
    expect(await history.nth(1).innerText()).toContain('0571-88886666');
    expect(await history.nth(2).innerText()).toContain('创建');
    await w.shot('05b-history');
  });

  it("creates a contact from the customer's related list, its customer filled in", async () => {
    await w.page.goto(`${w.t.url}/e/customer/${createdId}`);
    await w.page.click('.tab:has-text("相关记录")');
    await w.page.click('[data-test=new-contacts]');
    await w.page.waitForSelector('#root_name');
    await expect.poll(() => w.page.locator('#root_customer').inputValue()).toBe('杭州云帆科技有限公司');
    await w.page.fill('#root_name', '林晓');
    await w.page.click('[data-test=save]');
    await w.page.waitForURL(/\/e\/contact\/[0-9a-f-]{36}/);
    const contactId = w.page.url().split('/').pop()?.split('?')[0] ?? '';
    expect((await asRep('GET', `/api/v1/contact/${contactId}`)).body.data).toMatchObject({ name: '林晓', customer: createdId });
    await w.page.goto(`${w.t.url}/e/customer/${createdId}`);
    await w.page.click('.tab:has-text("相关记录")');
    await expect.poll(() => w.page.locator('[data-related=contacts] tbody tr').count()).toBe(1);
    await w.shot('05c-related-lists');
  });

  it('finds records by a Chinese fragment from the top bar, only among those the rep may read', async () => {
    await w.page.fill('[data-test=search]', '云帆');
    const hit = w.page.locator(`[data-hit="customer/${createdId}"]`);
    await hit.waitFor();
    const shown = await w.page.locator('[data-hit^="customer/"]').count();
    const readable = (await asRep('GET', listUrl('customer', { limit: 5, filter: { contains: [{ var: 'name' }, '云帆'] } }))).body.data
      .length;
    expect(shown).toBe(readable);
    await w.shot('05d-search');
    await hit.click();
    await w.page.waitForURL(new RegExp(`/e/customer/${createdId}$`));
  });

  it('converts a qualified lead with the pack action', async () => {
    const lead = (await asRep('GET', listUrl('lead', { limit: 1, filter: { '==': [{ var: 'status' }, 'qualified'] } }))).body.data[0];
    expect(lead).toBeDefined();
    await w.page.goto(`${w.t.url}/e/lead/${lead.id}`);
    await w.page.waitForSelector('[data-test=btn-convert]');
    await w.shot('06-lead-record');
    await w.page.click('[data-test=btn-convert]');
    await w.page.waitForSelector('[role=dialog] [data-test=run-action]');
    await w.shot('07-lead-convert-dialog');
    await w.page.click('[role=dialog] [data-test=run-action]');
    await expect.poll(() => w.page.locator('[data-test=highlight-status]').innerText()).toBe('已转化');
    const after = (await asRep('GET', `/api/v1/lead/${lead.id}`)).body.data;
    expect(after.status).toBe('converted');
    expect(after.converted_customer).toMatch(/^[0-9a-f-]{36}$/);
    await w.shot('08-lead-converted');
  });

  it('switches to English and back, labels from the metadata and the UI strings both', async () => {
    await w.page.click('.menu-item:has-text("客户") >> nth=0');
    await w.page.waitForSelector('[role=gridcell]');
    await w.page.click('[data-test=user-menu]');
    await w.page.click('[data-test=locale-en]');
    await expect.poll(() => w.page.locator('.page-head h1').innerText()).toBe('Customers');
    await expect.poll(() => w.page.locator('[data-test=new-record]').innerText()).toBe('New');
    await expect.poll(() => w.page.locator('.menu-group-label').first().innerText()).toBe('CUSTOMERS');
    await w.shot('09-english');
    await w.page.click('[data-test=user-menu]');
    await w.page.click('[data-test=locale-zh]');
    await expect.poll(() => w.page.locator('.page-head h1').innerText()).toBe('客户');
    // The refused save (422) and the stale one (409) above are logged by the browser as failed requests; nothing
    // else may be.
    expect(w.browser.errors.filter((e) => !/status of (422|409)/.test(e))).toEqual([]);
  });

  it('works at a phone width: the list, the menu behind its button, a record page', async () => {
    await w.page.setViewportSize({ width: 390, height: 844 });
    await w.page.goto(`${w.t.url}/e/customer`);
    await w.page.waitForSelector('[role=gridcell]');
    expect(await w.page.locator('.sidebar').boundingBox()).toMatchObject({ x: -260 });
    await w.shot('10-phone-list');
    await w.page.click('.nav-toggle');
    await expect.poll(async () => (await w.page.locator('.sidebar').boundingBox())?.x).toBe(0);
    await w.shot('11-phone-menu');
    await w.page.goto(`${w.t.url}/e/customer/${createdId}`);
    await w.page.waitForSelector('.tsection');
    await w.shot('12-phone-record');
    await w.page.setViewportSize({ width: 1280, height: 800 });
  });

  it('works at a tablet width: the list and a record page fit without scrolling sideways, approvals open', async () => {
    await w.page.setViewportSize({ width: 820, height: 1180 });
    const noSidewaysScroll = () => w.page.evaluate('document.documentElement.scrollWidth <= window.innerWidth');
    await w.page.goto(`${w.t.url}/e/customer`);
    await w.page.waitForSelector('[role=gridcell]');
    expect(await noSidewaysScroll()).toBe(true);
    await w.shot('13-tablet-list');
    await w.page.goto(`${w.t.url}/e/customer/${createdId}`);
    await w.page.waitForSelector('.tsection');
    expect(await noSidewaysScroll()).toBe(true);
    await w.shot('14-tablet-record');
    await w.page.goto(`${w.t.url}/approvals`);
    await w.page.waitForSelector('h1');
    expect(await noSidewaysScroll()).toBe(true);
    await w.shot('15-tablet-approvals');
    await w.page.setViewportSize({ width: 1280, height: 800 });
  });
});
