// Dashboards end to end in Chromium: a rep's home page shows the CRM's home dashboard charted from Cube with their
// token (only their org unit's records: every number matches the scoped REST API and differs from the
// administrator's); a number drills down to the filtered list, a chart slice to its stage, a list line to its record;
// a new customer changes the home page's number (and is in its drill-down); the sales-analysis dashboard opens from the menu.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listUrl } from '../support/list-url.js';
import { startUiWorld, type UiWorld } from './support/ui-world.js';

let w: UiWorld;
let token = '';
const as = (tok: string) => (method: string, path: string, body?: unknown) =>
  w.t.request(method, path, body, { authorization: `Bearer ${tok}` });
const now = new Date();
const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString().slice(0, 10);
const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
const thisMonth = {
  and: [{ '>=': [{ var: 'created_at' }, `${monthStart}T00:00:00Z`] }, { '<': [{ var: 'created_at' }, `${nextMonth}T00:00:00Z`] }],
};
const digits = (text: string) => Number(text.replace(/[^\d.]/g, ''));
const widgetValue = (name: string) => w.page.locator(`[data-widget=${name}] [data-test=widget-value] strong`);

async function signInAs(username: string): Promise<string> {
  const res = await w.t.request('POST', '/api/auth/login', { username, password: 'tessera-demo' });
  return String(res.body.data.token);
}

beforeAll(async () => {
  w = await startUiWorld();
  token = await w.signIn('jiang.tao');
}, 120_000);

afterAll(async () => {
  await w?.stop();
});

