// Approval flows (#20) through HTTP on the approval-demo fixture: expenses go through a manager-chain step, an
// all-of finance step and a CFO step included only above 1,000,000; equipment goes to a reviewer field and an any-of
// board; a quick flow escalates after a second; contracts are submitted by a state-machine transition and moved by
// the flow's effects. Refusals are problem+json and change nothing.
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

let t: TestEngine;
const PASSWORD = 'approval-flows-password';
const ids: Record<string, string> = {};
const tokens: Record<string, string> = {};

type Rec = Record<string, any>;

const ALL = ['read', 'create', 'update', 'delete'];

async function user(username: string, manager?: string): Promise<void> {
  const res = await t.request('POST', '/api/v1/app_user', {
    username,
    display_name: username,
    ...(manager ? { manager: ids[manager] } : {}),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  ids[username] = res.body.data.id;
  expect((await t.request('PUT', `/api/admin/users/${res.body.data.id}/password`, { password: PASSWORD })).status).toBe(204);
}

async function role(code: string, members: string[], grants: Rec = { entities: {} }): Promise<void> {
  const res = await t.request('POST', '/api/v1/role', { code, name: code, members: members.map((m) => ids[m]), grants });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

const USERS = ['boss2', 'boss1', 'alice', 'fin1', 'fin2', 'cfo1', 'dir1', 'bob', 'carol', 'dave', 'eve'];

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'tests/fixtures/packs/approval-demo'] });
  await user('boss2');
  await user('boss1', 'boss2');
  await user('alice', 'boss1');
  for (const name of USERS.slice(3)) await user(name);
  await role('staff', USERS, {
    entities: {
      expense: { actions: ALL, scope: 'all' },
      contract: { actions: ALL, scope: 'all' },
      app_user: { actions: ['read'], scope: 'all' },
    },
  });
  await role('finance', ['fin1', 'fin2']);
  await role('cfo', ['cfo1']);
  await role('director', ['dir1']);
  for (const name of USERS) tokens[name] = await t.login(name, PASSWORD);
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

const as = (name: string) => ({ authorization: `Bearer ${tokens[name]}` });

