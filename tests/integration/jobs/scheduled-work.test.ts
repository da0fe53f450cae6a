// Scheduled work through a whole engine (#20 part 6): the pool return and the recompute of derived fields that read
// the clock run as queued jobs when their cron falls due, once per occurrence, as the schedule's actor.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queueDueWork } from '../../../engine/src/jobs/schedule-tick.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

let t: TestEngine;
let adminId: string;

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'tests/fixtures/packs/schedule-demo'] });
  adminId = (await t.db.pool.query<{ id: string }>(`SELECT id::text AS id FROM app_user WHERE username = 'admin'`)).rows[0]?.id ?? '';
});

afterAll(async () => {
  await t?.stop();
});

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
// 19:00 UTC is on the pool's every-ten-minutes schedule, and 03:00 in Shanghai: the recompute's.
const DUE = Date.parse('2026-12-06T19:00:30Z');

async function ticket(id: string): Promise<Record<string, any>> {
  const res = await t.request('GET', `/api/v1/ticket/${id}`);
  expect(res.status).toBe(200);
  return res.body.data;
}

describe('scheduled work', () => {
  it('recomputes a stored value that reads the clock when its schedule falls due', async () => {
    const created = await t.request('POST', '/api/v1/ticket', { subject: 'Printer jam', opened_on: day(-10) });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.data.age_days).toBe(10);
    const id = created.body.data.id as string;
    // As if days had passed since the value was stored.
    await t.db.pool.query(`UPDATE ticket SET age_days = 2 WHERE id = $1`, [id]);
    expect((await ticket(id)).age_days).toBe(2);

    const model = t.engine.models.current().model;
    const keys = await queueDueWork(t.engine.queue, model, DUE, {});
    expect(keys).toContain('schedule:recompute:scheddemo.ticket:2026-12-06T19:00:00.000Z');
    await vi.waitFor(async () => expect((await ticket(id)).age_days).toBe(10), { timeout: 10_000, interval: 50 });
  });

  it('returns records without activity to the pool, once per occurrence, as the schedule', async () => {
    const created = await t.request('POST', '/api/v1/ticket', { subject: 'Quiet one', opened_on: day(-1), owner: adminId });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.data.id as string;
    await t.db.pool.query(`UPDATE ticket SET updated_at = now() - interval '5 days' WHERE id = $1`, [id]);

    // 19:10: the 19:00 occurrence already ran in the test above, with nothing to return.
    const due = DUE + 600_000;
    const model = t.engine.models.current().model;
    await queueDueWork(t.engine.queue, model, due, {});
    await vi.waitFor(async () => expect((await ticket(id)).owner).toBeNull(), { timeout: 10_000, interval: 50 });
    const history = await t.db.pool.query(
      `SELECT reason, actor_name, request_id FROM tessera_assignment_history WHERE record_id = $1 AND reason = 'pool_return'`,
      [id],
    );
    expect(history.rows).toEqual([
      {
        reason: 'pool_return',
        actor_name: 'tessera schedule',
        request_id: 'schedule:pool-return:scheddemo.ticket:2026-12-06T19:10:00.000Z',
      },
    ]);

    // The same occurrence seen by a later tick is not run again, even with a record to return.
    const again = await t.request('POST', '/api/v1/ticket', { subject: 'Another quiet one', opened_on: day(-1), owner: adminId });
    await t.db.pool.query(`UPDATE ticket SET updated_at = now() - interval '5 days' WHERE id = $1`, [again.body.data.id]);
    await queueDueWork(t.engine.queue, model, due + 60_000, {});
    await new Promise((r) => setTimeout(r, 300));
    expect((await ticket(again.body.data.id)).owner).toBe(adminId);
    // The next occurrence takes it.
    await queueDueWork(t.engine.queue, model, due + 600_000, {});
    await vi.waitFor(async () => expect((await ticket(again.body.data.id)).owner).toBeNull(), { timeout: 10_000, interval: 50 });
  });
});
