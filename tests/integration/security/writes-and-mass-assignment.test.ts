// Writes under access control: system and audit columns cannot be assigned; a record cannot be created or
// moved outside the writer's scope (other owner, other org unit) — single and bulk, all or nothing; real
// updates and deletes within each scope kind; users, roles and passwords are for administrators only.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../../support/problem-checks.js';
import type { TestEngine } from '../../support/test-engine.js';
import { as, expectStatus, startSecurityWorld, type World } from '../../support/security-world.js';

let t: TestEngine;
let w: World;

beforeAll(async () => {
  ({ t, w } = await startSecurityWorld());
});
afterAll(() => t?.stop());

const id = (key: string) => w.byKey.get(key)!.id;
const uid = (key: string) => w.users[key]!.id;

async function adminGet(entity: string, recordId: string): Promise<Record<string, any>> {
  const res = await t.request('GET', `/api/v1/${entity}/${recordId}`);
  expectStatus(res, 200, `admin get ${entity}`);
  return res.body.data;
}

async function count(entity: string): Promise<number> {
  const res = await t.request('GET', `/api/v1/${entity}?limit=1&total=exact`);
  return res.body.meta.total as number;
}

async function auditRows(): Promise<number> {
  const res = await t.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM tessera_audit');
  return Number(res.rows[0]!.n);
}

const ifMatch = (v: unknown) => ({ 'if-match': `"${String(v)}"` });

describe('mass assignment of system and audit columns', () => {
  const SYSTEM: Array<[string, unknown]> = [
    ['id', '0190f000-0000-7000-8000-000000000001'],
    ['version', 7],
    ['created_at', '2000-01-01T00:00:00.000Z'],
    ['updated_at', '2000-01-01T00:00:00.000Z'],
    ['deleted_at', '2000-01-01T00:00:00.000Z'],
  ];

  it.each(SYSTEM)('%s in a create body is a 422 (single and bulk), for users and admins alike', async (field, value) => {
    for (const req of [as(w, 'e1rep'), as(w, 'admin')]) {
      expectProblem(await req('POST', '/api/v1/deal', { title: 'x', account: id('A_e1rep'), [field]: value }), 422, 'validation.failed', [
        { pointer: `/${field}`, code: 'validation.unknown_field' },
      ]);
      expectProblem(
        await req('POST', '/api/v1/deal/bulk', {
          data: [
            { title: 'ok', account: id('A_e1rep') },
            { title: 'x', account: id('A_e1rep'), [field]: value },
          ],
        }),
        422,
        'validation.failed',
        [{ pointer: `/data/1/${field}`, code: 'validation.unknown_field' }],
      );
    }
  });

  it.each(SYSTEM.filter(([f]) => f !== 'version'))('%s in a patch body is a 422 and changes nothing', async (field, value) => {
    const before = await adminGet('deal', id('D1'));
    for (const req of [as(w, 'e1rep'), as(w, 'admin')]) {
      expectProblem(
        await req('PATCH', `/api/v1/deal/${before.id}`, { [field]: value }, ifMatch(before.version)),
        422,
        'validation.failed',
        [{ pointer: `/${field}`, code: 'validation.unknown_field' }],
      );
    }
    expect(await adminGet('deal', before.id)).toEqual(before);
  });

  it('version in a patch body is the precondition, never assigned: a wrong one is a 409, a right one is bumped by one', async () => {
    const before = await adminGet('deal', id('D1'));
    const e1rep = as(w, 'e1rep');
    expectProblem(
      await e1rep('PATCH', `/api/v1/deal/${before.id}`, { version: before.version + 50, title: before.title }),
      409,
      'record.version_conflict',
    );
    const ok = await e1rep('PATCH', `/api/v1/deal/${before.id}`, { version: before.version, title: before.title });
    expectStatus(ok, 200, 'patch with body version');
    expect(ok.body.data.version).toBe(before.version + 1);
    expect(ok.body.data.created_at).toBe(before.created_at);
  });

  it('no soft-delete flag, hard delete or audit column can be reached through the API', async () => {
    expectProblem(await as(w, 'e1rep')('DELETE', `/api/v1/deal/${id('D1')}?hard=true`), 403, 'record.hard_delete_forbidden');
    const row = await t.db.pool.query('SELECT deleted_at FROM deal WHERE id = $1', [id('D1')]);
    expect(row.rows[0].deleted_at).toBeNull();
  });
});

