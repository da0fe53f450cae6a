// Records controlled by their parent (`ownership.parentField`): a role's scope reaches a purchase's items, and an
// item's notes, exactly when it reaches the purchase — in lists, gets, writes and aggregates — so lines of a
// contract or items of an invoice need no owner of their own (parent-scope-demo fixture, two reps with scope own).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listUrl } from '../../support/list-url.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

let t: TestEngine;
const token: Record<string, string> = {};
const ids: Record<string, string> = {};

async function created(entity: string, body: Record<string, unknown>, as?: string): Promise<string> {
  const res = await t.request('POST', `/api/v1/${entity}`, body, as ? { authorization: `Bearer ${token[as]}` } : {});
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data.id as string;
}

const as = (user: string) => ({ authorization: `Bearer ${token[user]}` });

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'tests/fixtures/packs/parent-scope-demo'] });
  const grant = { actions: ['read', 'create', 'update', 'delete'], scope: 'own' };
  const members: string[] = [];
  for (const name of ['ann', 'ben']) {
    ids[name] = await created('app_user', { username: name, display_name: name });
    members.push(ids[name]!);
    expect((await t.request('PUT', `/api/admin/users/${ids[name]}/password`, { password: `${name}-password-1` })).status).toBe(204);
  }
  const role = await t.request('POST', '/api/v1/role', {
    code: 'buyer',
    name: 'Buyers',
    grants: { entities: { purchase: grant, purchase_item: grant, item_note: grant } },
    members,
  });
  expect(role.status, JSON.stringify(role.body)).toBe(201);
  for (const name of ['ann', 'ben']) token[name] = await t.login(name, `${name}-password-1`);
  for (const name of ['ann', 'ben']) {
    ids[`${name}.purchase`] = await created('purchase', { title: `${name}'s purchase` }, name);
    ids[`${name}.item`] = await created('purchase_item', { name: `${name}'s item`, purchase: ids[`${name}.purchase`] }, name);
    ids[`${name}.note`] = await created('item_note', { text: `${name}'s note`, item: ids[`${name}.item`] }, name);
  }
});
afterAll(() => t?.stop());

describe('a record controlled by its parent', () => {
  it('is listed, read and counted for whoever the parent is in scope of, through a chain of parents', async () => {
    for (const [user, other] of [
      ['ann', 'ben'],
      ['ben', 'ann'],
    ] as const) {
      for (const [entity, key] of [
        ['purchase_item', 'item'],
        ['item_note', 'note'],
      ] as const) {
        const list = await t.request('GET', listUrl(entity, { limit: 50 }), undefined, as(user));
        expect(
          list.body.data.map((r: { id: string }) => r.id),
          `${user} ${entity}`,
        ).toEqual([ids[`${user}.${key}`]]);
        expect((await t.request('GET', `/api/v1/${entity}/${ids[`${other}.${key}`]}`, undefined, as(user))).status).toBe(404);
        const counted = await t.request('GET', `/api/v1/${entity}/aggregate?measures=count`, undefined, as(user));
        expect(counted.body.data, JSON.stringify(counted.body)).toMatchObject([{ count: 1 }]);
      }
    }
    // The administrator's scope is everything.
    expect((await t.request('GET', listUrl('item_note', { limit: 50 }))).body.data).toHaveLength(2);
  });

  it('cannot be written under a parent out of scope, nor moved to one', async () => {
    const under = await t.request('POST', '/api/v1/purchase_item', { name: 'sneaked', purchase: ids['ben.purchase'] }, as('ann'));
    expect([403, 404, 422]).toContain(under.status);
    const item = await t.request('GET', `/api/v1/purchase_item/${ids['ann.item']}`, undefined, as('ann'));
    const moved = await t.request(
      'PATCH',
      `/api/v1/purchase_item/${ids['ann.item']}`,
      { purchase: ids['ben.purchase'] },
      { ...as('ann'), 'if-match': `"${item.body.data.version}"` },
    );
    expect([403, 404, 422]).toContain(moved.status);
    const ben = await t.request('GET', listUrl('purchase_item', { limit: 50 }), undefined, as('ben'));
    expect(ben.body.data.map((r: { name: string }) => r.name)).toEqual(["ben's item"]);
  });

  it('follows the parent when the parent changes hands', async () => {
    const purchase = await t.request('GET', `/api/v1/purchase/${ids['ann.purchase']}`);
    const handed = await t.request(
      'PATCH',
      `/api/v1/purchase/${ids['ann.purchase']}`,
      { owner: ids.ben },
      { 'if-match': `"${purchase.body.data.version}"` },
    );
    expect(handed.status, JSON.stringify(handed.body)).toBe(200);
    const notes = await t.request('GET', listUrl('item_note', { limit: 50, sort: 'text' }), undefined, as('ben'));
    expect(notes.body.data.map((r: { text: string }) => r.text)).toEqual(["ann's note", "ben's note"]);
    expect((await t.request('GET', listUrl('item_note', { limit: 50 }), undefined, as('ann'))).body.data).toEqual([]);
  });
});
