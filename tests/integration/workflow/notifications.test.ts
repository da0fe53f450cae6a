// Notifications (#20 part 5): engine code stores them with notifyUsers inside a transaction (idempotent by key), and
// each user reads only their own at /api/v1/me/notifications — newest first, paged, unread only, an unread count,
// mark one or all read; another user's notification is a 404 and bad input a problem+json, never a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '../../../engine/src/db/transaction.js';
import { notifyUsers, type Notice } from '../../../engine/src/workflow/notify-users.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

let t: TestEngine;
const PASSWORD = 'notifications-password';
const ids: Record<string, string> = {};
const tokens: Record<string, string> = {};

async function user(username: string): Promise<void> {
  const res = await t.request('POST', '/api/v1/app_user', { username, display_name: username, locale: 'en' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  ids[username] = res.body.data.id;
  expect((await t.request('PUT', `/api/admin/users/${res.body.data.id}/password`, { password: PASSWORD })).status).toBe(204);
  tokens[username] = await t.login(username, PASSWORD);
}

const as = (username: string) => ({ authorization: `Bearer ${tokens[username]}` });
const get = (username: string, path: string) => t.request('GET', `/api/v1/me/notifications${path}`, undefined, as(username));
const post = (username: string, path: string) => t.request('POST', `/api/v1/me/notifications${path}`, {}, as(username));

function notify(notices: Notice[]): Promise<number> {
  return withTransaction(t.engine.db.pool, (tx) => notifyUsers(tx, notices, { channels: [] }));
}

const notice = (username: string, n: number): Notice => ({
  userId: ids[username]!,
  kind: 'approval',
  title: `Approve quote ${n}`,
  body: `Quote ${n} waits for you`,
  key: `test:${username}:${n}`,
});

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core'] });
  await user('ann');
  await user('bob');
});

afterAll(async () => {
  await t?.stop();
});

describe('notifyUsers', () => {
  it('stores each key once, so a handler that runs twice notifies once', async () => {
    expect(await notify([1, 2, 3].map((n) => notice('ann', n)))).toBe(3);
    expect(await notify([notice('ann', 3), notice('ann', 4), notice('ann', 4)])).toBe(1);
    expect(await notify([notice('bob', 1)])).toBe(1);
  });

  it('stores nothing when the transaction rolls back', async () => {
    await expect(
      withTransaction(t.engine.db.pool, async (tx) => {
        await notifyUsers(tx, [notice('ann', 99)], { channels: [] });
        throw new Error('the write failed');
      }),
    ).rejects.toThrow('the write failed');
    const all = await get('ann', '?limit=200');
    expect(all.body.data.map((n: any) => n.title)).not.toContain('Approve quote 99');
  });
});

describe('/api/v1/me/notifications', () => {
  it('lists the caller’s own, newest first and paged', async () => {
    const all = await get('ann', '');
    expect(all.status).toBe(200);
    expect(all.body.meta).toMatchObject({ total: 4, limit: 50, offset: 0 });
    expect(all.body.data.map((n: any) => n.title)).toEqual(['Approve quote 4', 'Approve quote 3', 'Approve quote 2', 'Approve quote 1']);
    expect(all.body.data[0]).toMatchObject({ kind: 'approval', body: 'Quote 4 waits for you', readAt: null, entity: null, recordId: null });
    const page = await get('ann', '?limit=2&offset=2');
    expect(page.body.data.map((n: any) => n.title)).toEqual(['Approve quote 2', 'Approve quote 1']);
    const bobs = await get('bob', '');
    expect(bobs.body.data.map((n: any) => n.title)).toEqual(['Approve quote 1']);
  });

  it('counts and lists unread ones; marks one and all read', async () => {
    expect((await get('ann', '/unread-count')).body.data).toEqual({ unread: 4 });
    const [latest] = (await get('ann', '')).body.data;
    const read = await post('ann', `/${latest.id}/read`);
    expect(read.status).toBe(200);
    expect(read.body.data.readAt).toEqual(expect.any(String));
    // Reading again keeps the first time.
    expect((await post('ann', `/${latest.id}/read`)).body.data.readAt).toBe(read.body.data.readAt);
    expect((await get('ann', '/unread-count')).body.data).toEqual({ unread: 3 });
    const unread = await get('ann', '?unread=true');
    expect(unread.body.data.map((n: any) => n.title)).toEqual(['Approve quote 3', 'Approve quote 2', 'Approve quote 1']);
    const all = await post('ann', '/read-all');
    expect(all.body.data).toEqual({ marked: 3 });
    expect((await get('ann', '/unread-count')).body.data).toEqual({ unread: 0 });
    // Bob's are his own.
    expect((await get('bob', '/unread-count')).body.data).toEqual({ unread: 1 });
  });

  it('answers 404 for another user’s notification and for an unknown id', async () => {
    const [bobs] = (await get('bob', '')).body.data;
    for (const path of [`/${bobs.id}/read`, `/${bobs.id}/dismiss`, '/00000000-0000-0000-0000-000000000000/read', '/not-a-uuid/read']) {
      const res = await post('ann', path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
      expect(res.body.type).toMatch(/notification.not_found/);
    }
    expect((await get('bob', '/unread-count')).body.data).toEqual({ unread: 1 });
  });

  it('refuses bad paging and filters with problem+json', async () => {
    for (const query of ['?limit=0', '?limit=1000', '?offset=-1', '?limit=abc', '?unread=yes']) {
      const res = await get('ann', query);
      expect(res.status, query).toBe(400);
      expect(res.body.type).toMatch(/request.invalid_query/);
    }
    const snooze = await t.request('POST', `/api/v1/me/notifications/${ids.ann}/snooze`, { until: 'tomorrow' }, as('ann'));
    expect(snooze.status).toBe(422);
  });

  it('needs a signed-in user', async () => {
    expect((await t.request('GET', '/api/v1/me/notifications', undefined, { authorization: '' })).status).toBe(401);
  });

  it('lets only administrators see deliveries', async () => {
    expect((await t.request('GET', '/api/admin/notifications/deliveries', undefined, as('ann'))).status).toBe(403);
    const res = await t.request('GET', '/api/admin/notifications/deliveries?state=failed');
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([]);
    expect((await t.request('GET', '/api/admin/notifications/deliveries?state=lost')).status).toBe(400);
  });
});

describe('the OpenAPI document', () => {
  it('documents the inbox for everyone and the deliveries for administrators', async () => {
    const mine = await t.request('GET', '/api/openapi.json', undefined, as('ann'));
    expect(mine.status).toBe(200);
    expect(Object.keys(mine.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/me/notifications',
        '/api/v1/me/notifications/unread-count',
        '/api/v1/me/notifications/read-all',
        '/api/v1/me/notifications/{id}/read',
        '/api/v1/me/notifications/{id}/snooze',
        '/api/v1/me/notifications/{id}/dismiss',
      ]),
    );
    expect(mine.body.paths['/api/admin/notifications/deliveries']).toBeUndefined();
    const admin = await t.request('GET', '/api/openapi.json');
    expect(admin.body.paths['/api/admin/notifications/deliveries'].get.operationId).toBe('listNotificationDeliveries');
  });
});