describe('scope on create and update', () => {
  it('own: a rep cannot create a record owned by someone else (403 out_of_scope), and nothing is written', async () => {
    const e1rep = as(w, 'e1rep');
    const [deals, accounts, audits] = [await count('deal'), await count('account'), await auditRows()];
    // e1rep2 is in e1rep's unit, so e1rep may read and name them: the reference is fine, the scope is not.
    expectProblem(await e1rep('POST', '/api/v1/account', { name: 'For a colleague', owner: uid('e1rep2') }), 403, 'access.out_of_scope');
    expectProblem(await e1rep('POST', '/api/v1/account', { name: 'Nobody owns it', owner: null }), 403, 'access.out_of_scope');
    expect([await count('deal'), await count('account'), await auditRows()]).toEqual([deals, accounts, audits]);
    // Bulk is all or nothing: the first account would be fine, the second is not.
    const bulk = await e1rep('POST', '/api/v1/account/bulk', { data: [{ name: 'Mine' }, { name: 'Theirs', owner: uid('e1rep2') }] });
    expectProblem(bulk, 403, 'access.out_of_scope');
    expect(bulk.body.detail).toMatch(/outside/);
    expect([await count('account'), await auditRows()]).toEqual([accounts, audits]);
    // w1rep owns no record in East and has no sharing there: a deal for e1rep on w1rep's account is out of scope.
    const w1rep = as(w, 'w1rep');
    expectProblem(
      await w1rep('POST', '/api/v1/deal', { title: 'For East', account: id('A_w1rep'), owner: uid('e1rep') }),
      422,
      'validation.failed',
    );
    expect(await count('deal')).toBe(deals);
  });

  it('own + sharing: the deal sharing rule (deals on accounts I own) also reaches deals the rep creates for others on their account', async () => {
    // The sharing rule is part of the sales_rep grant, so it widens create/update/delete as well as read.
    const res = await as(w, 'e1rep')('POST', '/api/v1/deal', { title: 'For a colleague', account: id('A_e1rep'), owner: uid('e1rep2') });
    expectStatus(res, 201, 'deal for a colleague on my account');
    expect(res.body.data.owner).toBe(uid('e1rep2'));
    // On an account the rep can read (dept_viewer) but does not own, a deal for its owner is out of scope.
    const before = await count('deal');
    expectProblem(
      await as(w, 'e1rep2')('POST', '/api/v1/deal', { title: 'x', account: id('A_e1mgr'), owner: uid('e1mgr') }),
      403,
      'access.out_of_scope',
    );
    expect(await count('deal')).toBe(before);
  });

  it('own: naming an owner the rep cannot see is answered like a user that does not exist', async () => {
    const e1rep = as(w, 'e1rep');
    const invisible = await e1rep('POST', '/api/v1/deal', { title: 'x', account: id('A_e1rep'), owner: uid('w1rep') });
    const missing = randomUUID();
    const absent = await e1rep('POST', '/api/v1/deal', { title: 'x', account: id('A_e1rep'), owner: missing });
    expectProblem(invisible, 422, 'validation.failed', [{ pointer: '/owner', code: 'validation.reference' }]);
    expectProblem(absent, 422, 'validation.failed', [{ pointer: '/owner', code: 'validation.reference' }]);
    const strip = (b: any, x: string) =>
      JSON.parse(
        JSON.stringify({ ...b, requestId: undefined })
          .split(x)
          .join('<id>'),
      );
    expect(strip(invisible.body, uid('w1rep'))).toEqual(strip(absent.body, missing));
    // Same for an account outside the scope: e1rep cannot attach a deal to Foxtrot (w1rep's).
    expectProblem(await e1rep('POST', '/api/v1/deal', { title: 'x', account: id('A_west') }), 422, 'validation.failed', [
      { pointer: '/account', code: 'validation.reference' },
    ]);
  });

  it('own: a rep creates records that default to them and their unit', async () => {
    const e1rep = as(w, 'e1rep');
    const acc = await e1rep('POST', '/api/v1/account', { name: 'Rep account' });
    expectStatus(acc, 201, 'rep creates an account');
    expect(acc.body.data.owner).toBe(uid('e1rep'));
    expect(acc.body.data.org_unit).toBe(w.units.E1);
    expect(acc.body.data).not.toHaveProperty('tier');
    const bulk = await e1rep('POST', '/api/v1/deal/bulk', {
      data: [
        { title: 'Bulk 1', account: acc.body.data.id },
        { title: 'Bulk 2', account: acc.body.data.id, owner: uid('e1rep') },
      ],
    });
    expectStatus(bulk, 201, 'rep bulk-creates deals');
    expect(bulk.body.data.map((d: { owner: string }) => d.owner)).toEqual([uid('e1rep'), uid('e1rep')]);
  });

  it('own: a rep cannot hand their record to someone else, and the record stays as it was', async () => {
    const e1rep = as(w, 'e1rep');
    const deal = await adminGet('deal', id('D11'));
    expectProblem(
      await e1rep('PATCH', `/api/v1/deal/${deal.id}`, { owner: uid('e1rep2') }, ifMatch(deal.version)),
      403,
      'access.out_of_scope',
    );
    expectProblem(await e1rep('PATCH', `/api/v1/deal/${deal.id}`, { owner: null }, ifMatch(deal.version)), 403, 'access.out_of_scope');
    expect(await adminGet('deal', deal.id)).toEqual(deal);
    const account = await adminGet('account', id('A_e1rep'));
    expectProblem(
      await e1rep('PATCH', `/api/v1/account/${account.id}`, { owner: uid('e1rep2') }, ifMatch(account.version)),
      403,
      'access.out_of_scope',
    );
    expect(await adminGet('account', account.id)).toEqual(account);
  });

  it('orgUnitAndBelow: west cannot move an account out of the West branch, even to a unit it can read', async () => {
    const west = as(w, 'west');
    const acc = await adminGet('account', id('A_w1rep'));
    for (const unit of ['E1', 'HQ', 'BE']) {
      expectProblem(
        await west('PATCH', `/api/v1/account/${acc.id}`, { org_unit: w.units[unit] }, ifMatch(acc.version)),
        403,
        'access.out_of_scope',
      );
    }
    expectProblem(await west('PATCH', `/api/v1/account/${acc.id}`, { org_unit: null }, ifMatch(acc.version)), 403, 'access.out_of_scope');
    expect(await adminGet('account', acc.id)).toEqual(acc);
    const moved = await west('PATCH', `/api/v1/account/${acc.id}`, { org_unit: w.units.BW }, ifMatch(acc.version));
    expectStatus(moved, 200, 'move within the branch');
    expect(moved.body.data.org_unit).toBe(w.units.BW);
    const back = await west('PATCH', `/api/v1/account/${acc.id}`, { org_unit: w.units.W1 }, ifMatch(moved.body.data.version));
    expectStatus(back, 200, 'move back');
  });

  it('orgUnitAndBelow: east cannot create a contract outside the East branch nor move one out of it', async () => {
    const east = as(w, 'east');
    expectProblem(await east('POST', '/api/v1/contract', { title: 'Unassigned', org_unit: null }), 403, 'access.out_of_scope');
    // W1 is not readable for east: a reference to it is "not found".
    expectProblem(await east('POST', '/api/v1/contract', { title: 'West', org_unit: w.units.W1 }), 422, 'validation.failed', [
      { pointer: '/org_unit', code: 'validation.reference' },
    ]);
    const made = await east('POST', '/api/v1/contract', { title: 'E2 contract 2', org_unit: w.units.E2 });
    expectStatus(made, 201, 'east creates in E2');
    const c1 = await adminGet('contract', id('C1'));
    expectProblem(await east('PATCH', `/api/v1/contract/${c1.id}`, { org_unit: null }, ifMatch(c1.version)), 403, 'access.out_of_scope');
    expect(await adminGet('contract', c1.id)).toEqual(c1);
  });
});