async function expense(body: Rec, owner = 'alice'): Promise<Rec> {
  const res = await t.request('POST', '/api/v1/expense', body, as(owner));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

const act = (name: string, entity: string, id: string, action: string, body: Rec = {}) =>
  t.request('POST', `/api/v1/${entity}/${id}/approval/${action}`, body, as(name));

async function ok(name: string, entity: string, id: string, action: string, body: Rec = {}): Promise<Rec> {
  const res = await act(name, entity, id, action, body);
  expect(res.status, `${name} ${action}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body.data;
}

async function approval(entity: string, id: string): Promise<Rec> {
  const res = await t.request('GET', `/api/v1/${entity}/${id}/approval`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

async function record(entity: string, id: string): Promise<Rec> {
  const res = await t.request('GET', `/api/v1/${entity}/${id}`);
  expect(res.status).toBe(200);
  return res.body.data;
}

const openAssignees = (a: Rec) =>
  a.instance.tasks
    .filter((k: Rec) => k.status === 'open')
    .map((k: Rec) => k.assigneeName)
    .sort();

async function inbox(name: string): Promise<Rec[]> {
  const res = await t.request('GET', '/api/v1/me/approvals', undefined, as(name));
  expect(res.status).toBe(200);
  return res.body.data;
}

describe('the standard flow', () => {
  it('goes manager -> finance (all of them) and skips the CFO step at or below 1,000,000, then runs its effects', async () => {
    const e = await expense({ title: 'Trip to Berlin', amount: '500.00' });
    expect(await ok('alice', 'expense', e.id, 'submit')).toMatchObject({ status: 'pending', flow: 'standard', step: 'manager' });
    expect(openAssignees(await approval('expense', e.id))).toEqual(['boss1']);
    expect(await inbox('boss1')).toContainEqual(
      expect.objectContaining({ entity: 'expense', recordId: e.id, title: 'Trip to Berlin', step: 'manager', via: 'direct' }),
    );
    // The approver is notified, in their language (these users have the core default, zh-CN).
    const notified = await t.request('GET', '/api/v1/me/notifications', undefined, as('boss1'));
    expect(notified.body.data).toContainEqual(
      expect.objectContaining({ kind: 'approval', entity: 'expense', recordId: e.id, title: expect.stringContaining('Trip to Berlin') }),
    );

    expect((await act('fin1', 'expense', e.id, 'approve')).status).toBe(403);
    expect(await ok('boss1', 'expense', e.id, 'approve', { comment: 'fine' })).toMatchObject({ status: 'pending', step: 'finance' });
    expect(openAssignees(await approval('expense', e.id))).toEqual(['fin1', 'fin2']);
    expect(await ok('fin1', 'expense', e.id, 'approve')).toMatchObject({ status: 'pending', step: 'finance' });
    // The same approver cannot approve twice for an all-of step.
    expect((await act('fin1', 'expense', e.id, 'approve')).status).toBe(403);
    expect(await ok('fin2', 'expense', e.id, 'approve')).toMatchObject({ status: 'approved', step: null });

    expect(await record('expense', e.id)).toMatchObject({ approved: true, approval_note: 'approved' });
    const a = await approval('expense', e.id);
    expect(a.status).toBe('approved');
    expect(a.history.map((h: Rec) => `${h.action}:${h.step ?? ''}`)).toEqual([
      'submit:',
      'assign:manager',
      'approve:manager',
      'assign:finance',
      'approve:finance',
      'approve:finance',
      'skip:cfo',
      'approved:',
    ]);
    expect(a.history[2]).toMatchObject({ actorName: 'boss1', comment: 'fine' });
    // The effects went through the write pipeline: audited as the deciding approver.
    const audit = await t.request('GET', `/api/v1/expense/${e.id}/history`);
    expect(audit.body.data[0]).toMatchObject({ actor_name: 'fin2', changes: { approved: { before: false, after: true } } });
  });

  it('adds the CFO step above 1,000,000', async () => {
    const e = await expense({ title: 'Fleet', amount: '2000000.00' });
    await ok('alice', 'expense', e.id, 'submit');
    await ok('boss1', 'expense', e.id, 'approve');
    await ok('fin1', 'expense', e.id, 'approve');
    expect(await ok('fin2', 'expense', e.id, 'approve')).toMatchObject({ status: 'pending', step: 'cfo' });
    expect(openAssignees(await approval('expense', e.id))).toEqual(['cfo1']);
    expect(await ok('cfo1', 'expense', e.id, 'approve')).toMatchObject({ status: 'approved' });
    expect((await record('expense', e.id)).approved).toBe(true);
  });

  it('fails an approval whose effect breaks a validation rule with 422, and changes nothing', async () => {
    const e = await expense({ title: 'Too big', amount: '6000000.00' });
    await ok('alice', 'expense', e.id, 'submit');
    for (const name of ['boss1', 'fin1', 'fin2']) await ok(name, 'expense', e.id, 'approve');
    const before = await approval('expense', e.id);
    const res = await act('cfo1', 'expense', e.id, 'approve');
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.errors).toEqual([expect.objectContaining({ pointer: '/approved' })]);
    expect(await approval('expense', e.id)).toEqual(before);
    expect(await record('expense', e.id)).toMatchObject({ approved: false, approval_note: null });
  });
});

describe('while pending', () => {
  it('locks the record against edits and deletes, then frees it once decided', async () => {
    const e = await expense({ title: 'Locked', amount: '10.00' });
    await ok('alice', 'expense', e.id, 'submit');
    const patch = await t.request(
      'PATCH',
      `/api/v1/expense/${e.id}`,
      { title: 'Changed' },
      { ...as('alice'), 'if-match': `"${e.version}"` },
    );
    expect(patch.status).toBe(409);
    expect(patch.body.type).toMatch(/approval\.pending$/);
    const del = await t.request('DELETE', `/api/v1/expense/${e.id}`, undefined, as('alice'));
    expect(del.status).toBe(409);
    expect(await record('expense', e.id)).toMatchObject({ title: 'Locked', version: e.version });
    // A second submit is refused too.
    expect((await act('alice', 'expense', e.id, 'submit')).status).toBe(409);
    await ok('alice', 'expense', e.id, 'withdraw');
    const after = await t.request(
      'PATCH',
      `/api/v1/expense/${e.id}`,
      { title: 'Changed' },
      { ...as('alice'), 'if-match': `"${e.version}"` },
    );
    expect(after.status, JSON.stringify(after.body)).toBe(200);
  });

  it('answers callers the record is not waiting for with 403, and records waiting for nobody with 409, changing nothing', async () => {
    const e = await expense({ title: 'Guarded', amount: '10.00' });
    const idle = await act('boss1', 'expense', e.id, 'approve');
    expect(idle.status).toBe(409);
    expect(idle.body.type).toMatch(/approval\.not_pending$/);
    await ok('alice', 'expense', e.id, 'submit');
    const before = await approval('expense', e.id);
    for (const [name, action, body] of [
      ['eve', 'approve', {}],
      ['eve', 'reject', { comment: 'no' }],
      ['eve', 'delegate', { to: ids.carol }],
      ['boss1', 'withdraw', {}],
      ['alice', 'reassign', { from: ids.boss1, to: ids.dave }],
    ] as Array<[string, string, Rec]>) {
      const res = await act(name, 'expense', e.id, action, body);
      expect(res.status, `${name} ${action}`).toBe(403);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect(await approval('expense', e.id)).toEqual(before);
    expect((await act('boss1', 'expense', '0190a0a0-0000-7000-8000-000000000000', 'approve')).status).toBe(404);
  });
});

describe('concurrent actions', () => {
  it('lets one of two simultaneous submits through, and one decision of an any-of step', async () => {
    const e = await expense({ title: 'Race', amount: '700.00', category: 'equipment', reviewer: ids.bob });
    const submits = await Promise.all([1, 2].map(() => act('alice', 'expense', e.id, 'submit', { flow: 'equipment' })));
    expect(submits.map((r) => r.status).sort()).toEqual([200, 409]);
    await ok('bob', 'expense', e.id, 'approve');
    // The board step waits for any one of dir1, boss1 and boss2: both deciding at once, the second finds it decided.
    const decisions = await Promise.all(['dir1', 'boss1'].map((name) => act(name, 'expense', e.id, 'approve')));
    expect(decisions.map((r) => r.status).sort()).toEqual([200, 409]);
    const a = await approval('expense', e.id);
    expect(a.status).toBe('approved');
    expect(a.history.filter((h: Rec) => h.action === 'approve')).toHaveLength(2);
    expect(a.history.filter((h: Rec) => h.action === 'approved')).toHaveLength(1);
  });
});

describe('rejection, resubmission and withdrawal', () => {
  it('needs a comment to reject, runs the rejection effects, and a resubmission starts a fresh instance', async () => {
    const e = await expense({ title: 'Conference', amount: '900.00' });
    await ok('alice', 'expense', e.id, 'submit');
    const bare = await act('boss1', 'expense', e.id, 'reject', {});
    expect(bare.status).toBe(422);
    expect(bare.body.errors).toEqual([expect.objectContaining({ pointer: '/comment', code: 'approval.comment_required' })]);
    expect(await ok('boss1', 'expense', e.id, 'reject', { comment: 'too expensive' })).toMatchObject({ status: 'rejected' });
    expect(await record('expense', e.id)).toMatchObject({ approval_note: 'rejected', approved: false });

    const again = await ok('alice', 'expense', e.id, 'submit');
    expect(again).toMatchObject({ status: 'pending', step: 'manager' });
    const a = await approval('expense', e.id);
    expect(a.submissions.map((s: Rec) => s.status)).toEqual(['rejected', 'pending']);
    expect(a.instance.id).toBe(again.instanceId);
    expect(a.history.filter((h: Rec) => h.action === 'submit')).toHaveLength(2);
    expect(a.history).toContainEqual(expect.objectContaining({ action: 'reject', comment: 'too expensive', actorName: 'boss1' }));
  });

  it('lets only the submitter withdraw', async () => {
    const e = await expense({ title: 'Withdrawn', amount: '5.00' });
    await ok('alice', 'expense', e.id, 'submit');
    expect((await act('boss1', 'expense', e.id, 'withdraw')).status).toBe(403);
    expect(await ok('alice', 'expense', e.id, 'withdraw', { comment: 'not needed' })).toMatchObject({ status: 'withdrawn' });
    expect((await act('boss1', 'expense', e.id, 'approve')).status).toBe(409);
    expect((await inbox('boss1')).some((x) => x.recordId === e.id)).toBe(false);
  });
});

describe('submission', () => {
  it('refuses a record that meets no entry criteria, and names the flows when several apply', async () => {
    const zero = await expense({ title: 'Nothing', amount: '0.00' });
    const res = await act('alice', 'expense', zero.id, 'submit');
    expect(res.status).toBe(422);
    expect(res.body.type).toMatch(/approval\.entry_not_met$/);
    const kit = await expense({ title: 'Laptop', amount: '1500.00', category: 'equipment', reviewer: ids.bob });
    const two = await act('alice', 'expense', kit.id, 'submit');
    expect(two.status).toBe(422);
    expect(two.body).toMatchObject({ flows: ['equipment', 'quick'] });
    expect((await act('alice', 'expense', kit.id, 'submit', { flow: 'standard' })).status).toBe(422);
    expect((await act('alice', 'expense', kit.id, 'submit', { flow: 'nope' })).status).toBe(422);
    expect((await approval('expense', kit.id)).status).toBe('none');
  });

  it('refuses a step whose role has no members with a clear error, writing nothing', async () => {
    const e = await expense({ title: 'Refund', amount: '-5.00' });
    const res = await act('alice', 'expense', e.id, 'submit', { flow: 'audit' });
    expect(res.status).toBe(422);
    expect(res.body.type).toMatch(/approval\.no_approvers$/);
    expect(res.body.detail).toContain("role 'auditor'");
    expect(await approval('expense', e.id)).toMatchObject({ status: 'none', submissions: [], history: [] });
  });
});

describe('approvers from a field, the manager chain and any-of groups', () => {
  it('asks the reviewer, then any one of the directors and the owner’s two managers', async () => {
    const e = await expense({ title: 'Monitor', amount: '300.00', category: 'equipment', reviewer: ids.bob });
    expect(await ok('alice', 'expense', e.id, 'submit', { flow: 'equipment' })).toMatchObject({ step: 'reviewer' });
    expect(openAssignees(await approval('expense', e.id))).toEqual(['bob']);
    expect(await ok('bob', 'expense', e.id, 'approve')).toMatchObject({ step: 'board' });
    expect(openAssignees(await approval('expense', e.id))).toEqual(['boss1', 'boss2', 'dir1']);
    expect(await ok('boss2', 'expense', e.id, 'approve')).toMatchObject({ status: 'approved' });
    const tasks = (await approval('expense', e.id)).instance.tasks.filter((k: Rec) => k.step === 'board');
    expect(tasks.map((k: Rec) => `${k.assigneeName}:${k.status}`).sort()).toEqual(['boss1:skipped', 'boss2:approved', 'dir1:skipped']);
  });
});

describe('delegation', () => {
  it('lets a standing delegate see and decide the tasks while the delegation runs', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const self = await t.request('POST', '/api/v1/me/delegations', { to: ids.boss1, from: today, until: today }, as('boss1'));
    expect(self.status).toBe(422);
    const made = await t.request(
      'POST',
      '/api/v1/me/delegations',
      { to: ids.carol, from: today, until: today, comment: 'on leave' },
      as('boss1'),
    );
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect((await t.request('GET', '/api/v1/me/delegations', undefined, as('boss1'))).body.data).toEqual([
      expect.objectContaining({ id: made.body.data.id, to: ids.carol, toName: 'carol', from: today, until: today }),
    ]);
    const e = await expense({ title: 'Hotel', amount: '120.00' });
    await ok('alice', 'expense', e.id, 'submit');
    expect(await inbox('carol')).toContainEqual(
      expect.objectContaining({ recordId: e.id, title: 'Hotel', via: 'delegation', assignee: ids.boss1 }),
    );
    await ok('carol', 'expense', e.id, 'approve', { comment: 'for boss1' });
    const a = await approval('expense', e.id);
    expect(a.history).toContainEqual(
      expect.objectContaining({ action: 'approve', actorName: 'carol', delegatedFrom: ids.boss1, comment: 'for boss1' }),
    );
    expect((await t.request('DELETE', `/api/v1/me/delegations/${made.body.data.id}`, undefined, as('boss1'))).status).toBe(204);
    expect((await t.request('DELETE', `/api/v1/me/delegations/${made.body.data.id}`, undefined, as('boss1'))).status).toBe(404);
  });

  it('lets the current approver hand a task to someone else (ad hoc)', async () => {
    const e = await expense({ title: 'Taxi', amount: '40.00' });
    await ok('alice', 'expense', e.id, 'submit');
    expect((await act('boss1', 'expense', e.id, 'delegate', { to: 'not-a-user' })).status).toBe(422);
    await ok('boss1', 'expense', e.id, 'delegate', { to: ids.carol, comment: 'please decide' });
    expect((await act('boss1', 'expense', e.id, 'approve')).status).toBe(403);
    expect(await inbox('carol')).toContainEqual(expect.objectContaining({ recordId: e.id, via: 'direct', delegatedFrom: ids.boss1 }));
    expect(await ok('carol', 'expense', e.id, 'approve')).toMatchObject({ step: 'finance' });
    const a = await approval('expense', e.id);
    expect(a.history).toContainEqual(
      expect.objectContaining({ action: 'delegate', actorName: 'boss1', comment: 'please decide', detail: { to: ids.carol } }),
    );
    expect(a.history).toContainEqual(expect.objectContaining({ action: 'approve', actorName: 'carol', delegatedFrom: ids.boss1 }));
  });

  it('lets administrators reassign an open task', async () => {
    const e = await expense({ title: 'Parking', amount: '8.00' });
    await ok('alice', 'expense', e.id, 'submit');
    const missing = await t.request('POST', `/api/v1/expense/${e.id}/approval/reassign`, { from: ids.dave, to: ids.eve });
    expect(missing.status).toBe(422);
    const res = await t.request('POST', `/api/v1/expense/${e.id}/approval/reassign`, { from: ids.boss1, to: ids.dave });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await act('boss1', 'expense', e.id, 'approve')).status).toBe(403);
    await ok('dave', 'expense', e.id, 'approve');
    expect((await approval('expense', e.id)).history).toContainEqual(
      expect.objectContaining({ action: 'reassign', actorName: 'admin', detail: { from: ids.boss1, to: ids.dave } }),
    );
  });
});

describe('escalation', () => {
  it('passes the open tasks to the escalation approvers after the timeout (a delayed outbox job)', async () => {
    const e = await expense({ title: 'Desk', amount: '250.00', category: 'equipment', reviewer: ids.bob });
    expect(await ok('alice', 'expense', e.id, 'submit', { flow: 'quick' })).toMatchObject({ step: 'director' });
    let a = await approval('expense', e.id);
    for (let i = 0; i < 100 && !a.history.some((h: Rec) => h.action === 'escalate'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      a = await approval('expense', e.id);
    }
    expect(a.history).toContainEqual(
      expect.objectContaining({ action: 'escalate', step: 'director', detail: { from: [ids.dir1], to: [ids.cfo1] } }),
    );
    expect(openAssignees(a)).toEqual(['cfo1']);
    expect((await act('dir1', 'expense', e.id, 'approve')).status).toBe(403);
    expect(await inbox('cfo1')).toContainEqual(expect.objectContaining({ recordId: e.id, title: 'Desk' }));
    expect(await ok('cfo1', 'expense', e.id, 'approve')).toMatchObject({ status: 'approved' });
    expect((await record('expense', e.id)).approval_note).toBe('quick');
    // The same job delivered again (through the outbox, as a redelivery would come) does nothing: the step is decided.
    await t.engine.db.pool.query(`INSERT INTO tessera_outbox (job_name, job_key, data) VALUES ('approval:escalate', $1, $2)`, [
      `again:${a.instance.id}`,
      { instanceId: a.instance.id, step: 0 },
    ]);
    let done = false;
    for (let i = 0; i < 100 && !done; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const jobs = await t.request('GET', '/api/admin/jobs?state=completed&limit=500');
      done = jobs.body.data.some((j: Rec) => j.key === `again:${a.instance.id}`);
    }
    expect(done).toBe(true);
    const after = await approval('expense', e.id);
    expect(after.history.filter((h: Rec) => h.action === 'escalate')).toHaveLength(1);
    expect(after.status).toBe('approved');
  });
});

describe('flows and the state machine', () => {
  async function contract(name: string): Promise<Rec> {
    const res = await t.request('POST', '/api/v1/contract', { name }, as('alice'));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.data;
  }
  const patch = async (c: Rec, body: Rec) => {
    const current = await record('contract', c.id);
    return t.request('PATCH', `/api/v1/contract/${c.id}`, body, { ...as('alice'), 'if-match': `"${current.version}"` });
  };

  it('submits the record when a transition starts a flow, and moves it by the flow’s effects', async () => {
    const c = await contract('Supply');
    const submitted = await patch(c, { status: 'in_approval' });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    expect((await approval('contract', c.id)).instance).toMatchObject({ status: 'pending', flow: 'sign_off', step: 'finance' });
    expect((await patch(c, { name: 'Renamed' })).status).toBe(409);
    await ok('fin2', 'contract', c.id, 'approve');
    expect(await record('contract', c.id)).toMatchObject({ status: 'active', signed: true, name: 'Supply' });

    // The guarded transition is taken only by approving its flow.
    const direct = await patch(c, { status: 'amended' });
    expect(direct.status).toBe(409);
    expect(direct.body.type).toMatch(/approval\.required$/);
    expect(await ok('alice', 'contract', c.id, 'submit', { flow: 'amendment' })).toMatchObject({ step: 'director' });
    await ok('dir1', 'contract', c.id, 'approve');
    expect((await record('contract', c.id)).status).toBe('amended');
  });

  it('offers no button for a transition a flow guards', async () => {
    const res = await t.request('GET', '/api/meta', undefined, as('alice'));
    const contract = res.body.entities.find((e: Rec) => e.name === 'contract');
    const status = contract.fields.find((f: Rec) => f.name === 'status');
    expect(status.transitions.byState).toEqual({ draft: ['submit'], in_approval: [], active: ['terminate'], amended: [], terminated: [] });
    // 'terminate' is the flow's only where its entry criteria hold: the UI offers it, and "submit" where they hold.
    expect(status.transitions.allowed.find((x: Rec) => x.name === 'terminate').approvalFlows).toEqual(['termination']);
    expect(contract.approvalFlows).toEqual([
      { name: 'sign_off', label: 'Sign-off', steps: [{ name: 'finance', label: 'finance' }] },
      { name: 'amendment', label: 'Change an active contract', transition: 'amend', steps: [{ name: 'director', label: 'director' }] },
      {
        name: 'termination',
        label: 'Terminate a valuable contract',
        entry: { '>=': [{ var: 'value' }, 1000] },
        transition: 'terminate',
        steps: [{ name: 'director', label: 'director' }],
      },
    ]);
  });

  it('guards a transition by its flow only where the flow’s entry criteria hold (#21: order approval)', async () => {
    const active = async (name: string, value: string) => {
      const c = await contract(name);
      expect((await patch(c, { value, status: 'in_approval' })).status).toBe(200);
      await ok('fin1', 'contract', c.id, 'approve');
      return record('contract', c.id);
    };
    const small = await active('Small', '999.99');
    const direct = await patch(small, { status: 'terminated' });
    expect(direct.status, JSON.stringify(direct.body)).toBe(200);
    expect((await act('alice', 'contract', small.id, 'submit', { flow: 'termination' })).status).toBe(422);

    const large = await active('Large', '1000.00');
    const refused = await patch(large, { status: 'terminated' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      type: expect.stringMatching(/approval\.required$/),
      detail: expect.stringMatching(/entry criteria/),
    });
    expect((await record('contract', large.id)).status).toBe('active');
    expect(await ok('alice', 'contract', large.id, 'submit', { flow: 'termination' })).toMatchObject({ step: 'director' });
    await ok('dir1', 'contract', large.id, 'approve');
    expect((await record('contract', large.id)).status).toBe('terminated');
  });

  it('takes the rejection transition', async () => {
    const c = await contract('Lease');
    expect((await patch(c, { status: 'in_approval' })).status).toBe(200);
    await ok('fin1', 'contract', c.id, 'reject', { comment: 'missing annex' });
    expect((await record('contract', c.id)).status).toBe('draft');
    // The amendment flow guards 'amend' (from active): a draft cannot be submitted to it.
    expect((await act('alice', 'contract', c.id, 'submit', { flow: 'amendment' })).status).toBe(422);
  });
});

describe('the OpenAPI document', () => {
  it('describes the approval routes and stays valid', async () => {
    const res = await t.request('GET', '/api/openapi.json');
    expect(res.status).toBe(200);
    const result = await new Validator().validate(res.body);
    expect(result.errors ?? []).toEqual([]);
    for (const action of ['submit', 'approve', 'reject', 'withdraw', 'delegate', 'reassign']) {
      expect(res.body.paths[`/api/v1/expense/{id}/approval/${action}`]?.post, action).toBeDefined();
    }
    expect(res.body.paths['/api/v1/expense/{id}/approval'].get).toBeDefined();
    expect(res.body.paths['/api/v1/me/approvals'].get).toBeDefined();
    expect(Object.keys(res.body.paths['/api/v1/me/delegations'])).toEqual(['get', 'post']);
    const ids = Object.values(res.body.paths).flatMap((p: any) =>
      Object.values(p)
        .map((o: any) => o?.operationId)
        .filter(Boolean),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });
});
