// For tests whose subject is not approval: takes a record through a guarded transition the way people do. When the
// record meets a flow's entry criteria, it is submitted and every step approved by `approver`, a user this sets up
// once per engine as the manager of the given owners and a member of the roles the steps name.
import { expect } from 'vitest';
import type { TestEngine } from './test-engine.js';

type Rec = Record<string, any>;

export interface Approver {
  readonly token: string;
  /** Makes the approver these users' manager (the `managers: 1` steps). */
  manage(userIds: readonly string[]): Promise<void>;
}

export async function setUpApprover(t: TestEngine, roles: readonly string[], grants: Rec): Promise<Approver> {
  const user = await t.request('POST', '/api/v1/app_user', { username: 'approver', display_name: 'Approver', locale: 'en' });
  expect(user.status, JSON.stringify(user.body)).toBe(201);
  const id = user.body.data.id as string;
  expect((await t.request('PUT', `/api/admin/users/${id}/password`, { password: 'approver-password' })).status).toBe(204);
  for (const code of roles) {
    const role = await t.request('POST', '/api/v1/role', { code, name: code, grants, members: [id] });
    expect(role.status, JSON.stringify(role.body)).toBe(201);
  }
  const token = await t.login('approver', 'approver-password');
  return {
    token,
    async manage(userIds) {
      for (const userId of userIds) {
        const current = (await t.request('GET', `/api/v1/app_user/${userId}`)).body.data as Rec;
        const res = await t.request('PATCH', `/api/v1/app_user/${userId}`, { manager: id }, { 'if-match': `"${current.version}"` });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
      }
    },
  };
}

/** PATCHes `field` to `to`; when a flow guards the transition, submits the record and approves each step. */
export async function takeTransition(
  t: TestEngine,
  approver: Approver,
  entity: string,
  id: string,
  field: string,
  to: string,
): Promise<Rec> {
  const current = (await t.request('GET', `/api/v1/${entity}/${id}`)).body.data as Rec;
  const res = await t.request('PATCH', `/api/v1/${entity}/${id}`, { [field]: to }, { 'if-match': `"${current.version}"` });
  if (res.status === 200) return res.body.data;
  expect(res.body.type, JSON.stringify(res.body)).toMatch(/approval\.required$/);
  const submitted = await t.request('POST', `/api/v1/${entity}/${id}/approval/submit`, {});
  expect(submitted.status, JSON.stringify(submitted.body)).toBeLessThan(300);
  for (let step = 0; step < 5; step++) {
    const record = (await t.request('GET', `/api/v1/${entity}/${id}`)).body.data as Rec;
    if (record[field] === to) return record;
    const approved = await t.request('POST', `/api/v1/${entity}/${id}/approval/approve`, {}, { authorization: `Bearer ${approver.token}` });
    expect(approved.status, JSON.stringify(approved.body)).toBeLessThan(300);
  }
  throw new Error(`${entity} ${id} did not reach ${to} through its flow`);
}