describe('real updates and deletes in each scope kind', () => {
  it("subordinates: the team lead updates a report's account and deletes a report's deal, but not the branch head's", async () => {
    const e1mgr = as(w, 'e1mgr');
    const acc = await adminGet('account', id('A_e1rep'));
    const up = await e1mgr('PATCH', `/api/v1/account/${acc.id}`, { name: 'Alpha Co' }, ifMatch(acc.version));
    expectStatus(up, 200, "lead updates report's account");
    expect(up.body.data.name).toBe('Alpha Co');
    const created = await t.request('POST', '/api/v1/deal', { title: 'Disposable', account: id('A_e1rep2'), owner: uid('e1rep2') });
    const del = await e1mgr('DELETE', `/api/v1/deal/${created.body.data.id}`);
    expectStatus(del, 200, "lead deletes report's deal");
    expectProblem(await t.request('GET', `/api/v1/deal/${created.body.data.id}`), 404, 'record.not_found');
    expectProblem(await e1mgr('DELETE', `/api/v1/deal/${id('D5')}`), 404, 'record.not_found');
    expectProblem(await e1mgr('DELETE', `/api/v1/account/${id('A_east')}`), 404, 'record.not_found');
  });

  it('own + sharing: a rep may change a deal shared through their account, not one merely in their unit', async () => {
    const e1rep = as(w, 'e1rep');
    const d2 = await adminGet('deal', id('D2'));
    const up = await e1rep('PATCH', `/api/v1/deal/${d2.id}`, { stage: 'qualified' }, ifMatch(d2.version));
    expectStatus(up, 200, 'shared deal update');
    // e1rep2 reads D3 (same unit, dept_viewer) but may not delete or change it.
    const d3 = await adminGet('deal', id('D3'));
    expectProblem(await as(w, 'e1rep2')('DELETE', `/api/v1/deal/${d3.id}`), 403, 'access.denied');
    expectProblem(await as(w, 'e1rep2')('PATCH', `/api/v1/deal/${d3.id}`, { stage: 'closed' }, ifMatch(d3.version)), 403, 'access.denied');
    expect(await adminGet('deal', d3.id)).toEqual(d3);
  });

  it('orgUnitAndBelow: the branch head deletes an account below it; a rep without delete gets 403', async () => {
    const made = await t.request('POST', '/api/v1/account', { name: 'To delete', owner: uid('e2rep'), org_unit: w.units.E2 });
    expectProblem(await as(w, 'e2rep')('DELETE', `/api/v1/account/${made.body.data.id}`), 403, 'access.denied');
    expectStatus(await as(w, 'east')('DELETE', `/api/v1/account/${made.body.data.id}`), 200, 'east deletes');
    expectProblem(await as(w, 'east')('GET', `/api/v1/account/${made.body.data.id}`), 404, 'record.not_found');
  });

  it("orgUnit on an owner-only entity follows the owner's unit; no grant -> 403 whatever the id", async () => {
    const nobody = as(w, 'nobody');
    for (const path of [`/api/v1/deal/${id('D1')}`, `/api/v1/deal/${randomUUID()}`]) {
      expectProblem(await nobody('GET', path), 403, 'access.denied');
      expectProblem(await nobody('PATCH', path, { title: 'x' }, ifMatch(1)), 403, 'access.denied');
      expectProblem(await nobody('DELETE', path), 403, 'access.denied');
    }
    expectProblem(await nobody('POST', '/api/v1/deal', { title: 'x', account: id('A_e1rep') }), 403, 'access.denied');
    expectProblem(await nobody('POST', '/api/v1/deal/bulk', { data: [{ title: 'x', account: id('A_e1rep') }] }), 403, 'access.denied');
  });
});

