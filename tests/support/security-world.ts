// A small organisation for the access-control tests, built through the API as the admin, plus an oracle
// that says — from the fixture data alone, without engine code — which records and fields each user may
// see and change. Packs: core + api-demo (account, deal, tag) + security-demo (contract, owned by org unit).
//
//   HQ ─┬─ BE (Branch East) ─┬─ E1 (Dept Sales-E1)
//       │                    └─ E2 (Dept Sales-E2)
//       └─ BW (Branch West) ─── W1 (Dept W1)
//
// Users (unit, manager, roles):
//   ceo HQ -, viewer_all · east BE ceo, branch_mgr · e1mgr E1 east, team_lead · e1rep E1 e1mgr, sales_rep
//   e1rep2 E1 e1mgr, sales_rep + dept_viewer (union) · e2rep E2 east, sales_rep · west BW ceo, branch_fields
//   w1rep W1 west, sales_rep · auditor HQ -, auditor ("*") · nobody E1 e1mgr, no role · admin HQ (seeded)
import { expect } from 'vitest';
import { startTestEngine, type TestEngine, type TestResponse } from './test-engine.js';

export const PACKS = ['metadata/packs/core', 'tests/fixtures/packs/api-demo', 'tests/fixtures/packs/security-demo'];

export type Scope = 'own' | 'subordinates' | 'orgUnit' | 'orgUnitAndBelow' | 'all';
export type Level = 'write' | 'readOnly' | 'hidden';
export type EntityName = 'account' | 'deal' | 'contract' | 'tag' | 'app_user' | 'org_unit' | 'role';
export const ENTITIES: readonly EntityName[] = ['account', 'deal', 'contract', 'tag', 'app_user', 'org_unit', 'role'];
export const SYSTEM_FIELDS = new Set(['id', 'version', 'created_at', 'updated_at']);

/** Sharing rule: the JSON Logic the engine gets, and the same rule as a predicate over the fixture data. */
export interface SharingDef {
  readonly logic: unknown;
  readonly matches: (rec: Rec, user: UserInfo, w: World) => boolean;
}

export interface GrantDef {
  readonly actions: readonly string[];
  readonly scope: Scope;
  readonly fields?: Readonly<Record<string, 'hidden' | 'readOnly'>>;
  readonly sharing?: readonly SharingDef[];
}

export interface RoleDef {
  readonly code: string;
  readonly admin?: boolean;
  readonly entities?: Readonly<Record<string, GrantDef>>;
}

/** A record as the test knows it: raw references for the oracle, and the admin's view for field checks. */
export interface Rec {
  readonly entity: EntityName;
  readonly key: string;
  readonly id: string;
  deleted: boolean;
  /** owner, org_unit, account, manager, parent (ids or null); members, tags (id lists). */
  readonly refs: Record<string, string | null | string[]>;
  /** The record as the admin reads it (no includes). */
  admin: Record<string, unknown>;
}

export interface UserInfo {
  readonly key: string;
  readonly id: string;
  readonly username: string;
  readonly password: string;
  readonly unit: string | null;
  readonly manager: string | null;
  readonly roles: readonly string[];
  token: string;
}

