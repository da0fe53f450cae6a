// The CRM pack's reminder rules (#21 part 3: 提醒管理 (a)-(k), and the care and due-date reminders), each scanned on
// a clock the test sets: it reaches the right people for the records that match and no one else, and only once.
// (j), leads created per rep, is a count over reps rather than a rule over records: it is a report (BI issue).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listUrl } from '../../support/list-url.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

type Rec = Record<string, any>;
let t: TestEngine;
const ids: Record<string, string> = {};
const DAY = 86_400_000;
const inDays = (n: number) => new Date(Date.now() + n * DAY);
const dateIn = (n: number) => inDays(n).toISOString().slice(0, 10);

async function post(entity: string, body: Rec): Promise<Rec> {
  const res = await t.request('POST', `/api/v1/${entity}`, body);
  expect(res.status, `${entity}: ${JSON.stringify(res.body)}`).toBe(201);
  return res.body.data;
}

/** Who a scan of `rule` as of `now` notified, as `user:record` pairs (sorted). */
async function scan(rule: string, now: Date): Promise<string[]> {
  const seen = new Set((await t.db.pool.query<{ id: string }>(`SELECT id::text AS id FROM tessera_notification`)).rows.map((r) => r.id));
  await t.engine.reminders.scan(rule, now);
  const rows = await t.db.pool.query<{ id: string; user_id: string; record_id: string }>(
    `SELECT id::text AS id, user_id, record_id FROM tessera_notification WHERE kind = 'reminder'`,
  );
  const name = Object.fromEntries(Object.entries(ids).map(([k, v]) => [v, k]));
  return rows.rows
    .filter((r) => !seen.has(r.id))
    .map((r) => `${name[r.user_id] ?? r.user_id}:${name[r.record_id] ?? r.record_id}`)
    .sort();
}

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'metadata/packs/crm'] });
  const hq = (await t.request('GET', listUrl('org_unit', { filter: { '==': [{ var: 'code' }, 'HQ'] } }))).body.data[0] as Rec;
  for (const [username, manager] of [
    ['mgr', undefined],
    ['rep', 'mgr'],
    ['rm', undefined],
  ] as const) {
    const u = await post('app_user', {
      username,
      display_name: username,
      org_unit: hq.id,
      locale: 'en',
      ...(manager ? { manager: ids[manager] } : {}),
    });
    ids[username] = u.id;
  }
  const everything = { actions: ['read'], scope: 'all' };
  const grants = {
    entities: { lead: everything, customer: everything, contact: everything, opportunity: everything, activity: everything },
  };
  await post('role', { code: 'sales_manager', name: 'Sales managers', grants, members: [ids.mgr] });
  await post('role', { code: 'sales_rep', name: 'Sales reps', grants, members: [ids.rep, ids.rm] });
});

afterAll(async () => {
  await t?.stop();
});

async function lead(key: string, body: Rec = {}): Promise<Rec> {
  const rec = await post('lead', { company_name: key, contact_name: 'Chen', region: 'east', owner: ids.rep, ...body });
  ids[key] = rec.id;
  return rec;
}

async function customer(key: string, body: Rec = {}): Promise<Rec> {
  const rec = await post('customer', { name: key, owner: ids.rep, ...body });
  ids[key] = rec.id;
  return rec;
}