describe('users, roles and passwords are for administrators', () => {
  it('a non-admin with write grants on app_user and role still cannot create, change or delete them', async () => {
    const east = as(w, 'east');
    const [users, roles] = [await count('app_user'), await count('role')];
    expectProblem(
      await east('POST', '/api/v1/app_user', { username: 'intruder', display_name: 'Intruder', org_unit: w.units.E1 }),
      403,
      'access.admin_required',
    );
    expectProblem(
      await east('POST', '/api/v1/app_user/bulk', { data: [{ username: 'intruder2', display_name: 'I2' }] }),
      403,
      'access.admin_required',
    );
    const me = await adminGet('app_user', uid('e1rep'));
    expectProblem(
      await east('PATCH', `/api/v1/app_user/${me.id}`, { manager: uid('east') }, ifMatch(me.version)),
      403,
      'access.admin_required',
    );
    expectProblem(await east('DELETE', `/api/v1/app_user/${me.id}`), 403, 'access.admin_required');
    const role = await adminGet('role', w.roles.branch_mgr!.id);
    expectProblem(
      await east('PATCH', `/api/v1/role/${role.id}`, { grants: { admin: true } }, ifMatch(role.version)),
      403,
      'access.admin_required',
    );
    expectProblem(
      await east('PATCH', `/api/v1/role/${w.roles.admin!.id}`, { members: [uid('east')] }, ifMatch(1)),
      403,
      'access.admin_required',
    );
    expectProblem(await east('POST', '/api/v1/role', { code: 'evil', name: 'Evil', grants: { admin: true }, members: [uid('east')] }), 403);
    expect([await count('app_user'), await count('role')]).toEqual([users, roles]);
    expect(await adminGet('app_user', me.id)).toEqual(me);
    expect(await adminGet('role', role.id)).toEqual(role);
    const meta = await east('GET', '/api/auth/me');
    expect(meta.body.data.isAdmin).toBe(false);
    expect(meta.body.data.roles).toEqual(['branch_mgr']);
  });

  it('a user cannot change their own record (manager, org unit, active) either', async () => {
    const e1rep = as(w, 'e1rep');
    const me = await adminGet('app_user', uid('e1rep'));
    for (const patch of [{ manager: null }, { org_unit: w.units.HQ }, { active: true }, { display_name: 'Me' }]) {
      expectProblem(await e1rep('PATCH', `/api/v1/app_user/${me.id}`, patch, ifMatch(me.version)), 403);
    }
    expect(await adminGet('app_user', me.id)).toEqual(me);
  });

  it('only an administrator may reset a password or reach the admin model routes', async () => {
    const target = uid('e1rep');
    for (const who of ['east', 'e1rep', 'auditor', 'nobody']) {
      const req = as(w, who);
      expectProblem(
        await req('PUT', `/api/admin/users/${target}/password`, { password: 'hijacked-password-1' }),
        403,
        'access.admin_required',
      );
      expectProblem(await req('GET', '/api/admin/model/plan'), 403, 'access.admin_required');
      expectProblem(await req('POST', '/api/admin/model/publish', {}), 403, 'access.admin_required');
      expectProblem(await req('GET', '/api/admin/model/history'), 403, 'access.admin_required');
    }
    // The password is unchanged: the old one still signs in, the attempted one does not.
    const login = await t.request('POST', '/api/auth/login', { username: 'e1rep', password: 'hijacked-password-1' }, { authorization: '' });
    expectProblem(login, 401, 'auth.invalid_credentials');
    await t.login('e1rep', w.users.e1rep!.password);
  });

  it('a user changes their own password only with the current one', async () => {
    const nobody = as(w, 'nobody');
    expectProblem(
      await nobody('PUT', '/api/auth/password', { currentPassword: 'wrong-password-0', newPassword: 'another-password-1' }),
      403,
      'auth.invalid_credentials',
    );
    expectProblem(
      await nobody('PUT', '/api/auth/password', { currentPassword: w.users.nobody!.password, newPassword: 'short' }),
      422,
      'validation.failed',
    );
    expectStatus(
      await nobody('PUT', '/api/auth/password', { currentPassword: w.users.nobody!.password, newPassword: 'another-password-1' }),
      204,
      'change',
    );
    // The session that changed it stays signed in; the old password no longer works.
    expectStatus(await nobody('GET', '/api/auth/me'), 200, 'same session');
    expectProblem(
      await t.request('POST', '/api/auth/login', { username: 'nobody', password: w.users.nobody!.password }, { authorization: '' }),
      401,
      'auth.invalid_credentials',
    );
    await t.login('nobody', 'another-password-1');
  });

  it('role grants are validated: unknown entities and fields are refused', async () => {
    const bad = await t.request('POST', '/api/v1/role', {
      code: 'bad_role',
      name: 'Bad',
      grants: {
        entities: { nope: { actions: ['read'], scope: 'all' }, account: { actions: ['read'], scope: 'all', fields: { nope: 'hidden' } } },
      },
    });
    expectProblem(bad, 422, 'validation.failed', [
      { pointer: '/grants/entities/nope', code: 'validation.unknown_entity' },
      { pointer: '/grants/entities/account/fields/nope', code: 'validation.unknown_field' },
    ]);
    expectProblem(
      await t.request('POST', '/api/v1/role', {
        code: 'bad_scope',
        name: 'Bad',
        grants: { entities: { account: { actions: ['read'], scope: 'everything' } } },
      }),
      422,
      'validation.failed',
    );
  });

  it('a role change takes effect on the next request (cached access is dropped)', async () => {
    const nobody = as(w, 'nobody');
    expectProblem(await nobody('GET', '/api/v1/tag'), 403, 'access.denied');
    const role = await t.request('POST', '/api/v1/role', {
      code: 'tag_reader',
      name: 'Tag reader',
      grants: { entities: { tag: { actions: ['read'], scope: 'all' } } },
      members: [uid('nobody')],
    });
    expectStatus(role, 201, 'create role');
    expectStatus(await nobody('GET', '/api/v1/tag'), 200, 'granted');
    expectStatus(await t.request('DELETE', `/api/v1/role/${role.body.data.id}`), 200, 'delete role');
    expectProblem(await nobody('GET', '/api/v1/tag'), 403, 'access.denied');
  });
});

