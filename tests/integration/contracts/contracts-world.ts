// Shared set-up for the billing, receipts, profit and transaction-view tests: a real engine on core + crm +
// contracts, records created through HTTP, and the billing job run through the engine's queue.
import { expect } from 'vitest';
import { setUpApprover, takeTransition, type Approver } from '../../support/approve-through-flow.js';
import type { TestEngine } from '../../support/test-engine.js';

export type Rec = Record<string, any>;

export async function post(t: TestEngine, entity: string, body: Rec, token?: string): Promise<Rec> {
  const res = await t.request('POST', `/api/v1/${entity}`, body, token ? { authorization: `Bearer ${token}` } : {});
  expect(res.status, `${entity}: ${JSON.stringify(res.body)}`).toBe(201);
  return res.body.data;
}

export async function get(t: TestEngine, entity: string, id: string, token?: string): Promise<Rec> {
  const res = await t.request('GET', `/api/v1/${entity}/${id}`, undefined, token ? { authorization: `Bearer ${token}` } : {});
  expect(res.status, `${entity}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body.data;
}

/** PATCHes the record as it now is (its current version). */
export async function patch(t: TestEngine, entity: string, id: string, body: Rec, token?: string) {
  const now = await get(t, entity, id);
  return t.request('PATCH', `/api/v1/${entity}/${id}`, body, {
    'if-match': `"${now.version}"`,
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  });
}

export async function moveTo(
  t: TestEngine,
  entity: string,
  id: string,
  field: string,
  states: readonly string[],
  extra: Rec = {},
): Promise<Rec> {
  let last: Rec = {};
  for (const state of states) {
    const res = await patch(t, entity, id, { [field]: state, ...extra });
    expect(res.status, `${entity} -> ${state}: ${JSON.stringify(res.body)}`).toBe(200);
    last = res.body.data;
  }
  return last;
}

const approvers = new WeakMap<TestEngine, Promise<Approver>>();

/**
 * The user who approves contracts in these tests: the manager of the administrator and of `owners` (who own the
 * contracts), and in finance (large contracts' second step).
 */
export function contractApprover(t: TestEngine, owners: readonly string[] = []): Promise<Approver> {
  let approver = approvers.get(t);
  if (!approver) {
    approver = (async () => {
      const a = await setUpApprover(t, ['finance'], { entities: { contract: { actions: ['read', 'update', 'approve'], scope: 'all' } } });
      const admin = await t.engine.db.pool.query<{ id: string }>(`SELECT id FROM app_user WHERE username = 'admin'`);
      await a.manage(admin.rows.map((r) => r.id));
      return a;
    })();
    approvers.set(t, approver);
  }
  return approver.then(async (a) => {
    if (owners.length > 0) await a.manage(owners);
    return a;
  });
}

/** Takes a draft contract through its approval (its flow, when it meets the flow's criteria) to approved. */
export async function approveContract(t: TestEngine, id: string): Promise<Rec> {
  await moveTo(t, 'contract', id, 'status', ['in_approval']);
  return takeTransition(t, await contractApprover(t), 'contract', id, 'status', 'approved');
}

/** A contract of `customer` with one line worth `value`, taken to active. */
export async function activeContract(t: TestEngine, customer: string, title: string, value: string, extra: Rec = {}): Promise<Rec> {
  const contract = await post(t, 'contract', { title, customer, ...extra });
  await post(t, 'contract_line', { contract: contract.id, description: title, quantity: '1', unit_price: value });
  await approveContract(t, contract.id);
  return moveTo(t, 'contract', contract.id, 'status', ['signing', 'signed', 'active']);
}

let runs = 0;

/** Queues one billing run and waits until the queue completed it (or fails with its error). */
export async function runBillingJob(t: TestEngine, asOf: string): Promise<void> {
  const key = `test-billing-run-${++runs}`;
  let completed = false;
  t.engine.queue.onCompleted((k) => {
    if (k === key) completed = true;
  });
  await t.engine.queue.add('billing:run', { asOf }, { jobKey: key, attempts: 1 });
  while (!completed) {
    const states = await Promise.all((['failed', 'dead'] as const).map((s) => t.engine.queue.list(s, 50)));
    const failed = states.flat().find((j) => j.key === key);
    if (failed) throw new Error(`billing run failed: ${failed.error}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function count(t: TestEngine, sql: string, params: unknown[] = []): Promise<number> {
  const res = await t.engine.db.pool.query<{ n: number }>(sql, params);
  return Number(res.rows[0]?.n ?? 0);
}

/** The issue's worked example: the go-live delay metric's terms (T 0 days, B 3, s 1, 1,000.00 a day to 20,000.00, a reward from 5 days early at 400.00 a day to 4,000.00). */
export const ISSUE_DELAY_TERMS = {
  target: '0',
  buffer: '3',
  step: '1',
  penalty_per_step: '1000.00',
  penalty_cap_period: '20000.00',
  reward_level: '5',
  reward_per_step: '400.00',
  reward_cap_period: '4000.00',
} as const;

/** The worked example's quarterly defect-rate metric (T 2.0 %, B 0.5 points, s 0.5 points, 2,000.00 a step to 10,000.00). */
export const ISSUE_DEFECT_TERMS = {
  period: 'quarter',
  target: '2.0',
  buffer: '0.5',
  step: '0.5',
  penalty_per_step: '2000.00',
  penalty_cap_period: '10000.00',
} as const;
