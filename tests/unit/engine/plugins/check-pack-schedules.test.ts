// A pack's scheduled plugin jobs (pack.json `schedules`): listed as scheduled work keyed by their id, refused at
// preparation when no plugin registered the job or the cron does not parse, with the file and pointer.
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scheduledWork } from '../../../../engine/src/jobs/scheduled-work.js';
import { loadModel } from '../../../../engine/src/metadata/load-model.js';
import type { Model } from '../../../../engine/src/metadata/model.js';
import { checkPackSchedules } from '../../../../engine/src/plugins/check-pack-schedules.js';
import type { JobDef } from '../../../../engine/src/plugins/plugin-api.js';
import { BUILTIN_RULES } from '../../../support/builtin-rules.js';
import { makeTempDir, removeDir, writePack } from '../../../support/pack-builder.js';

const root = makeTempDir('tessera-pack-schedules-');
afterAll(() => removeDir(root));

const dir = writePack(
  join(root, 'nightly'),
  {
    name: 'nightly',
    version: '1.0.0',
    label: { en: 'Nightly' },
    schedules: [
      {
        id: 'nightly.count',
        job: 'sample:count-notes',
        schedule: { cron: '0 3 * * *', timeZone: 'Asia/Shanghai' },
        payload: { why: 'nightly' },
      },
    ],
  },
  [
    {
      id: 'nightly.note',
      name: 'note',
      label: { en: 'Note' },
      fields: [{ id: 'nightly.note.title', name: 'title', kind: 'text', label: { en: 'Title' } }],
    },
  ],
);
const model = loadModel([resolve('metadata/packs/core'), dir], { kinds: BUILTIN_RULES.kinds });
const job: JobDef = { name: 'sample:count-notes', run: async () => undefined };

describe('pack schedules', () => {
  it('become scheduled work with their payload, in their time zone', () => {
    const work = scheduledWork(model).filter((w) => w.id.startsWith('pack-job:'));
    expect(work).toEqual([
      {
        id: 'pack-job:nightly.count',
        schedule: { cron: '0 3 * * *', tz: 'Asia/Shanghai' },
        job: { name: 'sample:count-notes', data: { why: 'nightly' } },
      },
    ]);
  });

  it('name a registered job and a cron that parses', () => {
    expect(checkPackSchedules(model, new Map([[job.name, job]]))).toEqual([]);
    const [unknown] = checkPackSchedules(model, new Map());
    expect(unknown).toMatchObject({ pack: 'nightly', pointer: '/schedules/0/job', rule: 'schedule.unknown_job' });
    expect(unknown?.file).toBe(`${dir}/pack.json`);
    const broken: Model = {
      ...model,
      packs: model.packs.map((p) =>
        p.schedules ? { ...p, schedules: p.schedules.map((s) => ({ ...s, schedule: { cron: 'every day', tz: 'UTC' } })) } : p,
      ),
    };
    expect(checkPackSchedules(broken, new Map([[job.name, job]]))).toEqual([
      expect.objectContaining({ pointer: '/schedules/0/schedule/cron', rule: 'schedule.invalid_cron' }),
    ]);
  });
});
