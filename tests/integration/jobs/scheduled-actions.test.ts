// Scheduled actions (#24, a generic capability): a pack names a plugin action, a cron and a condition; each
// occurrence runs the action as the system on every live record meeting the condition, audited, several records per
// transaction when the action allows it (the sample's archive does); a record that fails does not stop the others
// (its batch runs again record by record), and the job fails naming it. Metadata naming an action
// the plugins do not have, or an input it refuses, is a metadata error.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queueDueWork } from '../../../engine/src/jobs/schedule-tick.js';
import { MetadataError } from '../../../engine/src/metadata/metadata-problem.js';
import { makeTempDir, removeDir, writePack } from '../../support/pack-builder.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const DEMO = join(ROOT, 'tests/fixtures/packs/plugin-demo');
const read = (path: string): Record<string, unknown> => JSON.parse(readFileSync(join(DEMO, path), 'utf8')) as Record<string, unknown>;

function demoPack(dir: string, scheduledActions: unknown[]): string {
  const note = { ...read('entities/note.json'), scheduledActions };
  return writePack(dir, read('pack.json'), [note, read('entities/note_event.json')]);
}

const ARCHIVE_DRAFTS = {
  id: 'demo.note.archive_drafts',
  name: 'archive_drafts',
  action: 'archive',
  schedule: { cron: '0 2 * * *', timeZone: 'Asia/Shanghai' },
  when: { and: [{ '==': [{ var: 'archived' }, false] }, { contains: [{ var: 'title' }, 'draft'] }] },
  input: { reason: 'nightly tidy-up' },
};
// 02:00 in Shanghai.
const DUE = Date.parse('2026-12-05T18:00:30Z');

let dir: string;
let t: TestEngine;

beforeAll(async () => {
  dir = makeTempDir();
  t = await startTestEngine({ packs: ['metadata/packs/core', demoPack(join(dir, 'demo'), [ARCHIVE_DRAFTS])] });
});

afterAll(async () => {
  await t?.stop();
  removeDir(dir);
});

async function note(title: string): Promise<string> {
  const res = await t.request('POST', '/api/v1/note', { title });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data.id as string;
}

const archived = async (id: string) => (await t.request('GET', `/api/v1/note/${id}`)).body.data.archived as boolean;

describe('scheduled actions', () => {
  it('run the action as the system on the records meeting the condition, each audited', async () => {
    const drafts = await Promise.all(['draft one', 'draft two', 'draft three'].map(note));
    const other = await note('final report');
    const keys = await queueDueWork(t.engine.queue, t.engine.models.current().model, DUE, {});
    expect(keys).toContain('schedule:action:demo.note/demo.note.archive_drafts:2026-12-05T18:00:00.000Z');
    await vi.waitFor(async () => expect(await Promise.all(drafts.map(archived))).toEqual([true, true, true]), {
      timeout: 10_000,
      interval: 50,
    });
    expect(await archived(other)).toBe(false);
    const audit = await t.db.pool.query(
      `SELECT action, actor_name, changes->'input'->'after'->>'reason' AS reason FROM tessera_audit WHERE record_id = $1 AND action LIKE 'action:%'`,
      [drafts[0]],
    );
    expect(audit.rows).toEqual([{ action: 'action:archive', actor_name: 'tessera schedule', reason: 'nightly tidy-up' }]);
  });

  it('go on past a record whose run fails, and fail the job naming it', async () => {
    // The pack's keep_open rule refuses to archive a note titled 'keep…': the action's write is refused for it.
    const refused = await note('keep this draft');
    const ok = await note('draft four');
    const due = DUE + 86_400_000;
    await queueDueWork(t.engine.queue, t.engine.models.current().model, due, {});
    await vi.waitFor(async () => expect(await archived(ok)).toBe(true), { timeout: 10_000, interval: 50 });
    const key = 'schedule:action:demo.note/demo.note.archive_drafts:2026-12-06T18:00:00.000Z';
    await vi.waitFor(
      async () => {
        const jobs = [...(await t.engine.queue.list('failed', 50)), ...(await t.engine.queue.list('dead', 50))];
        const job = jobs.find((j) => j.key === key);
        expect(job?.error).toContain(`archive failed on 1 of 2 note record(s): ${refused}:`);
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(await archived(refused)).toBe(false);
  });
});

async function problemsOf(name: string, scheduled: unknown[]): Promise<string[]> {
  const err = await startTestEngine({ packs: ['metadata/packs/core', demoPack(join(dir, name), scheduled)] }).then(
    async (e) => {
      await e.stop();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MetadataError);
  return (err as MetadataError).problems.map((p) => `${p.pointer} [${p.rule}] ${p.message}`);
}

describe('scheduled action metadata', () => {
  it('names an action the plugins have, with an input it accepts', async () => {
    const problems = await problemsOf('bad-actions', [
      { ...ARCHIVE_DRAFTS, action: 'shred' },
      { ...ARCHIVE_DRAFTS, id: 'demo.note.tidy', name: 'tidy', input: { reason: 'x' } },
    ]);
    expect(problems).toEqual([
      "/scheduledActions/0/action [schedule.unknown_action] note has no plugin action 'shred' (it has archive, clear_events, log_events)",
      "/scheduledActions/1/input/reason [schedule.invalid_input] not an input action 'archive' accepts: must NOT have fewer than 3 characters",
    ]);
  });

  it('has a cron that parses, a unique name and a condition over its fields', async () => {
    const problems = await problemsOf('bad-schedule', [
      { ...ARCHIVE_DRAFTS, schedule: { cron: 'every night' } },
      { ...ARCHIVE_DRAFTS, id: 'demo.note.again', when: { '==': [{ var: 'colour' }, 'red'] } },
    ]);
    expect(problems.map((p) => p.split(' [')[0])).toEqual(['/scheduledActions/0/schedule/cron', '/scheduledActions/1/name']);
    const when = await problemsOf('bad-when', [{ ...ARCHIVE_DRAFTS, when: { '==': [{ var: 'colour' }, 'red'] } }]);
    expect(when).toHaveLength(1);
    expect(when[0]).toMatch(/^\/scheduledActions\/0\/when\S* .*colour/);
  });
});
