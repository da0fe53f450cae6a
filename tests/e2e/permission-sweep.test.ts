// A rep never meets another org unit's records (#23), on the screens not covered elsewhere: the top bar's search,
// a relation picker and a list's export. (Lists: runtime-ui.test.ts; the board: work-views.test.ts; the calendar:
// calendar-tasks.test.ts; dashboards: dashboards.test.ts.) The east rep looks for a south customer by its exact name;
// the east branch head exports.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../plugins/crm-demo/sales-org.js';
import { startUiWorld, type UiWorld } from './support/ui-world.js';

const REP = 'jiang.tao';
const HEAD = 'sun.li';
let w: UiWorld;
let south: { id: string; name: string };
let own: { id: string; name: string };

beforeAll(async () => {
  w = await startUiWorld();
  const pick = async (where: string) =>
    (
      await w.t.engine.db.pool.query<{ id: string; name: string }>(
        `SELECT c.id::text AS id, c.name FROM customer c JOIN app_user u ON u.id = c.owner_id
          WHERE c.deleted_at IS NULL AND ${where} ORDER BY c.customer_no LIMIT 1`,
      )
    ).rows[0]!;
  south = await pick(`c.org_unit_id IN (SELECT id FROM org_unit WHERE code LIKE 'SOUTH%')`);
  own = await pick(`u.username = '${REP}'`);
  await w.signIn(REP);
}, 120_000);

afterAll(() => w?.stop());

describe("a rep and another org unit's records", () => {
  it('finds none through the top bar search, while their own is found', async () => {
    for (const [c, found] of [
      [own, true],
      [south, false],
    ] as const) {
      const answered = w.page.waitForResponse(
        (r) => r.url().includes('/api/v1/search') && new URL(r.url()).searchParams.get('q') === c.name,
      );
      await w.page.fill('[data-test=search]', c.name);
      expect((await answered).status()).toBe(200);
      await expect.poll(() => w.page.locator(`[data-hit="customer/${c.id}"]`).count()).toBe(found ? 1 : 0);
    }
    await w.shot('p01-search-other-unit');
  });

  it('is not offered one in a relation picker', async () => {
    await w.page.goto(`${w.t.url}/e/opportunity/new`);
    await w.page.waitForSelector('#root_customer');
    for (const [c, offered] of [
      [own, 1],
      [south, 0],
    ] as const) {
      const answered = w.page.waitForResponse((r) => r.url().includes('/api/v1/customer?') && r.status() === 200);
      await w.page.fill('#root_customer', c.name);
      await answered;
      await expect.poll(() => w.page.locator('[data-field=customer] [role=option]', { hasText: c.name }).count()).toBe(offered);
    }
    await w.shot('p02-picker-other-unit');
  });

  it("exports only the records of its own scope (a branch head, who may export: the east's, none of the south's)", async () => {
    await w.signIn(HEAD);
    await w.page.goto(`${w.t.url}/e/customer`);
    await w.page.waitForSelector('[role=gridcell]');
    const [download] = await Promise.all([w.page.waitForEvent('download'), w.page.click('[data-test=export]')]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv).toContain(own.name);
    expect(csv).not.toContain(south.name);
    const readable = (
      await w.t.request('GET', `/api/v1/customer?total=exact&limit=1&fields=id`, undefined, {
        authorization: `Bearer ${await w.t.login(HEAD, DEMO_PASSWORD)}`,
      })
    ).body.meta.total as number;
    expect(csv.trim().split('\n').length - 1).toBe(readable);
  });
});
