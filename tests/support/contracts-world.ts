// A real engine on core + crm + contracts for the contracts pack's integration tests, with a small sales
// organisation: a rep whose manager approves, a finance user, and grants for what they do.
import { expect } from 'vitest';
import { listUrl } from './list-url.js';
import { startTestEngine, type TestEngine, type TestResponse } from './test-engine.js';

type Rec = Record<string, any>;

export interface ContractsWorld {
  readonly t: TestEngine;
  readonly ids: Record<string, string>;
  /** Headers acting as one of mgr, rep, fin. */
  as(who: string): Record<string, string>;
  post(entity: string, body: Rec, who?: string): Promise<Rec>;
  get(entity: string, id: string, who?: string): Promise<Rec>;
  /** PATCH with the record's current version as If-Match. */
  patch(entity: string, id: string, body: Rec, who?: string): Promise<TestResponse>;
  action(entity: string, id: string, name: string, body?: Rec, who?: string): Promise<TestResponse>;
  list(entity: string, filter: unknown): Promise<Rec[]>;
  /**
   * Sets `field` to `to` as `who`; when an approval flow guards the transition, submits the record and lets the
   * manager, then finance, approve until it gets there.
   */
  approve(entity: string, id: string, field: string, to: string, who?: string): Promise<Rec>;
}

const ENTITIES = [
  'customer',
  'contact',
  'opportunity',
  'product',
  'sales_order',
  'order_line',
  'quote',
  'quote_line',
  'contract',
  'contract_line',
  'contract_version',
  'change_request',
  'contract_template',
  'contract_template_line',
  'contract_template_sla_metric',
  'contract_issue',
  'contract_issue_action',
  'activity',
  'milestone',
  'billing_line',
  'invoice',
  'invoice_line',
  'receipt',
  'receipt_allocation',
  'cost_entry',
  'sla_metric',
  'sla_metric_type',
];

export async function startContractsWorld(): Promise<ContractsWorld> {
  const t = await startTestEngine({ packs: ['metadata/packs/core', 'metadata/packs/crm', 'metadata/packs/contracts'] });
  const ids: Record<string, string> = {};
  const tokens: Record<string, string> = {};
  const as = (who?: string): Record<string, string> => (who ? { authorization: `Bearer ${tokens[who]}` } : {});
  const post = async (entity: string, body: Rec, who?: string): Promise<Rec> => {
    const res = await t.request('POST', `/api/v1/${entity}`, body, as(who));
    expect(res.status, `${entity}: ${JSON.stringify(res.body)}`).toBe(201);
    return res.body.data;
  };
  const get = async (entity: string, id: string, who?: string): Promise<Rec> => {
    const res = await t.request('GET', `/api/v1/${entity}/${id}`, undefined, as(who));
    expect(res.status, `${entity}: ${JSON.stringify(res.body)}`).toBe(200);
    return res.body.data;
  };
  const hq = (await t.request('GET', listUrl('org_unit', { filter: { '==': [{ var: 'code' }, 'HQ'] } }))).body.data[0] as Rec;
  for (const [username, manager] of [
    ['mgr', undefined],
    ['rep', 'mgr'],
    ['fin', undefined],
  ] as const) {
    const u = await post('app_user', {
      username,
      display_name: username,
      org_unit: hq.id,
      locale: 'en',
      ...(manager ? { manager: ids[manager] } : {}),
    });
    expect((await t.request('PUT', `/api/admin/users/${u.id}/password`, { password: `${username}-password` })).status).toBe(204);
    ids[username] = u.id;
  }
  const actions: Record<string, string[]> = {
    quote: ['revise', 'create_contract', 'create_order'],
    opportunity: ['create_quote', 'create_contract'],
    contract: ['compare_versions', 'renew'],
    contract_template: ['create_contract'],
  };
  const grants = {
    entities: Object.fromEntries(
      ENTITIES.map((e) => [e, { actions: ['read', 'create', 'update', 'delete', ...(actions[e] ?? [])], scope: 'all' }]),
    ),
  };
  await post('role', { code: 'sales_rep', name: 'Sales reps', grants, members: [ids.rep, ids.mgr] });
  await post('role', { code: 'finance', name: 'Finance', grants, members: [ids.fin] });
  for (const name of ['mgr', 'rep', 'fin']) tokens[name] = await t.login(name, `${name}-password`);
  const patch = async (entity: string, id: string, body: Rec, who?: string): Promise<TestResponse> => {
    const current = await get(entity, id, who);
    return t.request('PATCH', `/api/v1/${entity}/${id}`, body, { 'if-match': `"${current.version}"`, ...as(who) });
  };
  return {
    t,
    ids,
    as,
    post,
    get,
    patch,
    action: (entity, id, name, body = {}, who) => t.request('POST', `/api/v1/${entity}/${id}/actions/${name}`, body, as(who)),
    async list(entity, filter) {
      const res = await t.request('GET', listUrl(entity, { filter, sort: 'created_at' }));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.data;
    },
    async approve(entity, id, field, to, who = 'rep') {
      const moved = await patch(entity, id, { [field]: to }, who);
      if (moved.status === 200) return moved.body.data;
      expect(moved.body.type, JSON.stringify(moved.body)).toMatch(/approval\.required$/);
      const submitted = await t.request('POST', `/api/v1/${entity}/${id}/approval/submit`, {}, as(who));
      expect(submitted.status, JSON.stringify(submitted.body)).toBeLessThan(300);
      for (const approver of ['mgr', 'fin']) {
        const record = await get(entity, id);
        if (record[field] === to) return record;
        const approved = await t.request('POST', `/api/v1/${entity}/${id}/approval/approve`, {}, as(approver));
        expect(approved.status, JSON.stringify(approved.body)).toBeLessThan(300);
      }
      const record = await get(entity, id);
      expect(record[field], `${entity} ${id} through its flow`).toBe(to);
      return record;
    },
  };
}
