// Cube's playground (#22 part 2) in real Chromium: an analyst signs in on the playground's own listener, builds a
// query over their cubes and sees its result; the screenshot is kept as a test artefact. Cube's own dev-server routes
// answer 404 there.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type Browser } from './support/browser.js';
import { ARTEFACTS } from './support/ui-world.js';
import { setupBiWorld } from '../support/bi-world.js';
import { startTestEngine, type TestEngine } from '../support/test-engine.js';

let t: TestEngine;
let playground: string;
let browser: Browser;

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'metadata/packs/crm'] });
  await setupBiWorld(t, 12);
  const user = await t.request('POST', '/api/v1/app_user', { username: 'ana', display_name: 'Ana Lyst' });
  expect((await t.request('PUT', `/api/admin/users/${user.body.data.id}/password`, { password: 'ana-password' })).status).toBe(204);
  const grants = { entities: { opportunity: { actions: ['read'], scope: 'all' }, customer: { actions: ['read'], scope: 'all' } } };
  expect((await t.request('POST', '/api/v1/role', { code: 'analyst', name: '分析师', grants, members: [user.body.data.id] })).status).toBe(
    201,
  );
  playground = (await t.engine.listenPlayground(0, '127.0.0.1')).url;
  // Cube's playground is laid out for an English desktop browser.
  browser = await launchBrowser({ locale: 'en-US', width: 1280, height: 720 });
});

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe("Cube's playground", () => {
  it('lets an analyst sign in and run a query', async () => {
    const page = browser.page;
    page.setDefaultTimeout(15_000);
    await page.goto(playground);
    await page.fill('input[name=username]', 'ana');
    await page.fill('input[name=password]', 'ana-password');
    await page.click('button[type=submit]');
    await page.waitForURL(/#\/build/);
    await page.waitForSelector('[data-testid=Measure]:not([disabled])');
    await page.click('[data-testid=Measure]');
    // The opportunity cube's own member (the org-tree roll-up cube has one of the same title).
    await page.getByTestId('opportunity.pipeline').click();
    await page.click('[data-testid=Dimension]');
    await page.getByTestId('opportunity.priority').click();
    await page.click('[data-testid=chart-type-btn]');
    await page.getByTestId('chart-type-dropdown').getByText('Table').click();
    await page.getByRole('button', { name: 'Run' }).click();
    // The table (drawn in the playground's chart-renderer frame) shows the open pipeline per priority, as SQL computes it over
    // every opportunity (the analyst's scope is everything).
    const { rows } = await t.db.pool.query(
      `SELECT priority, sum(amount_cny) AS total FROM opportunity WHERE deleted_at IS NULL AND stage NOT IN ('won', 'lost') GROUP BY 1`,
    );
    expect(rows.length).toBeGreaterThan(1);
    const chart = page.frameLocator('iframe[src*="chart-renderers"]');
    for (const row of rows) {
      const line = chart.getByRole('row').filter({ hasText: new RegExp(`^\\s*${row.priority}(?![a-z])`) });
      await line.getByText(Number(row.total).toFixed(2), { exact: true }).waitFor();
    }
    mkdirSync(ARTEFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTEFACTS, 'bi-playground.png'), fullPage: true });
  });

  it("closes the dev server's routes and admits only administrators and analysts", async () => {
    for (const [method, path] of [
      ['POST', '/playground/token'],
      ['GET', '/playground/db-schema'],
      ['POST', '/playground/env'],
      ['POST', '/playground/driver'],
      ['GET', '/playground/files'],
      ['GET', '/cubejs-system/v1/context'],
    ] as const) {
      const res = await fetch(`${playground}${path}`, { method });
      expect(res.status, path).toBe(404);
    }
    expect((await fetch(`${playground}/playground/context`)).status).toBe(401);
    const index = await fetch(`${playground}/`, { redirect: 'manual' });
    expect(index.status).toBe(302);
    expect(index.headers.get('location')).toBe('/login');
    // A rep (no analyst role) is sent back to the sign-in page.
    const login = await fetch(`${playground}/login`, {
      method: 'POST',
      body: new URLSearchParams({ username: 'rep_east', password: 'rep_east-password' }),
      redirect: 'manual',
    });
    expect(login.headers.get('location')).toBe('/login?failed=1');
    expect(login.headers.get('set-cookie')).toBeNull();
  });
});