describe('the home dashboard', () => {
  it("shows the rep's numbers, charts and opportunities from Cube, in their scope only", async () => {
    await w.page.waitForSelector('[data-dashboard=home]');
    await expect.poll(() => widgetValue('new_customers').count(), { timeout: 60_000 }).toBe(1);
    await w.page.waitForSelector('[data-widget=funnel] canvas', { timeout: 30_000 });
    await w.page.waitForSelector('[data-widget=revenue_trend] canvas, [data-widget=revenue_trend] .empty');
    await w.page.waitForSelector('[data-widget=my_opportunities] tbody tr');
    await w.page.waitForTimeout(600); // the charts' entry animation
    await w.shot('d01-home-dashboard');

    const rep = as(token);
    const repCustomers = (await rep('GET', listUrl('customer', { limit: 1, total: 'exact', fields: 'id', filter: thisMonth }))).body.meta
      .total;
    expect(digits(await widgetValue('new_customers').innerText())).toBe(repCustomers);
    // New customers' won revenue: the rep's figure is the scoped aggregate API's, and less than the whole company's.
    const wonNew = { and: [{ '==': [{ var: 'stage' }, 'won'] }, { '==': [{ var: 'customer.stage' }, 'new'] }] };
    const revenue = async (who: ReturnType<typeof as>) =>
      Number(
        (await who('GET', `/api/v1/opportunity/aggregate?measures=sum:amount_cny&filter=${encodeURIComponent(JSON.stringify(wonNew))}`))
          .body.data[0]['sum:amount_cny'],
      );
    const repRevenue = await revenue(rep);
    expect(repRevenue).toBeGreaterThan(0);
    expect(digits(await widgetValue('new_customer_revenue').innerText())).toBe(repRevenue);
    expect(await revenue(as(await signInAs('zhao.min')))).toBeGreaterThan(repRevenue);

    // Every line of "my opportunities" is the rep's own, open, as the API shows it.
    const rows = w.page.locator('[data-widget=my_opportunities] tbody tr');
    const names = await rows.locator('td:first-child').allInnerTexts();
    expect(names.length).toBeGreaterThan(0);
    const me = (await rep('GET', '/api/auth/me')).body.data.id;
    const mine = (
      await rep('GET', listUrl('opportunity', { limit: 200, fields: 'name,owner,stage', filter: { '==': [{ var: 'owner' }, me] } }))
    ).body.data as { name: string; stage: string }[];
    for (const name of names)
      expect(mine.find((o) => o.name === name)?.stage).toMatch(/^(qualification|needs_analysis|proposal|negotiation)$/);
    // The top-10 customers the rep's chart is drawn from are customers the rep may read, and no one else's.
    const cubeToken = (await rep('POST', '/api/bi/token')).body.data.token;
    const top = await w.t.request(
      'POST',
      '/cubejs-api/v1/load',
      { query: { measures: ['opportunity.won_revenue'], dimensions: ['customer.id'], segments: ['opportunity.won'], limit: 10 } },
      { authorization: cubeToken },
    );
    expect(top.status, JSON.stringify(top.body)).toBe(200);
    for (const row of top.body.data as Record<string, string>[]) {
      expect((await rep('GET', `/api/v1/customer/${row['customer.id']}`)).status).toBe(200);
    }
  });

  it('drills a funnel stage down to its opportunities, and a list line to its record', async () => {
    await w.page.click('.menu-item:has-text("首页")');
    const canvas = w.page.locator('[data-widget=funnel] canvas');
    await canvas.waitFor();
    await w.page.waitForTimeout(600);
    const box = await canvas.boundingBox();
    if (!box) throw new Error('no funnel on screen');
    // The funnel's widest (first) stage is at its top, centred in the funnel's 8%..72% band.
    await w.page.mouse.click(box.x + box.width * 0.4, box.y + 30);
    await w.page.waitForURL(/\/e\/opportunity\?/);
    const filter = JSON.parse(new URL(w.page.url()).searchParams.get('filter') ?? '{}');
    expect(JSON.stringify(filter)).toContain('"var":"stage"');
    await w.page.waitForSelector('[role=gridcell]');
    await w.page.click('.menu-item:has-text("首页")');
    const first = w.page.locator('[data-widget=my_opportunities] tbody tr').first();
    await first.waitFor();
    await first.click();
    await w.page.waitForURL(/\/e\/opportunity\/[0-9a-f-]{36}$/);
  });

  it('counts a customer the rep creates', async () => {
    await w.page.click('.menu-item:has-text("首页")');
    await expect.poll(() => widgetValue('new_customers').count(), { timeout: 30_000 }).toBe(1);
    const before = digits(await widgetValue('new_customers').innerText());
    const created = await as(token)('POST', '/api/v1/customer', { name: '看板测试客户有限公司', region: 'east', industry: 'retail' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // Cube checks for new data every 10 seconds (its default refresh key): reload until the number has moved.
    await expect
      .poll(
        async () => {
          await w.page.reload();
          return digits(await widgetValue('new_customers').innerText());
        },
        { timeout: 60_000, interval: 3000 },
      )
      .toBe(before + 1);
    await w.shot('d05-home-number-changed');
  }, 120_000);

  it('drills a number down to the filtered list', async () => {
    const shown = digits(await widgetValue('new_customers').innerText());
    await widgetValue('new_customers').click();
    await w.page.waitForURL(/\/e\/customer\?/);
    await w.page.waitForSelector('[data-test=drill]');
    await expect.poll(() => w.page.locator('[data-test=list-count]').innerText()).toMatch(/\d/);
    expect(digits(await w.page.locator('[data-test=list-count]').innerText())).toBe(shown);
    await w.shot('d02-drilled-list');
    await w.page.click('[data-test=drill] button');
    await expect.poll(() => w.page.locator('[data-test=drill]').count()).toBe(0);
  });

  it("opens the sales analysis dashboard from the menu, at a phone's width too", async () => {
    await w.page.click('.menu-item:has-text("销售分析")');
    await w.page.waitForSelector('[data-dashboard=sales_analysis] [data-widget=customer_sources] canvas', { timeout: 30_000 });
    await w.page.waitForSelector('[data-widget=win_rate] [data-test=widget-value]');
    expect(await w.page.locator('[data-widget=win_rate] strong').innerText()).toMatch(/%$/);
    await w.page.waitForTimeout(600);
    await w.shot('d03-sales-analysis');
    await w.page.setViewportSize({ width: 390, height: 844 });
    await w.page.waitForTimeout(400);
    await w.shot('d04-sales-analysis-phone');
    await w.page.setViewportSize({ width: 1280, height: 800 });
    expect(w.browser.errors).toEqual([]);
  });
});