describe('the CRM reminders', () => {
  it('(a) a lead not qualified within 7 days', async () => {
    await lead('a_new');
    const done = await lead('a_done', {
      mobile: '13800000000',
      email: 'a@example.cn',
      size: 'enterprise',
      budget: { amount: '2000000', currency: 'CNY' },
    });
    expect((await t.request('PATCH', `/api/v1/lead/${done.id}`, { status: 'qualified' }, { 'if-match': '"1"' })).status).toBe(200);
    expect(await scan('lead.not_qualified', inDays(3))).toEqual([]);
    expect(await scan('lead.not_qualified', inDays(8))).toContain('rep:a_new');
    expect(await scan('lead.not_qualified', inDays(8))).toEqual([]);
  });

  it('(b) a lead without a sales rep reaches the sales managers', async () => {
    await lead('b_nobody', { owner: null, region: 'overseas' });
    const found = await scan('lead.no_rep', inDays(1));
    expect(found).toContain('mgr:b_nobody');
    expect(found.filter((f) => f.endsWith(':a_new'))).toEqual([]);
  });

  it('(c) a lead without contact for 7 days reaches its rep and the rep’s manager, again every 7 days', async () => {
    await lead('c_quiet');
    const first = await scan('lead.not_contacted', inDays(8));
    expect(first).toEqual(expect.arrayContaining(['rep:c_quiet', 'mgr:c_quiet']));
    expect(await scan('lead.not_contacted', inDays(9))).toEqual([]);
    expect(await scan('lead.not_contacted', inDays(15))).toEqual(expect.arrayContaining(['rep:c_quiet', 'mgr:c_quiet']));
  });

  it('(d) a lead with no planned action after 3 days', async () => {
    await lead('d_idle');
    const planned = await lead('d_planned');
    await post('activity', { subject: 'Call back', kind: 'call', lead: planned.id, owner: ids.rep, scheduled_at: inDays(4).toISOString() });
    const found = await scan('lead.no_action', inDays(4));
    expect(found).toContain('rep:d_idle');
    expect(found).not.toContain('rep:d_planned');
  });

  it('(e) a customer with no first contact 3 days after it was created', async () => {
    await customer('e_new');
    const met = await customer('e_met');
    await post('activity', {
      subject: 'Visit',
      kind: 'visit',
      customer: met.id,
      owner: ids.rep,
      status: 'done',
      done_at: new Date().toISOString(),
    });
    const found = await scan('customer.first_contact', inDays(4));
    expect(found).toContain('rep:e_new');
    expect(found).not.toContain('rep:e_met');
  });

  it('(f) a lead whose status has not changed for 14 days', async () => {
    await lead('f_stuck');
    expect((await scan('lead.stage_unchanged', inDays(10))).filter((f) => f.endsWith(':f_stuck'))).toEqual([]);
    expect(await scan('lead.stage_unchanged', inDays(15))).toContain('rep:f_stuck');
  });

  it('(g) a qualified lead without an opportunity', async () => {
    const g = await lead('g_qualified', {
      mobile: '13800000001',
      email: 'g@example.cn',
      size: 'large',
      budget: { amount: '2000000', currency: 'CNY' },
    });
    expect((await t.request('PATCH', `/api/v1/lead/${g.id}`, { status: 'qualified' }, { 'if-match': '"1"' })).status).toBe(200);
    const withOpp = await lead('g_with_opp', {
      mobile: '13800000002',
      email: 'h@example.cn',
      size: 'large',
      budget: { amount: '2000000', currency: 'CNY' },
    });
    expect((await t.request('PATCH', `/api/v1/lead/${withOpp.id}`, { status: 'qualified' }, { 'if-match': '"1"' })).status).toBe(200);
    const c = await customer('g_customer');
    await post('opportunity', { name: 'From lead', customer: c.id, source_lead: withOpp.id });
    const found = await scan('lead.qualified_no_opportunity', inDays(4));
    expect(found).toContain('rep:g_qualified');
    expect(found).not.toContain('rep:g_with_opp');
  });

  it('(h) a customer with five or more open opportunities reaches the owner’s manager', async () => {
    const c = await customer('h_busy');
    for (let i = 0; i < 5; i++) await post('opportunity', { name: `Deal ${i}`, customer: c.id });
    expect(await scan('customer.many_opportunities', inDays(1))).toEqual(['mgr:h_busy']);
  });

  it('(i) a customer without an account manager reaches the owner and the sales managers', async () => {
    await customer('i_alone', { stage: 'new' });
    await customer('i_managed', { stage: 'new', account_manager: ids.rm });
    const found = await scan('customer.no_account_manager', inDays(1));
    expect(found).toEqual(expect.arrayContaining(['rep:i_alone', 'mgr:i_alone']));
    expect(found.filter((f) => f.endsWith(':i_managed'))).toEqual([]);
  });

  it('(k) a high-value customer not contacted for 30 days reaches its relationship manager', async () => {
    const vip = await customer('k_vip', {
      customer_type: 'vip',
      stage: 'new',
      relationship_manager: ids.rm,
      annual_revenue: { amount: '2000000000', currency: 'CNY' },
    });
    expect(vip.value_score.band).toBe('B');
    const raised = await t.request('PATCH', `/api/v1/customer/${vip.id}`, { stage: 'repeat' }, { 'if-match': `"${vip.version}"` });
    expect(raised.body.data.value_score.band).toBe('A');
    expect(await scan('customer.value_care', inDays(31))).toEqual(expect.arrayContaining(['rm:k_vip', 'rep:k_vip']));
  });

  it('cares for a contact’s birthday three days ahead, every year', async () => {
    const c = await customer('bd_customer');
    const birthday = `1985-${dateIn(13).slice(5)}`;
    const contact = await post('contact', { customer: c.id, name: 'Wang', birthday, owner: ids.rep });
    ids.bd_contact = contact.id;
    expect(await scan('contact.birthday', inDays(9))).toEqual([]);
    expect(await scan('contact.birthday', inDays(10))).toEqual(['rep:bd_contact']);
    expect(await scan('contact.birthday', inDays(10))).toEqual([]);
    expect(await scan('contact.birthday', inDays(375))).toEqual(['rep:bd_contact']);
  });

  it('warns of an opportunity past its expected close and of an activity due tomorrow', async () => {
    const c = await customer('due_customer');
    const opp = await post('opportunity', { name: 'Late deal', customer: c.id, owner: ids.rep, expected_close: dateIn(9) });
    ids.late_deal = opp.id;
    expect(await scan('opportunity.close_overdue', inDays(10))).toEqual(['rep:late_deal']);
    const task = await post('activity', { subject: 'Send the quote', kind: 'task', customer: c.id, owner: ids.rep, due_on: dateIn(11) });
    ids.quote_task = task.id;
    expect(await scan('activity.due', inDays(10))).toEqual(['rep:quote_task']);
  });
});
