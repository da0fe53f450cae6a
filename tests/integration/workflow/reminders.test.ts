// Reminder rules (#20 part 4) on the reminder-demo fixture, scanned on a clock the test controls: each fires once per
// record, recipient and occurrence (twice at the same instant, from two engines at once, and again only for a later
// occurrence), reaches only recipients who may read the record, and snoozing and dismissing work per user through HTTP.
import { scheduledWork } from '../../../engine/src/jobs/scheduled-work.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareModel } from '../../../engine/src/api/served-model.js';
import { InProcessQueue } from '../../../engine/src/jobs/in-process-queue.js';
import { createLogger } from '../../../engine/src/shared/logger.js';
import { ReminderScheduler } from '../../../engine/src/workflow/reminder-scheduler.js';
import { startPeerEngine, startTestEngine, type TestEngine } from '../../support/test-engine.js';

let t: TestEngine;
const PASSWORD = 'reminder-password';
const users: Record<string, { id: string; token: string }> = {};

type Rec = Record<string, any>;

const DAY = 86_400_000;

async function role(code: string, grants: Rec): Promise<string> {
  const res = await t.request('POST', '/api/v1/role', { code, name: code, grants });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data.id;
}

async function user(username: string, roleId: string, extra: Rec = {}): Promise<void> {
  const res = await t.request('POST', '/api/v1/app_user', { username, display_name: username, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const id = res.body.data.id as string;
  expect((await t.request('PUT', `/api/admin/users/${id}/password`, { password: PASSWORD })).status).toBe(204);
  const r = await t.request('GET', `/api/v1/role/${roleId}`);
  const members = [...(r.body.data.members ?? []).map((m: any) => (typeof m === 'string' ? m : m.id)), id];
  const patched = await t.request('PATCH', `/api/v1/role/${roleId}`, { members }, { 'if-match': `"${r.body.data.version}"` });
  expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  users[username] = { id, token: await t.login(username, PASSWORD) };
}

const as = (username: string) => ({ authorization: `Bearer ${users[username]!.token}` });

async function create(entity: string, body: Rec): Promise<Rec> {
  const res = await t.request('POST', `/api/v1/${entity}`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

async function patch(entity: string, id: string, body: Rec): Promise<void> {
  const current = await t.request('GET', `/api/v1/${entity}/${id}`);
  const res = await t.request('PATCH', `/api/v1/${entity}/${id}`, body, { 'if-match': `"${current.body.data.version}"` });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

async function inbox(username: string, query = ''): Promise<Rec[]> {
  const res = await t.request('GET', `/api/v1/me/notifications${query}`, undefined, as(username));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

/** The caller's notifications about one record, newest first. */
async function about(username: string, recordId: string): Promise<Rec[]> {
  return (await inbox(username, '?limit=200')).filter((n) => n.recordId === recordId);
}

const scan = (name: string, now: Date) => t.engine.reminders.scan(name, now);

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'tests/fixtures/packs/reminder-demo'] });
  const everything = { actions: ['read', 'create', 'update'], scope: 'all' };
  const own = { actions: ['read', 'create', 'update'], scope: 'own' };
  const managers = await role('sales_manager', { entities: { lead: everything, customer: everything, opportunity: everything } });
  const reps = await role('sales_rep', { entities: { lead: own, customer: own, opportunity: own } });
  await user('boss', managers, { locale: 'zh-CN' });
  await user('rep1', reps, { manager: users.boss!.id, locale: 'en' });
  await user('rep2', reps, { locale: 'en' });
});

afterAll(async () => {
  await t?.stop();
});

describe('a condition-only (cron) rule', () => {
  it('fires once per episode: not again at the same instant or later, again after the record stopped matching', async () => {
    const lead = await create('lead', { name: 'Acme', owner: users.rep1!.id });
    const start = new Date(Date.now() + 6 * DAY);
    // Too early: created today, the rule wants 5 days without qualification.
    expect((await scan('lead.not_qualified', new Date())).notified).toBe(0);
    const first = await scan('lead.not_qualified', start);
    expect(first.notified).toBeGreaterThanOrEqual(1);
    const mine = await about('rep1', lead.id);
    expect(mine).toEqual([
      expect.objectContaining({
        kind: 'reminder',
        title: 'Lead not qualified',
        body: 'Acme is still not qualified',
        entity: 'lead',
        readAt: null,
      }),
    ]);
    expect((await scan('lead.not_qualified', start)).notified).toBe(0);
    expect((await scan('lead.not_qualified', new Date(start.getTime() + 3 * DAY))).notified).toBe(0);
    expect(await about('rep1', lead.id)).toHaveLength(1);

    await patch('lead', lead.id, { status: 'qualified' });
    expect((await scan('lead.not_qualified', new Date(start.getTime() + 4 * DAY))).notified).toBe(0);
    await patch('lead', lead.id, { status: 'new' });
    expect((await scan('lead.not_qualified', new Date(start.getTime() + 5 * DAY))).notified).toBe(1);
    expect(await about('rep1', lead.id)).toHaveLength(2);
  });

  it('with repeatEveryDays, reminds again each period; the owner’s manager reads it in their locale', async () => {
    const lead = await create('lead', { name: 'Globex', owner: users.rep1!.id });
    const start = new Date(Date.now() + 30 * DAY);
    await scan('lead.not_contacted', start);
    expect(await about('rep1', lead.id)).toHaveLength(1);
    const boss = await about('boss', lead.id);
    expect(boss).toEqual([expect.objectContaining({ title: '潜在客户无沟通', body: 'Globex 已 7 天以上无沟通' })]);
    await scan('lead.not_contacted', new Date(start.getTime() + 6 * DAY));
    expect(await about('rep1', lead.id)).toHaveLength(1);
    await scan('lead.not_contacted', new Date(start.getTime() + 7 * DAY));
    expect(await about('rep1', lead.id)).toHaveLength(2);
    expect(await about('boss', lead.id)).toHaveLength(2);
  });

  it('fires once when two engines scan the same rule at the same instant', async () => {
    const peer = await startPeerEngine(t, { packs: ['metadata/packs/core', 'tests/fixtures/packs/reminder-demo'] });
    try {
      // Created with no owner: the creator would own it otherwise.
      const lead = await create('lead', { name: 'Initech', owner: null });
      const now = new Date(Date.now() + 60 * DAY);
      const results = await Promise.all([
        t.engine.reminders.scan('lead.no_rep', now),
        peer.engine.reminders.scan('lead.no_rep', now),
        t.engine.reminders.scan('lead.no_rep', now),
      ]);
      expect(results.reduce((n, r) => n + r.notified, 0)).toBeGreaterThanOrEqual(1);
      // Managers (role sales_manager: boss) are told once; reps cannot read a lead they do not own.
      expect(await about('boss', lead.id)).toHaveLength(1);
      expect(await about('rep1', lead.id)).toHaveLength(0);
    } finally {
      await peer.stop();
    }
  });
});

describe('a date-offset rule', () => {
  it('fires before each yearly anniversary once, for a recipient who may read the record', async () => {
    const mine = await create('customer', {
      name: 'Wayne',
      owner: users.rep1!.id,
      account_manager: users.boss!.id,
      birthday: '1980-03-15',
      value: '20000.00',
    });
    // rep2 is its account manager but may read only their own customers: they are not told.
    const hidden = await create('customer', {
      name: 'Stark',
      owner: users.rep1!.id,
      account_manager: users.rep2!.id,
      birthday: '1975-03-14',
      value: '50000.00',
    });
    const scanAt = (iso: string) => scan('customer.birthday', new Date(iso));
    expect((await scanAt('2030-03-01T10:00:00Z')).notified).toBe(0);
    await scanAt('2030-03-12T10:00:00Z');
    expect(await about('boss', mine.id)).toEqual([expect.objectContaining({ body: 'Wayne 的生日是 1980-03-15' })]);
    await scanAt('2030-03-13T10:00:00Z');
    await scanAt('2030-03-15T10:00:00Z');
    expect(await about('boss', mine.id)).toHaveLength(1);
    expect(await about('rep2', hidden.id)).toHaveLength(0);
    await scanAt('2031-03-12T23:00:00Z');
    expect(await about('boss', mine.id)).toHaveLength(2);
  });

  it('fires on the due date or a few days late, not before nor long after', async () => {
    const customer = await create('customer', { name: 'Umbrella', owner: users.rep2!.id, renewal_on: '2031-05-01' });
    const scanAt = (iso: string) => scan('customer.renewal', new Date(iso));
    await scanAt('2031-03-31T12:00:00Z');
    expect(await about('rep2', customer.id)).toHaveLength(0);
    await scanAt('2031-04-03T12:00:00Z');
    const n = (await about('rep2', customer.id))[0]!;
    expect(n).toMatchObject({ title: 'Renewal due', body: 'Umbrella renews on 2031-05-01' });
    await scanAt('2031-04-04T12:00:00Z');
    expect(await about('rep2', customer.id)).toHaveLength(1);
    const late = await create('customer', { name: 'Late', owner: users.rep2!.id, renewal_on: '2031-05-01' });
    await scanAt('2031-04-10T12:00:00Z');
    expect(await about('rep2', late.id)).toHaveLength(0);
  });
});

describe('snooze and dismiss', () => {
  it('snoozing hides a notification until then, and it shows unread again', async () => {
    const lead = await create('lead', { name: 'Snoozy', owner: users.rep2!.id });
    await scan('lead.not_qualified', new Date(Date.now() + 100 * DAY));
    const n = (await about('rep2', lead.id))[0]!;
    expect((await t.request('POST', `/api/v1/me/notifications/${n.id}/read`, {}, as('rep2'))).status).toBe(200);
    const before = (await t.request('GET', '/api/v1/me/notifications/unread-count', undefined, as('rep2'))).body.data.unread;
    const until = new Date(Date.now() + 1500).toISOString();
    const snoozed = await t.request('POST', `/api/v1/me/notifications/${n.id}/snooze`, { until }, as('rep2'));
    expect(snoozed.status, JSON.stringify(snoozed.body)).toBe(200);
    expect(await about('rep2', lead.id)).toHaveLength(0);
    expect((await t.request('GET', '/api/v1/me/notifications/unread-count', undefined, as('rep2'))).body.data.unread).toBe(before);
    let back: Rec[] = [];
    for (let i = 0; i < 50 && back.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      back = await about('rep2', lead.id);
    }
    expect(back).toEqual([expect.objectContaining({ id: n.id, readAt: null })]);
    expect(Date.parse(back[0]!.shownAt)).toBe(Date.parse(until));
    const unread = await inbox('rep2', '?unread=true');
    expect(unread[0]?.id).toBe(n.id);
  });

  it('refuses a snooze into the past or of someone else’s notification', async () => {
    const n = (await inbox('rep2'))[0]!;
    const past = await t.request('POST', `/api/v1/me/notifications/${n.id}/snooze`, { until: '2020-01-01T00:00:00Z' }, as('rep2'));
    expect(past.status).toBe(422);
    expect(past.body.errors?.[0]?.pointer ?? past.body.fieldErrors?.[0]?.pointer ?? JSON.stringify(past.body)).toContain('/until');
    const other = await t.request(
      'POST',
      `/api/v1/me/notifications/${n.id}/snooze`,
      { until: new Date(Date.now() + DAY).toISOString() },
      as('rep1'),
    );
    expect(other.status).toBe(404);
  });

  it('dismissing stops that reminder of that record for that user only, for good', async () => {
    const lead = await create('lead', { name: 'Dismissed', owner: users.rep1!.id });
    const start = new Date(Date.now() + 200 * DAY);
    await scan('lead.not_contacted', start);
    const n = (await about('rep1', lead.id))[0]!;
    const dismissed = await t.request('POST', `/api/v1/me/notifications/${n.id}/dismiss`, undefined, as('rep1'));
    expect(dismissed.status).toBe(204);
    expect(await about('rep1', lead.id)).toHaveLength(0);
    await scan('lead.not_contacted', new Date(start.getTime() + 7 * DAY));
    await scan('lead.not_contacted', new Date(start.getTime() + 14 * DAY));
    expect(await about('rep1', lead.id)).toHaveLength(0);
    expect(await about('boss', lead.id)).toHaveLength(3);
  });
});

describe('the schedule', () => {
  it('puts one reminder:scan job per cron and time zone on the queue', async () => {
    const crons = new Set(t.engine.reminders.rules().map((r) => `${r.def.schedule.timeZone} ${r.def.schedule.cron}`));
    expect(crons).toEqual(
      new Set([
        'Asia/Shanghai 0 9 * * *',
        'Asia/Shanghai 0 9 * * 1-5',
        'UTC 0 9 * * *',
        'UTC 30 8 * * *',
        'UTC 0 9 * * 1',
        'UTC 0 6 * * *',
      ]),
    );
    expect(new Set(t.engine.reminders.schedules().map((s) => `${s.tz} ${s.cron}`))).toEqual(crons);
    // The schedule tick queues them with the Model's other scheduled work, one job per cron and time zone.
    const scans = scheduledWork(t.engine.models.current().model).filter((w) => w.job.name === 'reminder:scan');
    expect(new Set(scans.map((w) => `${w.schedule.tz} ${w.schedule.cron}`))).toEqual(crons);
    expect(scans).toHaveLength(crons.size);
  });

  it('a reminder:scan job scans the rules of its cron and time zone, as of when it runs', async () => {
    const lead = await create('lead', { name: 'Queued', owner: users.rep2!.id });
    const queue = new InProcessQueue({ log: createLogger('silent') });
    const prepared = prepareModel(t.engine.models.current().model, t.engine.registries);
    const scheduler = new ReminderScheduler(queue, {
      pool: t.engine.db.pool,
      current: () => prepared,
      plan: { channels: [] },
      log: createLogger('silent'),
    });
    try {
      scheduler.processScans();
      // not_contacted runs on '0 9 * * *' UTC; the lead was never contacted, so it is due now.
      await queue.add('reminder:scan', { cron: '0 9 * * *', tz: 'UTC' }, { jobKey: 'test-scan' });
      let mine: Rec[] = [];
      for (let i = 0; i < 100 && mine.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        mine = await about('rep2', lead.id);
      }
      expect(mine).toEqual([expect.objectContaining({ title: 'Lead not contacted' })]);
    } finally {
      await queue.close();
    }
  });
});
