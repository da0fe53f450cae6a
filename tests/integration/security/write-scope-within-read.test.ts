// A role that grants update, delete or export with a wider scope than read must not reach records its user
// cannot read (#18): before, a PATCH of such a record answered 200 with the whole record, and export listed them.
// The user `wide` (unit E1) reads deals and accounts it owns; a second role grants update, delete and export
// on every deal and account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../../support/problem-checks.js';
import type { TestEngine } from '../../support/test-engine.js';
import { expectStatus, startSecurityWorld, type World } from '../../support/security-world.js';

let t: TestEngine;
let w: World;
let wide: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => ReturnType<TestEngine['request']>;
let ownDeal: Record<string, unknown>;
let ownAccount: Record<string, unknown>;

const id = (key: string) => w.byKey.get(key)!.id;
const ifMatch = (v: unknown) => ({ 'if-match': `"${String(v)}"` });

beforeAll(async () => {
  ({ t, w } = await startSecurityWorld());
  const post = async (entity: string, body: unknown) => {
    const res = await t.request('POST', `/api/v1/${entity}`, body);
    expectStatus(res, 201, `create ${entity}`);
    return res.body.data as Record<string, unknown>;
  };
  const user = await post('app_user', { username: 'wide', display_name: 'Wide', org_unit: w.units.E1, locale: 'en' });
  expectStatus(await t.request('PUT', `/api/admin/users/${String(user.id)}/password`, { password: 'wide-Secret-123' }), 204, 'password');
  await post('role', {
    code: 'reads_own',
    name: 'reads own',
    members: [user.id],
    grants: {
      entities: {
        deal: { actions: ['read'], scope: 'own' },
        account: { actions: ['read'], scope: 'own' },
      },
    },
  });
  await post('role', {
    code: 'writes_all',
    name: 'writes all',
    members: [user.id],
    grants: {
      entities: {
        deal: { actions: ['update', 'delete', 'export'], scope: 'all' },
        account: { actions: ['update', 'export'], scope: 'all' },
      },
    },
  });
  ownAccount = await post('account', { name: 'Wide account', owner: user.id });
  ownDeal = await post('deal', { title: 'Wide deal', account: ownAccount.id, owner: user.id });
  const token = await t.login('wide', 'wide-Secret-123');
  wide = (method, path, body, headers = {}) => t.request(method, path, body, { authorization: `Bearer ${token}`, ...headers });
});
afterAll(() => t?.stop());

async function adminGet(entity: string, recordId: string): Promise<Record<string, unknown>> {
  const res = await t.request('GET', `/api/v1/${entity}/${recordId}`);
  expectStatus(res, 200, `admin get ${entity}`);
  return res.body.data;
}

describe('write, delete and export scopes are bounded by the read scope', () => {
  it('a PATCH of a record the user cannot read is a 404 that says nothing of it, and changes nothing', async () => {
    for (const [entity, key] of [
      ['deal', 'D1'],
      ['account', 'A_e1rep'],
    ] as const) {
      const before = await adminGet(entity, id(key));
      const res = await wide(
        'PATCH',
        `/api/v1/${entity}/${id(key)}`,
        entity === 'deal' ? { title: 'taken over' } : { name: 'taken over' },
        ifMatch(before.version),
      );
      expectProblem(res, 404, 'record.not_found');
      expect(JSON.stringify(res.body)).not.toContain(String(before.title ?? before.name));
      expect(await adminGet(entity, id(key))).toEqual(before);
    }
  });

  it('a DELETE of a record the user cannot read is a 404 and deletes nothing', async () => {
    const before = await adminGet('deal', id('D3'));
    expectProblem(await wide('DELETE', `/api/v1/deal/${id('D3')}`, undefined, ifMatch(before.version)), 404, 'record.not_found');
    expect(await adminGet('deal', id('D3'))).toEqual(before);
  });

  it('export lists only the records the user can read', async () => {
    for (const [entity, own] of [
      ['deal', ownDeal],
      ['account', ownAccount],
    ] as const) {
      const res = await wide('GET', `/api/v1/${entity}/export?format=json`);
      expectStatus(res, 200, `export ${entity}`);
      expect(res.body.data.map((r: { id: string }) => r.id)).toEqual([own.id]);
      const csv = await wide('GET', `/api/v1/${entity}/export?format=csv`);
      expect(csv.body.trim().split('\n')).toHaveLength(2);
    }
  });

  it('the records the user can read are still updated and deleted through the wider grant', async () => {
    const res = await wide('PATCH', `/api/v1/deal/${String(ownDeal.id)}`, { title: 'Wide deal, renamed' }, ifMatch(ownDeal.version));
    expectStatus(res, 200, 'update own deal');
    expect(res.body.data.title).toBe('Wide deal, renamed');
    expectStatus(
      await wide('DELETE', `/api/v1/deal/${String(ownDeal.id)}`, undefined, ifMatch(res.body.data.version)),
      200,
      'delete own deal',
    );
  });
});