describe('field rules and the org tree on write', () => {
  it('a read-only field stays read-only when another role of the user only grants read (e1rep2: region)', async () => {
    // sales_rep (the only role of e1rep2 that grants create/update on account) marks region read-only;
    // dept_viewer grants read only, without a field rule. Reading region is fine, writing it is not.
    const mine = await adminGet('account', id('A_e1rep2'));
    const res = await as(w, 'e1rep2')('PATCH', `/api/v1/account/${mine.id}`, { region: 'east' }, ifMatch(mine.version));
    expectProblem(res, 422, 'validation.failed', [{ pointer: '/region', code: 'validation.read_only' }]);
    expect(await adminGet('account', mine.id)).toEqual(mine);
  });

  it('a branch manager with update on org units cannot re-parent their branch and so change what others see', async () => {
    // An HQ manager sees every account below HQ.
    const hq = await t.request('POST', '/api/v1/app_user', { username: 'hqmgr', display_name: 'HQ manager', org_unit: w.units.HQ });
    await t.request('PUT', `/api/admin/users/${String(hq.body.data.id)}/password`, { password: 'hq-manager-password' });
    await t.request('POST', '/api/v1/role', {
      code: 'hq_view',
      name: 'HQ view',
      grants: { entities: { account: { actions: ['read'], scope: 'orgUnitAndBelow' } } },
      members: [hq.body.data.id],
    });
    const token = await t.login('hqmgr', 'hq-manager-password');
    const seen = async () =>
      (await t.request('GET', '/api/v1/account?limit=500', undefined, { authorization: `Bearer ${token}` })).body.data
        .map((a: { id: string }) => a.id)
        .sort();
    const before = await seen();
    expect(before).toContain(id('A_e1rep'));
    const be = await adminGet('org_unit', w.units.BE!);
    // Under its own department (a cycle, detached from HQ) or out of the tree altogether.
    for (const parent of [w.units.E1, null]) {
      const current = await adminGet('org_unit', be.id);
      const res = await as(w, 'east')('PATCH', `/api/v1/org_unit/${be.id}`, { parent }, ifMatch(current.version));
      const after = await adminGet('org_unit', be.id);
      const during = await seen();
      // Put the tree back for the rest of the file before failing.
      if (res.status === 200) await t.request('PATCH', `/api/v1/org_unit/${be.id}`, { parent: w.units.HQ }, ifMatch(after.version));
      expect(during, `the HQ manager's accounts after east re-parented BE under ${String(parent)}`).toEqual(before);
      expect([403, 422], `east re-parents BE under ${String(parent)}: ${res.status}`).toContain(res.status);
      expect(after.parent).toBe(w.units.HQ);
    }
    expect(await seen()).toEqual(before);
  });

  it('the org unit tree cannot be made cyclic, not even by an administrator', async () => {
    const hq = await adminGet('org_unit', w.units.HQ!);
    const res = await t.request('PATCH', `/api/v1/org_unit/${hq.id}`, { parent: w.units.W1 }, ifMatch(hq.version));
    if (res.status === 200) await t.request('PATCH', `/api/v1/org_unit/${hq.id}`, { parent: null }, ifMatch(res.body.data.version));
    expectProblem(res, 422, 'validation.failed');
    const self = await adminGet('org_unit', w.units.E1!);
    const own = await t.request('PATCH', `/api/v1/org_unit/${self.id}`, { parent: self.id }, ifMatch(self.version));
    if (own.status === 200) await t.request('PATCH', `/api/v1/org_unit/${self.id}`, { parent: w.units.BE }, ifMatch(own.body.data.version));
    expectProblem(own, 422, 'validation.failed');
  });
});
