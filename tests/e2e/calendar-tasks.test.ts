// Work views end to end in Chromium: a rep's visit calendar shows their visit plans (and no one else's) on their days
// and opens one; My tasks lists their open activities, grouped by when they are due, exactly as the API holds them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listUrl } from '../support/list-url.js';
import { startUiWorld, type UiWorld } from './support/ui-world.js';

let w: UiWorld;
let token = '';
let me = '';
const asRep = (method: string, path: string, body?: unknown) => w.t.request(method, path, body, { authorization: `Bearer ${token}` });

beforeAll(async () => {
  w = await startUiWorld();
  token = await w.signIn('jiang.tao');
  me = (await asRep('GET', '/api/auth/me')).body.data.id;
}, 120_000);

afterAll(async () => {
  await w?.stop();
});

describe('the visit calendar', () => {
  it("places the rep's visit plans on their days, and only theirs", async () => {
    // A visit of the rep's own this month, so the month is never empty.
    const customer = (await asRep('GET', listUrl('customer', { fields: 'id', limit: 1 }))).body.data[0].id;
    const at = new Date();
    at.setHours(10, 30, 0, 0);
    const made = await asRep('POST', '/api/v1/activity', {
      kind: 'visit',
      subject: '日历测试拜访',
      status: 'planned',
      customer,
      scheduled_at: at.toISOString(),
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    await w.page.click('.menu-item:has-text("拜访日历")');
    await w.page.waitForSelector('[data-test=calendar]');
    await w.page.waitForSelector(`[data-event="${made.body.data.id}"]`);
    await w.shot('c01-visit-calendar');
    const shown = await w.page.locator('[data-event]').evaluateAll((els) => els.map((e) => e.getAttribute('data-event')));
    for (const id of shown) {
      const rec = (await asRep('GET', `/api/v1/activity/${id}`)).body.data;
      expect(['visit', 'meeting']).toContain(rec.kind);
    }
    await w.page.click(`[data-event="${made.body.data.id}"]`);
    await w.page.waitForURL(new RegExp(`/e/activity/${made.body.data.id}$`));
    await w.page.goBack();
    await w.page.waitForSelector('[data-test=calendar]');
    const month = await w.page.locator('[data-test=calendar-month]').innerText();
    await w.page.click('[aria-label="上个月"]');
    await expect.poll(() => w.page.locator('[data-test=calendar-month]').innerText()).not.toBe(month);
  });

  it("shows a rep none of another org unit's visits", async () => {
    const other = await w.t.login('lv.na', 'tessera-demo');
    const theirs = (
      await w.t.request(
        'GET',
        listUrl('activity', { fields: 'id', limit: 50, filter: { in: [{ var: 'kind' }, ['visit', 'meeting']] } }),
        undefined,
        {
          authorization: `Bearer ${other}`,
        },
      )
    ).body.data.map((r: any) => r.id as string);
    await w.page.click('[aria-label="下个月"]');
    const shown = new Set(await w.page.locator('[data-event]').evaluateAll((els) => els.map((e) => e.getAttribute('data-event'))));
    for (const id of theirs) expect(shown.has(id)).toBe(false);
  });
});

describe('my tasks', () => {
  it("lists the rep's open activities grouped by when they are due", async () => {
    await w.page.click('.menu-item:has-text("我的任务")');
    await w.page.waitForSelector('[data-test=task], [data-test=tasks-empty]');
    const open = {
      and: [{ '==': [{ var: 'status' }, 'planned'] }, { '==': [{ var: 'owner' }, me] }],
    };
    const total = (await asRep('GET', listUrl('activity', { filter: open, total: 'exact', limit: 1, fields: 'id' }))).body.meta.total;
    expect(total).toBeGreaterThan(0);
    expect(await w.page.locator('[data-test=task]').count()).toBe(total);
    expect(
      await w.page
        .locator(
          '[data-group=noDate] [data-test=task], [data-group=today] [data-test=task], [data-group=upcoming] [data-test=task], [data-group=overdue] [data-test=task]',
        )
        .count(),
    ).toBe(total);
    await w.shot('c02-my-tasks');
    await w.page.setViewportSize({ width: 390, height: 844 });
    await w.shot('c03-my-tasks-phone');
    await w.page.setViewportSize({ width: 1280, height: 800 });
    expect(w.browser.errors, w.browser.errors.join('\n')).toEqual([]);
  });

  it('marks a task done from the list: the completing transition is taken through the API and the task leaves the list', async () => {
    const customer = (await asRep('GET', listUrl('customer', { fields: 'id', limit: 1 }))).body.data[0].id;
    const today = new Date();
    const day = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
    const made = await asRep('POST', '/api/v1/activity', {
      kind: 'call',
      subject: '回访：确认交付时间',
      status: 'planned',
      customer,
      due_on: day,
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const id = made.body.data.id;
    await w.page.reload();
    const row = w.page.locator(`[data-task="${id}"]`);
    await row.waitFor();
    const before = await w.page.locator('[data-test=task]').count();
    await w.shot('c04-my-tasks-mark-done');
    await row.locator('[data-test=mark-done]').click();
    await expect.poll(() => row.count()).toBe(0);
    await expect.poll(() => w.page.locator('[data-test=tasks-notice]').innerText()).toBe('已完成：回访：确认交付时间');
    expect(await w.page.locator('[data-test=task]').count()).toBe(before - 1);
    // Completed by the pack's transition, with what it sets.
    const done = (await asRep('GET', `/api/v1/activity/${id}`)).body.data;
    expect(done.status).toBe('done');
    expect(done.done_at).not.toBeNull();
    expect(w.browser.errors, w.browser.errors.join('\n')).toEqual([]);
  });
});
