// When scheduled work is due (#20 part 6): the newest occurrence of each schedule in the tick's look-back window,
// read in the schedule's time zone, queued under a key of the work and the occurrence so that each runs once.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InProcessQueue } from '../../../../engine/src/jobs/in-process-queue.js';
import { dueOccurrence, queueDueWork, TICK_LOOK_BACK_MS } from '../../../../engine/src/jobs/schedule-tick.js';
import { scheduledWork } from '../../../../engine/src/jobs/scheduled-work.js';
import { loadModel } from '../../../../engine/src/metadata/load-model.js';
import { createLogger } from '../../../../engine/src/shared/logger.js';
import { BUILTIN_RULES } from '../../../support/builtin-rules.js';

const model = loadModel([resolve('metadata/packs/core'), resolve('tests/fixtures/packs/schedule-demo')], { kinds: BUILTIN_RULES.kinds });
const at = (iso: string) => Date.parse(iso);

describe('scheduled work', () => {
  it('lists the pool return and the recompute the fixture schedules, keyed by entity id, the search reindex and the blob collection', () => {
    expect(scheduledWork(model).map((w) => [w.id, w.job.name, w.job.data, w.schedule])).toEqual([
      ['pool-return:scheddemo.ticket', 'pool:return', { entity: 'ticket' }, { cron: '*/10 * * * *', tz: 'UTC' }],
      ['recompute:scheddemo.ticket', 'records:recompute', { entity: 'ticket' }, { cron: '0 3 * * *', tz: 'Asia/Shanghai' }],
      // The fixture's entities have title fields, so search rows written around the pipeline are caught up.
      ['search-reindex', 'search:reindex', {}, { cron: '*/10 * * * *', tz: 'UTC' }],
      // Stored blobs no record keeps are collected daily, whatever the Model (#25).
      ['blob-collect', 'blobs:collect', {}, { cron: '17 3 * * *', tz: 'UTC' }],
    ]);
  });

  it('finds the newest occurrence in a window, in the schedule’s time zone', () => {
    const [poolReturn, recompute] = scheduledWork(model);
    if (!poolReturn || !recompute) throw new Error('fixture');
    expect(dueOccurrence(poolReturn, at('2026-12-06T10:00:00Z'), at('2026-12-06T10:35:00Z'))).toBe(at('2026-12-06T10:30:00Z'));
    expect(dueOccurrence(poolReturn, at('2026-12-06T10:30:00Z'), at('2026-12-06T10:35:00Z'))).toBeUndefined();
    // 03:00 in Shanghai is 19:00 UTC the day before.
    expect(dueOccurrence(recompute, at('2026-12-06T18:55:00Z'), at('2026-12-06T19:00:00Z'))).toBe(at('2026-12-06T19:00:00Z'));
    expect(dueOccurrence(recompute, at('2026-12-06T02:55:00Z'), at('2026-12-06T03:00:00Z'))).toBeUndefined();
  });

  it('queues each occurrence once, however many ticks see it, and a late tick still sees it', async () => {
    const queue = new InProcessQueue({ log: createLogger('silent') });
    try {
      const tick = at('2026-12-06T19:00:20Z');
      const keys = await queueDueWork(queue, model, tick, {});
      expect(keys).toEqual([
        'schedule:pool-return:scheddemo.ticket:2026-12-06T19:00:00.000Z',
        'schedule:recompute:scheddemo.ticket:2026-12-06T19:00:00.000Z',
        'schedule:search-reindex:2026-12-06T19:00:00.000Z',
      ]);
      // The next ticks, up to the look-back, queue the same keys: the queue keeps one job per key.
      expect(await queueDueWork(queue, model, tick + 60_000, {})).toEqual(keys);
      expect(await queueDueWork(queue, model, tick + TICK_LOOK_BACK_MS - 60_000, {})).toEqual(keys);
      expect((await queue.list('waiting', 10)).map((j) => j.key).sort()).toEqual(keys);
      // Past the look-back the 19:00 run is no longer due (the pool's 19:10 is).
      expect(await queueDueWork(queue, model, at('2026-12-06T19:10:20Z'), {})).toEqual([
        'schedule:pool-return:scheddemo.ticket:2026-12-06T19:10:00.000Z',
        'schedule:search-reindex:2026-12-06T19:10:00.000Z',
      ]);
    } finally {
      await queue.close();
    }
  });
});