export interface World {
  readonly t: TestEngine;
  readonly units: Record<string, string>;
  readonly users: Record<string, UserInfo>;
  readonly roles: Record<string, RoleDef & { id: string }>;
  readonly records: Record<EntityName, Map<string, Rec>>;
  /** key -> record, over every entity. */
  readonly byKey: Map<string, Rec>;
  readonly tags: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------------------
// Role definitions

const dealOnMyAccount: SharingDef = {
  // Deals on accounts the caller owns are shared with them.
  logic: { '==': [{ var: 'account.owner' }, { var: '$user.id' }] },
  matches: (rec, user, w) => {
    const acc = w.records.account.get(rec.refs.account as string);
    return !!acc && !acc.deleted && acc.refs.owner === user.id;
  },
};

export const ROLE_DEFS: readonly RoleDef[] = [
  {
    code: 'sales_rep',
    entities: {
      account: { actions: ['read', 'create', 'update', 'export'], scope: 'own', fields: { tier: 'hidden', region: 'readOnly' } },
      deal: { actions: ['read', 'create', 'update', 'delete', 'export'], scope: 'own', sharing: [dealOnMyAccount] },
      tag: { actions: ['read'], scope: 'all' },
      app_user: { actions: ['read'], scope: 'orgUnit', fields: { phone: 'hidden' } },
      org_unit: { actions: ['read'], scope: 'orgUnit' },
    },
  },
  {
    code: 'dept_viewer',
    entities: {
      account: { actions: ['read'], scope: 'orgUnit', fields: { tier: 'readOnly' } },
      deal: { actions: ['read', 'export'], scope: 'orgUnit' },
      contract: { actions: ['read'], scope: 'orgUnit', fields: { revenue: 'hidden' } },
    },
  },
  {
    code: 'team_lead',
    entities: {
      account: { actions: ['read', 'update', 'delete', 'export'], scope: 'subordinates' },
      deal: { actions: ['read', 'update', 'delete'], scope: 'subordinates' },
      // contract has no owner field: a subordinates scope reaches nothing.
      contract: { actions: ['read'], scope: 'subordinates' },
      app_user: { actions: ['read'], scope: 'subordinates' },
      tag: { actions: ['read', 'create'], scope: 'all' },
    },
  },
  {
    code: 'branch_mgr',
    entities: {
      account: { actions: ['read', 'create', 'update', 'delete', 'export'], scope: 'orgUnitAndBelow' },
      deal: { actions: ['read', 'update', 'export'], scope: 'orgUnitAndBelow' },
      contract: { actions: ['read', 'create', 'update', 'delete', 'export'], scope: 'orgUnitAndBelow' },
      // Write grants on users and roles do not make a non-admin able to change them.
      app_user: { actions: ['read', 'create', 'update', 'delete'], scope: 'orgUnitAndBelow' },
      role: { actions: ['read', 'update'], scope: 'all' },
      org_unit: { actions: ['read', 'update'], scope: 'orgUnitAndBelow' },
      tag: { actions: ['read'], scope: 'all' },
    },
  },
  {
    code: 'branch_fields',
    entities: {
      account: { actions: ['read', 'update', 'export'], scope: 'orgUnitAndBelow', fields: { tier: 'hidden', region: 'readOnly' } },
      deal: { actions: ['read', 'export'], scope: 'orgUnitAndBelow', fields: { amount: 'hidden', notes: 'hidden' } },
      contract: { actions: ['read', 'update'], scope: 'orgUnitAndBelow', fields: { revenue: 'hidden', margin: 'readOnly' } },
      app_user: { actions: ['read'], scope: 'orgUnitAndBelow', fields: { email: 'hidden', phone: 'hidden' } },
      // Every unit is readable (nameable), but accounts may only be moved within the branch.
      org_unit: { actions: ['read'], scope: 'all' },
      tag: { actions: ['read'], scope: 'all' },
    },
  },
  {
    code: 'viewer_all',
    entities: {
      account: { actions: ['read', 'export'], scope: 'all' },
      deal: { actions: ['read', 'export'], scope: 'all' },
      contract: { actions: ['read', 'export'], scope: 'all' },
      tag: { actions: ['read', 'export'], scope: 'all' },
    },
  },
  { code: 'auditor', entities: { '*': { actions: ['read'], scope: 'all' } } },
];

export const ADMIN_ROLE: RoleDef = { code: 'admin', admin: true };

interface UserDef {
  key: string;
  unit: string;
  manager: string | null;
  roles: string[];
  email: string;
  phone: string;
}
const USER_DEFS: readonly UserDef[] = [
  { key: 'ceo', unit: 'HQ', manager: null, roles: ['viewer_all'], email: 'ceo@corp.example', phone: '+86 10 0001' },
  { key: 'east', unit: 'BE', manager: 'ceo', roles: ['branch_mgr'], email: 'east@corp.example', phone: '+86 10 0002' },
  { key: 'e1mgr', unit: 'E1', manager: 'east', roles: ['team_lead'], email: 'e1mgr@corp.example', phone: '+86 10 0003' },
  { key: 'e1rep', unit: 'E1', manager: 'e1mgr', roles: ['sales_rep'], email: 'e1rep@corp.example', phone: '+86 10 0004' },
  { key: 'e1rep2', unit: 'E1', manager: 'e1mgr', roles: ['sales_rep', 'dept_viewer'], email: 'e1rep2@corp.example', phone: '+86 10 0005' },
  { key: 'e2rep', unit: 'E2', manager: 'east', roles: ['sales_rep'], email: 'e2rep@corp.example', phone: '+86 10 0006' },
  { key: 'west', unit: 'BW', manager: 'ceo', roles: ['branch_fields'], email: 'west@corp.example', phone: '+86 10 0007' },
  { key: 'w1rep', unit: 'W1', manager: 'west', roles: ['sales_rep'], email: 'w1rep@corp.example', phone: '+86 10 0008' },
  { key: 'auditor', unit: 'HQ', manager: null, roles: ['auditor'], email: 'auditor@corp.example', phone: '+86 10 0009' },
  { key: 'nobody', unit: 'E1', manager: 'e1mgr', roles: [], email: 'nobody@corp.example', phone: '+86 10 0010' },
];

/** Everyone the matrix runs as, the seeded admin included. */
export const USER_KEYS = ['admin', ...USER_DEFS.map((u) => u.key)];

// ---------------------------------------------------------------------------------------------------------
// Building the world through the API

export function as(w: World, userKey: string) {
  const token = w.users[userKey]?.token;
  if (!token) throw new Error(`no token for ${userKey}`);
  return (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<TestResponse> =>
    w.t.request(method, path, body, { authorization: `Bearer ${token}`, ...headers });
}

async function post(t: TestEngine, entity: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await t.request('POST', `/api/v1/${entity}`, body);
  if (res.status !== 201) throw new Error(`creating ${entity} ${JSON.stringify(body)} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data as Record<string, unknown>;
}

function grantsJson(role: RoleDef): Record<string, unknown> {
  if (role.admin) return { admin: true };
  return {
    entities: Object.fromEntries(
      Object.entries(role.entities ?? {}).map(([name, g]) => [
        name,
        {
          actions: g.actions,
          scope: g.scope,
          ...(g.fields ? { fields: g.fields } : {}),
          ...(g.sharing ? { sharing: g.sharing.map((s) => s.logic) } : {}),
        },
      ]),
    ),
  };
}

export function passwordOf(key: string): string {
  return `${key}-Secret-123`;
}

/** An engine on the security fixtures with the world built: what each security test file starts from. */
export async function startSecurityWorld(env?: Record<string, string>): Promise<{ t: TestEngine; w: World }> {
  const t = await startTestEngine({ packs: PACKS, ...(env ? { env } : {}) });
  return { t, w: await buildWorld(t) };
}

export async function buildWorld(t: TestEngine): Promise<World> {
  const records = Object.fromEntries(ENTITIES.map((e) => [e, new Map<string, Rec>()])) as Record<EntityName, Map<string, Rec>>;
  const byKey = new Map<string, Rec>();
  const remember = (entity: EntityName, key: string, data: Record<string, unknown>, refs: Rec['refs']): Rec => {
    const rec: Rec = { entity, key, id: data.id as string, deleted: false, refs, admin: data };
    records[entity].set(rec.id, rec);
    byKey.set(key, rec);
    return rec;
  };

  // Org units: HQ was seeded with the admin.
  const hq = await t.request('GET', `/api/v1/org_unit?filter=${encodeURIComponent(JSON.stringify({ '==': [{ var: 'code' }, 'HQ'] }))}`);
  const hqId = hq.body.data[0].id as string;
  const units: Record<string, string> = { HQ: hqId };
  remember('org_unit', 'unit:HQ', hq.body.data[0], { parent: null });
  const unitDefs: Array<[string, string, string, string]> = [
    ['BE', 'Branch East', 'branch', 'HQ'],
    ['E1', 'Dept Sales-E1', 'department', 'BE'],
    ['E2', 'Dept Sales-E2', 'department', 'BE'],
    ['BW', 'Branch West', 'branch', 'HQ'],
    ['W1', 'Dept W1', 'department', 'BW'],
  ];
  for (const [code, name, type, parent] of unitDefs) {
    const data = await post(t, 'org_unit', { code, name, unit_type: type, parent: units[parent] });
    units[code] = data.id as string;
    remember('org_unit', `unit:${code}`, data, { parent: units[parent] ?? null });
  }

  // Users: the seeded admin, then the rest in manager order.
  const adminRes = await t.request(
    'GET',
    `/api/v1/app_user?filter=${encodeURIComponent(JSON.stringify({ '==': [{ var: 'username' }, 'admin'] }))}`,
  );
  const adminData = adminRes.body.data[0] as Record<string, unknown>;
  const users: Record<string, UserInfo> = {
    admin: {
      key: 'admin',
      id: adminData.id as string,
      username: 'admin',
      password: 'test-admin-password',
      unit: hqId,
      manager: null,
      roles: ['admin'],
      token: t.adminToken,
    },
  };
  remember('app_user', 'user:admin', adminData, { org_unit: hqId, manager: null });
  for (const u of USER_DEFS) {
    const manager = u.manager ? (users[u.manager]?.id ?? null) : null;
    const data = await post(t, 'app_user', {
      username: u.key,
      display_name: u.key.toUpperCase(),
      email: u.email,
      phone: u.phone,
      org_unit: units[u.unit],
      manager,
      locale: 'en',
    });
    const id = data.id as string;
    const pw = await t.request('PUT', `/api/admin/users/${id}/password`, { password: passwordOf(u.key) });
    if (pw.status !== 204) throw new Error(`password of ${u.key}: ${pw.status} ${JSON.stringify(pw.body)}`);
    users[u.key] = {
      key: u.key,
      id,
      username: u.key,
      password: passwordOf(u.key),
      unit: units[u.unit] ?? null,
      manager,
      roles: u.roles,
      token: '',
    };
    remember('app_user', `user:${u.key}`, data, { org_unit: units[u.unit] ?? null, manager });
  }

  // Roles: the seeded admin role, then ours with their members.
  const adminRole = await t.request(
    'GET',
    `/api/v1/role?filter=${encodeURIComponent(JSON.stringify({ '==': [{ var: 'code' }, 'admin'] }))}`,
  );
  const roles: World['roles'] = { admin: { ...ADMIN_ROLE, id: adminRole.body.data[0].id as string } };
  remember('role', 'role:admin', adminRole.body.data[0], { members: [users.admin!.id] });
  for (const def of ROLE_DEFS) {
    const members = USER_DEFS.filter((u) => u.roles.includes(def.code)).map((u) => users[u.key]!.id);
    const data = await post(t, 'role', { code: def.code, name: def.code.replace('_', ' '), grants: grantsJson(def), members });
    roles[def.code] = { ...def, id: data.id as string };
    remember('role', `role:${def.code}`, data, { members });
  }

  const U = (k: string) => users[k]!.id;
  // Tags (no ownership: only an `all` scope reaches them).
  const tags: Record<string, string> = {};
  for (const label of ['hot', 'cold', 'vip']) {
    const data = await post(t, 'tag', { label_text: label });
    tags[label] = data.id as string;
    remember('tag', `tag:${label}`, data, {});
  }

  // Accounts: [key, name, owner, unit, tier, region]
  const accountDefs: Array<[string, string, string | null, string | null, number | null, string | null]> = [
    ['A_e1rep', 'Alpha', 'e1rep', 'E1', 1, 'north'],
    ['A_e1rep2', 'Bravo', 'e1rep2', 'E1', 2, 'south'],
    ['A_e1mgr', 'Charlie', 'e1mgr', 'E1', 3, 'east'],
    ['A_e2rep', 'Delta', 'e2rep', 'E2', 4, 'north'],
    ['A_east', 'Echo', 'east', 'BE', 5, 'south'],
    ['A_w1rep', 'Foxtrot', 'w1rep', 'W1', 1, 'east'],
    ['A_west', 'Golf', 'west', 'BW', 2, 'north'],
    ['A_hq', 'Hotel', 'ceo', 'HQ', 3, 'south'],
    // Owned by an East rep but booked in the West unit: own and orgUnit scopes disagree on it.
    ['A_cross', 'India', 'e1rep', 'W1', 4, 'east'],
    ['A_none', 'Juliet', null, null, null, null],
    ['A_deleted', 'Kilo', 'e1rep', 'E1', 5, 'north'],
  ];
  for (const [key, name, owner, unit, tier, region] of accountDefs) {
    const data = await post(t, 'account', { name, owner: owner ? U(owner) : null, org_unit: unit ? units[unit] : null, tier, region });
    remember('account', key, data, { owner: owner ? U(owner) : null, org_unit: unit ? units[unit]! : null, parent: null });
  }
  // A subsidiary link for the `subsidiaries` / `parent` paths: Bravo belongs to Alpha, Foxtrot to Golf.
  for (const [child, parent] of [
    ['A_e1rep2', 'A_e1rep'],
    ['A_w1rep', 'A_west'],
  ] as const) {
    const c = byKey.get(child)!;
    const res = await t.request(
      'PATCH',
      `/api/v1/account/${c.id}`,
      { parent: byKey.get(parent)!.id },
      { 'if-match': `"${String(c.admin.version)}"` },
    );
    if (res.status !== 200) throw new Error(`parent link: ${res.status} ${JSON.stringify(res.body)}`);
    c.refs.parent = byKey.get(parent)!.id;
    c.admin = res.body.data;
  }

  // Deals: [key, title, owner, account, won, tags]
  const dealDefs: Array<[string, string, string | null, string, boolean, string[]]> = [
    ['D1', 'Alpha renewal', 'e1rep', 'A_e1rep', true, ['hot']],
    ['D2', 'Alpha upsell', 'e1rep2', 'A_e1rep', false, ['cold', 'vip']],
    ['D3', 'Charlie deal', 'e1mgr', 'A_e1mgr', false, []],
    ['D4', 'Delta deal', 'e2rep', 'A_e2rep', true, ['hot', 'cold']],
    ['D5', 'Echo deal', 'east', 'A_east', false, ['vip']],
    ['D6', 'Foxtrot deal', 'w1rep', 'A_w1rep', true, ['hot']],
    ['D7', 'India deal', 'w1rep', 'A_cross', false, ['cold']],
    ['D8', 'Golf deal', 'west', 'A_west', false, []],
    ['D9', 'Hotel deal', 'ceo', 'A_hq', true, ['vip']],
    ['D10', 'Juliet deal', null, 'A_none', false, ['hot']],
    ['D11', 'Rep on Foxtrot', 'e1rep', 'A_w1rep', false, []],
    // A live deal on the account deleted below: its sharing rule must not reach it through the deleted account.
    ['D12', 'Kilo deal', 'w1rep', 'A_deleted', true, ['hot']],
    ['D_deleted', 'Deleted deal', 'e1rep', 'A_e1rep', true, ['hot']],
  ];
  for (const [key, title, owner, account, won, tagList] of dealDefs) {
    const tagIds = tagList.map((l) => tags[l]!);
    const data = await post(t, 'deal', {
      title,
      code: key.toUpperCase().replace('_', '-'),
      owner: owner ? U(owner) : null,
      account: byKey.get(account)!.id,
      won,
      notes: `notes of ${key}`,
      amount: { amount: `${key.length * 1000}.50`, currency: 'USD' },
      stage: won ? 'closed' : 'lead',
      tags: tagIds,
    });
    remember('deal', key, data, { owner: owner ? U(owner) : null, account: byKey.get(account)!.id, tags: tagIds });
  }

  // Contracts: [key, title, unit, account, revenue, margin]
  const contractDefs: Array<[string, string, string | null, string | null, string, number]> = [
    ['C1', 'E1 contract', 'E1', 'A_e1rep', '1000.00', 10],
    ['C2', 'E2 contract', 'E2', 'A_e2rep', '2000.00', 20],
    ['C3', 'East branch contract', 'BE', 'A_east', '3000.00', 30],
    ['C4', 'W1 contract', 'W1', 'A_w1rep', '4000.00', 40],
    ['C5', 'HQ contract', 'HQ', 'A_hq', '5000.00', 50],
    ['C6', 'Unassigned contract', null, 'A_none', '6000.00', 60],
    ['C7', 'W1 contract on India', 'W1', 'A_cross', '7000.00', 70],
  ];
  for (const [key, title, unit, account, revenue, margin] of contractDefs) {
    const data = await post(t, 'contract', {
      title,
      org_unit: unit ? units[unit] : null,
      account: account ? byKey.get(account)!.id : null,
      revenue: { amount: revenue, currency: 'CNY' },
      margin,
    });
    remember('contract', key, data, { org_unit: unit ? units[unit]! : null, account: account ? byKey.get(account)!.id : null });
  }

  // Soft-deleted records are gone for everyone.
  const dDeleted = byKey.get('D_deleted')!;
  const res = await t.request('DELETE', `/api/v1/deal/${dDeleted.id}`);
  if (res.status !== 200) throw new Error(`delete D_deleted: ${res.status}`);
  dDeleted.deleted = true;
  // D12 still references A_deleted, which onDelete 'restrict' refuses through the API: the state of data written
  // before the rule was enforced (or by hand), which reads must still handle.
  const aDeleted = byKey.get('A_deleted')!;
  await t.db.pool.query('UPDATE account SET deleted_at = now(), version = version + 1 WHERE id = $1', [aDeleted.id]);
  aDeleted.deleted = true;

  for (const u of USER_DEFS) users[u.key]!.token = await t.login(u.key, passwordOf(u.key));
  const w: World = { t, units, users, roles, records, byKey, tags };
  await refreshAdminViews(w);
  return w;
}

/** Re-reads every live record as the admin (after writes that bumped versions). */
export async function refreshAdminViews(w: World): Promise<void> {
  for (const entity of ENTITIES) {
    const res = await w.t.request('GET', `/api/v1/${entity}?limit=500`);
    if (res.status !== 200) throw new Error(`admin list ${entity}: ${res.status}`);
    for (const row of res.body.data as Array<Record<string, unknown>>) {
      const rec = w.records[entity].get(row.id as string);
      if (rec) rec.admin = row;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// The oracle: what each user may do, from the role definitions and the fixture data

const OWNERSHIP: Record<EntityName, { owner?: string; unit?: string }> = {
  account: { owner: 'owner', unit: 'org_unit' },
  deal: { owner: 'owner' },
  contract: { unit: 'org_unit' },
  tag: {},
  app_user: {},
  org_unit: {},
  role: {},
};

export function isAdmin(w: World, userKey: string): boolean {
  return w.users[userKey]!.roles.some((r) => w.roles[r]?.admin === true);
}

function grantsFor(w: World, userKey: string, entity: string): GrantDef[] {
  return w.users[userKey]!.roles.flatMap((r) => {
    const role = w.roles[r];
    return [role?.entities?.[entity], role?.entities?.['*']].filter((g): g is GrantDef => g !== undefined);
  });
}

export function can(w: World, userKey: string, entity: string, action: string): boolean {
  return isAdmin(w, userKey) || grantsFor(w, userKey, entity).some((g) => g.actions.includes(action));
}

/** The user and everyone whose manager chain leads to them. */
export function subordinates(w: World, userId: string): Set<string> {
  const out = new Set([userId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const u of w.records.app_user.values()) {
      if (!u.deleted && u.refs.manager && out.has(u.refs.manager as string) && !out.has(u.id)) {
        out.add(u.id);
        grew = true;
      }
    }
  }
  return out;
}

/** A unit and every unit below it. */
export function unitAndBelow(w: World, unitId: string | null): Set<string> {
  const out = new Set<string>(unitId ? [unitId] : []);
  let grew = true;
  while (grew) {
    grew = false;
    for (const u of w.records.org_unit.values()) {
      if (u.refs.parent && out.has(u.refs.parent as string) && !out.has(u.id)) {
        out.add(u.id);
        grew = true;
      }
    }
  }
  return out;
}

function userById(w: World, id: string | null | undefined): Rec | undefined {
  return id ? w.records.app_user.get(id) : undefined;
}

function inScope(w: World, user: UserInfo, entity: EntityName, rec: Rec, scope: Scope): boolean {
  if (scope === 'all') return true;
  const own = OWNERSHIP[entity];
  const owner = own.owner ? (rec.refs[own.owner] as string | null) : undefined;
  const unit = own.unit ? (rec.refs[own.unit] as string | null) : undefined;
  switch (scope) {
    case 'own':
      if (own.owner) return owner === user.id;
      return entity === 'app_user' && rec.id === user.id;
    case 'subordinates': {
      const subs = subordinates(w, user.id);
      if (own.owner) return !!owner && subs.has(owner);
      return entity === 'app_user' && subs.has(rec.id);
    }
    case 'orgUnit':
    case 'orgUnitAndBelow': {
      const units = scope === 'orgUnit' ? new Set(user.unit ? [user.unit] : []) : unitAndBelow(w, user.unit);
      if (own.unit) return !!unit && units.has(unit);
      if (entity === 'org_unit') return units.has(rec.id);
      if (entity === 'app_user') return !!rec.refs.org_unit && units.has(rec.refs.org_unit as string);
      if (own.owner) {
        const ownerUnit = userById(w, owner)?.refs.org_unit as string | null | undefined;
        return !!ownerUnit && units.has(ownerUnit);
      }
      return false;
    }
  }
}

/** Ids of the live records of `entity` the user may `action`. */
export function rowIds(w: World, userKey: string, entity: EntityName, action: string): Set<string> {
  const user = w.users[userKey]!;
  const live = [...w.records[entity].values()].filter((r) => !r.deleted);
  if (isAdmin(w, userKey)) return new Set(live.map((r) => r.id));
  const grants = grantsFor(w, userKey, entity).filter((g) => g.actions.includes(action));
  const reached = new Set(
    live
      .filter((rec) => grants.some((g) => inScope(w, user, entity, rec, g.scope) || (g.sharing ?? []).some((s) => s.matches(rec, user, w))))
      .map((r) => r.id),
  );
  if (action === 'read') return reached;
  // Every other action is bounded by what the user may read.
  const readable = rowIds(w, userKey, entity, 'read');
  return new Set([...reached].filter((id) => readable.has(id)));
}

export function fieldLevel(w: World, userKey: string, entity: string, field: string): Level {
  if (isAdmin(w, userKey)) return 'write';
  if (SYSTEM_FIELDS.has(field)) return 'readOnly';
  // Visible when a reading grant does not hide it; writable only when a writing grant leaves it without a rule
  // (a read-only role must not make another role's read-only field writable).
  const grants = grantsFor(w, userKey, entity);
  const visible = grants.some((g) => g.actions.includes('read') && g.fields?.[field] !== 'hidden');
  const writable = grants.some((g) => (g.actions.includes('create') || g.actions.includes('update')) && g.fields?.[field] === undefined);
  return !visible ? 'hidden' : writable ? 'write' : 'readOnly';
}

/**
 * The admin's view of a record as the user should see it: without the fields hidden from the user, and with
 * manyToMany id lists cut down to the linked records the user may read.
 */
export function visible(w: World, userKey: string, rec: Rec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rec.admin)) {
    if (!SYSTEM_FIELDS.has(k) && fieldLevel(w, userKey, rec.entity, k) === 'hidden') continue;
    const rel = RELATIONS[rec.entity][k];
    if (rel?.kind === 'manyToMany' && !rel.inverseOfList && Array.isArray(v)) {
      const readable = rowIds(w, userKey, rel.target, 'read');
      out[k] = v.filter((id) => readable.has(id as string));
    } else {
      out[k] = v;
    }
  }
  return out;
}

export function hiddenFields(w: World, userKey: string, entity: EntityName): string[] {
  const sample = [...w.records[entity].values()][0];
  return Object.keys(sample?.admin ?? {}).filter((k) => !SYSTEM_FIELDS.has(k) && fieldLevel(w, userKey, entity, k) === 'hidden');
}

// ---------------------------------------------------------------------------------------------------------
// Relations, for include and relation-path filters

export interface RelationDef {
  readonly kind: 'belongsTo' | 'hasMany' | 'manyToMany';
  readonly target: EntityName;
  /** belongsTo: the ref on this record. hasMany: the ref on the child pointing here. manyToMany: the list ref and its side. */
  readonly ref: string;
  /** For an inverse, the field on the other entity (for the hidden check). */
  readonly sourceEntity: EntityName;
  readonly sourceField: string;
  readonly inverseOfList?: boolean;
}

export const RELATIONS: Record<EntityName, Record<string, RelationDef>> = {
  account: {
    owner: { kind: 'belongsTo', target: 'app_user', ref: 'owner', sourceEntity: 'account', sourceField: 'owner' },
    org_unit: { kind: 'belongsTo', target: 'org_unit', ref: 'org_unit', sourceEntity: 'account', sourceField: 'org_unit' },
    parent: { kind: 'belongsTo', target: 'account', ref: 'parent', sourceEntity: 'account', sourceField: 'parent' },
    subsidiaries: { kind: 'hasMany', target: 'account', ref: 'parent', sourceEntity: 'account', sourceField: 'parent' },
    deals: { kind: 'hasMany', target: 'deal', ref: 'account', sourceEntity: 'deal', sourceField: 'account' },
    contracts: { kind: 'hasMany', target: 'contract', ref: 'account', sourceEntity: 'contract', sourceField: 'account' },
  },
  deal: {
    account: { kind: 'belongsTo', target: 'account', ref: 'account', sourceEntity: 'deal', sourceField: 'account' },
    owner: { kind: 'belongsTo', target: 'app_user', ref: 'owner', sourceEntity: 'deal', sourceField: 'owner' },
    tags: { kind: 'manyToMany', target: 'tag', ref: 'tags', sourceEntity: 'deal', sourceField: 'tags' },
  },
  contract: {
    account: { kind: 'belongsTo', target: 'account', ref: 'account', sourceEntity: 'contract', sourceField: 'account' },
    org_unit: { kind: 'belongsTo', target: 'org_unit', ref: 'org_unit', sourceEntity: 'contract', sourceField: 'org_unit' },
  },
  tag: {
    deals: { kind: 'manyToMany', target: 'deal', ref: 'tags', sourceEntity: 'deal', sourceField: 'tags', inverseOfList: true },
  },
  app_user: {
    org_unit: { kind: 'belongsTo', target: 'org_unit', ref: 'org_unit', sourceEntity: 'app_user', sourceField: 'org_unit' },
    manager: { kind: 'belongsTo', target: 'app_user', ref: 'manager', sourceEntity: 'app_user', sourceField: 'manager' },
    reports: { kind: 'hasMany', target: 'app_user', ref: 'manager', sourceEntity: 'app_user', sourceField: 'manager' },
    roles: { kind: 'manyToMany', target: 'role', ref: 'members', sourceEntity: 'role', sourceField: 'members', inverseOfList: true },
  },
  org_unit: {
    parent: { kind: 'belongsTo', target: 'org_unit', ref: 'parent', sourceEntity: 'org_unit', sourceField: 'parent' },
    children: { kind: 'hasMany', target: 'org_unit', ref: 'parent', sourceEntity: 'org_unit', sourceField: 'parent' },
    members: { kind: 'hasMany', target: 'app_user', ref: 'org_unit', sourceEntity: 'app_user', sourceField: 'org_unit' },
    account_by_org_unit: { kind: 'hasMany', target: 'account', ref: 'org_unit', sourceEntity: 'account', sourceField: 'org_unit' },
    contract_by_org_unit: { kind: 'hasMany', target: 'contract', ref: 'org_unit', sourceEntity: 'contract', sourceField: 'org_unit' },
  },
  role: {
    members: { kind: 'manyToMany', target: 'app_user', ref: 'members', sourceEntity: 'role', sourceField: 'members' },
  },
};

/** Is the include name accepted for this user (else the engine answers 400 as for an unknown relation)? */
export function includeAllowed(w: World, userKey: string, entity: EntityName, name: string): boolean {
  const rel = RELATIONS[entity][name];
  if (!rel) return false;
  const isOwnField = rel.sourceEntity === entity && (rel.kind === 'belongsTo' || (rel.kind === 'manyToMany' && !rel.inverseOfList));
  if (isOwnField) return fieldLevel(w, userKey, entity, name) !== 'hidden';
  return fieldLevel(w, userKey, rel.sourceEntity, rel.sourceField) !== 'hidden' && can(w, userKey, rel.sourceEntity, 'read');
}

/** The related records of `rec` through `name` (live ones; scope not applied). */
export function related(w: World, rec: Rec, name: string): Rec[] {
  const rel = RELATIONS[rec.entity][name]!;
  const targets = [...w.records[rel.target].values()].filter((r) => !r.deleted);
  if (rel.kind === 'belongsTo') {
    const id = rec.refs[rel.ref] as string | null;
    return targets.filter((r) => r.id === id);
  }
  if (rel.kind === 'hasMany') return targets.filter((r) => r.refs[rel.ref] === rec.id);
  if (rel.inverseOfList) return targets.filter((r) => ((r.refs[rel.ref] as string[] | undefined) ?? []).includes(rec.id));
  const ids = (rec.refs[rel.ref] as string[] | undefined) ?? [];
  return targets.filter((r) => ids.includes(r.id));
}

/**
 * What `include=name` should put on the user's copy of `rec`. Included records may come without their own
 * manyToMany id lists (the engine loads those for top-level records); when `got` lacks one, so does the
 * expectation — but a list that is there must hold only readable ids.
 */
export function expectedInclude(w: World, userKey: string, rec: Rec, name: string, got?: unknown): unknown {
  const rel = RELATIONS[rec.entity][name]!;
  const readable = rowIds(w, userKey, rel.target, 'read');
  const lists = Object.entries(RELATIONS[rel.target])
    .filter(([, r]) => r.kind === 'manyToMany' && !r.inverseOfList)
    .map(([n]) => n);
  const gotById = new Map<unknown, Record<string, unknown>>(
    (Array.isArray(got) ? got : got && typeof got === 'object' ? [got] : []).map((g) => [
      (g as { id?: unknown }).id,
      g as Record<string, unknown>,
    ]),
  );
  const shown = related(w, rec, name)
    .filter((r) => readable.has(r.id))
    .map((r) => {
      const want = visible(w, userKey, r);
      const actual = gotById.get(r.id);
      for (const list of lists) if (actual && !(list in actual)) delete want[list];
      return want;
    });
  if (rel.kind === 'belongsTo') return shown[0] ?? null;
  return shown.sort((a, b) => String(a.id).localeCompare(String(b.id)));
}

// ---------------------------------------------------------------------------------------------------------
// Assertions

export function sortById<T extends { id?: unknown }>(rows: readonly T[]): T[] {
  return [...rows].sort((a, b) => String(a.id).localeCompare(String(b.id)));
}

export function keyOf(w: World, id: unknown): string {
  for (const rec of w.byKey.values()) if (rec.id === id) return rec.key;
  return String(id);
}

export function keys(w: World, ids: Iterable<unknown>): string[] {
  return [...ids].map((id) => keyOf(w, id)).sort();
}

/** The 404 a missing record gets, with the id taken out, to compare with an out-of-scope answer. */
export function normalised404(res: TestResponse, id: string): unknown {
  const { requestId: _r, ...rest } = res.body as Record<string, unknown>;
  return JSON.parse(JSON.stringify(rest).split(id).join('<id>'));
}

export function expectStatus(res: TestResponse, status: number, what: string): void {
  expect(res.status, `${what}: ${res.status} ${String(JSON.stringify(res.body)).slice(0, 400)}`).toBe(status);
}
