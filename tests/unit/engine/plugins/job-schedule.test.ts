// A plugin job's schedule is checked when the plugin registers it, and becomes scheduled work keyed by job name
// (engine/src/plugins/load-plugins.ts, engine/src/jobs/plugin-jobs.ts).
import { describe, expect, it } from 'vitest';
import { pluginScheduledWork } from '../../../../engine/src/jobs/plugin-jobs.js';
import { setUpPlugins } from '../../../../engine/src/plugins/load-plugins.js';
import type { JobDef, TesseraPlugin } from '../../../../engine/src/plugins/plugin-api.js';
import { createLogger } from '../../../../engine/src/shared/logger.js';

const log = createLogger('silent');
const withJob = (job: Omit<JobDef, 'run'>): TesseraPlugin => ({
  name: 'probe',
  version: '1.0.0',
  setup(host) {
    host.job({ ...job, run: async () => undefined });
  },
});

describe('plugin job schedules', () => {
  it('refuses a job whose cron or time zone does not read, naming the plugin and the job', async () => {
    await expect(setUpPlugins([withJob({ name: 'probe:nightly', schedule: { cron: '61 * * * *' } })], log)).rejects.toThrow(
      /plugin probe: job probe:nightly has a bad schedule/,
    );
    await expect(
      setUpPlugins([withJob({ name: 'probe:nightly', schedule: { cron: '0 3 * * *', timeZone: 'Mars/Olympus' } })], log),
    ).rejects.toThrow(/bad schedule/);
  });

  it('makes each scheduled job one piece of scheduled work, in UTC unless it names a zone; unscheduled jobs none', async () => {
    const registries = await setUpPlugins(
      [
        withJob({ name: 'probe:nightly', schedule: { cron: '0 3 * * *' } }),
        { ...withJob({ name: 'probe:local', schedule: { cron: '30 6 * * 1', timeZone: 'Asia/Shanghai' } }), name: 'probe-local' },
        { ...withJob({ name: 'probe:on-demand' }), name: 'probe-on-demand' },
      ],
      log,
    );
    expect(pluginScheduledWork(registries.jobs)).toEqual([
      { id: 'plugin-job:probe:nightly', schedule: { cron: '0 3 * * *', tz: 'UTC' }, job: { name: 'probe:nightly', data: {} } },
      { id: 'plugin-job:probe:local', schedule: { cron: '30 6 * * 1', tz: 'Asia/Shanghai' }, job: { name: 'probe:local', data: {} } },
    ]);
  });
});
