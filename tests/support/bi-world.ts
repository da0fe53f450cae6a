// A small CRM world for the BI tests (#22): two branches, a manager with one report, a rep elsewhere whose role hides
// the opportunity budget; customers in two regions and opportunities spread over owners, priorities, currencies and
// customers, some owned by another user than their customer's owner (so a join's own scope matters).
import { expect } from 'vitest';
import { listUrl } from './list-url.js';
import type { TestEngine } from './test-engine.js';

type Rec = Record<string, any>;

export interface BiWorld {
  readonly ids: Record<string, string>;
  readonly tokens: Record<string, string>;
  /** Owner ids each user may read (own, or own and subordinates'). */
  readonly scope: Record<string, string[]>;
}

export const BI_USERS = ['rep_east', 'rep_south', 'mgr_east'] as const;

export async function setupBiWorld(t: TestEngine, opportunities = 24): Promise<BiWorld> {
  const post = async (entity: string, body: Rec): Promise<Rec> => {
    const res = await t.request('POST', `/api/v1/${entity}`, body);
    expect(res.status, `${entity}: ${JSON.stringify(res.body)}`).toBe(201);
    return res.body.data;
  };
  const ids: Record<string, string> = {};
  const tokens: Record<string, string> = {};
  const units = await t.request('GET', listUrl('org_unit', { filter: { '==': [{ var: 'code' }, 'HQ'] } }));
  const hq = units.body.data[0] as Rec;
  const east = await post('org_unit', { name: '华东分公司', code: 'EAST', unit_type: 'branch', parent: hq.id });
  const south = await post('org_unit', { name: '华南分公司', code: 'SOUTH', unit_type: 'branch', parent: hq.id });
  const mk = async (username: string, unit: string, manager?: string) => {
    const u = await post('app_user', { username, display_name: username, org_unit: unit, ...(manager ? { manager } : {}) });
    expect((await t.request('PUT', `/api/admin/users/${u.id}/password`, { password: `${username}-password` })).status).toBe(204);
    ids[username] = u.id;
  };
  await mk('mgr_east', east.id);
  await mk('rep_east', east.id, ids.mgr_east);
  await mk('rep_south', south.id);
  const grants = (scope: string, hidden: Rec = {}) => ({
    entities: { customer: { actions: ['read'], scope }, opportunity: { actions: ['read'], scope, fields: hidden } },
  });
  await post('role', { code: 'rep', name: 'rep', grants: grants('own'), members: [ids.rep_east] });
  await post('role', { code: 'rep_s', name: 'rep s', grants: grants('own', { budget: 'hidden' }), members: [ids.rep_south] });
  await post('role', { code: 'mgr', name: 'mgr', grants: grants('subordinates'), members: [ids.mgr_east] });
  for (const name of BI_USERS) tokens[name] = await t.login(name, `${name}-password`);

  const owners = [...BI_USERS];
  const customers: Rec[] = [];
  for (let i = 0; i < 6; i++) {
    customers.push(await post('customer', { name: `客户 ${i}`, region: i % 2 ? 'east' : 'south', owner: ids[owners[i % 3] ?? ''] }));
  }
  const priorities = ['high', 'normal', 'low'];
  for (let i = 0; i < opportunities; i++) {
    const usd = i % 4 === 0;
    await post('opportunity', {
      name: `商机 ${i}`,
      customer: customers[(i * 5) % 6]?.id,
      owner: ids[owners[Math.floor(i / 3) % 3] ?? ''],
      priority: priorities[i % 3],
      amount: { amount: `${(i * 1234.5 + 100).toFixed(2)}`, currency: usd ? 'USD' : 'CNY' },
      ...(usd ? { exchange_rate: '7.1' } : {}),
      budget: `${i * 10}.25`,
    });
  }
  const scope = {
    rep_east: [ids.rep_east ?? ''],
    rep_south: [ids.rep_south ?? ''],
    mgr_east: [ids.mgr_east ?? '', ids.rep_east ?? ''],
  };
  return { ids, tokens, scope };
}
