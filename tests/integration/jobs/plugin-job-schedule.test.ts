// A plugin job a pack schedules (pack.json `schedules`, #24): it is scheduled work like the rest of the Model's — each
// occurrence queued once under its key, with the occurrence in its payload — and it writes through the pipeline as the system, in transactions
// that keep all of their writes or none (digest-writer on the scheduled-job-demo pack).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { scheduledWork } from '../../../engine/src/jobs/scheduled-work.js';
import { queueDueWork } from '../../../engine/src/jobs/schedule-tick.js';
import { listUrl } from '../../support/list-url.js';
import { expectProblem } from '../../support/problem-checks.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

let t: TestEngine;

beforeAll(async () => {
  t = await startTestEngine({
    packs: ['metadata/packs/core', 'tests/fixtures/packs/scheduled-job-demo'],
    pluginsDir: 'tests/fixtures/plugins',
  });
});

afterAll(async () => {
  await t?.stop();
});

// 19:00 UTC is 03:00 the next day in Shanghai: the digest's schedule.
const DUE = Date.parse('2026-12-06T19:00:30Z');

async function digests(): Promise<Array<Record<string, any>>> {
  const res = await t.request('GET', listUrl('digest', { sort: 'title' }));
  expect(res.status).toBe(200);
  return res.body.data;
}

async function settled(key: string, state: 'completed' | 'dead'): Promise<void> {
  await vi.waitFor(async () => expect((await t.engine.queue.list(state, 1000)).map((j) => j.key)).toContain(key), {
    timeout: 10_000,
    interval: 25,
  });
}

describe('a plugin job a pack schedules', () => {
  it('is queued once per occurrence and writes through the pipeline as the system', async () => {
    const model = t.engine.models.current().model;
    expect(scheduledWork(model).filter((w) => w.id.startsWith('pack-job:'))).toEqual([
      { id: 'pack-job:digest', schedule: { cron: '0 3 * * *', tz: 'Asia/Shanghai' }, job: { name: 'digest:write', data: {} } },
    ]);
    const key = 'schedule:pack-job:digest:2026-12-06T19:00:00.000Z';
    const digestKeys = (keys: string[]) => keys.filter((k) => k.startsWith('schedule:pack-job:'));
    expect(digestKeys(await queueDueWork(t.engine.queue, model, DUE, {}))).toEqual([key]);
    await settled(key, 'completed');
    // A later tick within the look-back, or another process's, adds the same key: nothing runs again.
    await queueDueWork(t.engine.queue, model, DUE + 120_000, {});
    expect(digestKeys(await queueDueWork(t.engine.queue, model, DUE - 3_600_000, {}))).toEqual([]);
    const [digest, ...more] = await digests();
    expect(more).toEqual([]);
    expect(digest).toMatchObject({ title: 'digest 2026-12-06T19:00:00.000Z', entries: 0 });
    const audit = await t.db.pool.query<{ action: string; actor_name: string; actor_id: string | null }>(
      `SELECT action, actor_name, actor_id FROM tessera_audit WHERE entity = 'digest' AND record_id = $1`,
      [digest?.id],
    );
    expect(audit.rows).toEqual([{ action: 'create', actor_name: 'tessera jobs', actor_id: null }]);
  });

  it('keeps nothing of a transaction that fails, and the pipeline refuses what the entity forbids', async () => {
    const before = await digests();
    await t.engine.queue.add('digest:write', { fail: true }, { jobKey: 'digest-fails' });
    await settled('digest-fails', 'dead');
    await t.engine.queue.add('digest:write', { entries: -1 }, { jobKey: 'digest-invalid' });
    await settled('digest-invalid', 'dead');
    const dead = await t.engine.queue.list('dead', 100);
    // The pipeline's own refusal (entries below its minimum) is what failed the job.
    expect(dead.find((j) => j.key === 'digest-invalid')).toMatchObject({ error: '1 field(s) are invalid' });
    expect(await digests()).toEqual(before);
    for (const key of ['digest-fails', 'digest-invalid']) await t.engine.queue.discard(key);
    // Refused like any write through the API.
    expectProblem(await t.request('POST', '/api/v1/digest', { title: 'x', entries: -1 }), 422, 'validation.failed', [
      { pointer: '/entries' },
    ]);
  });
});
