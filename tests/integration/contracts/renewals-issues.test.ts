// Renewals and contract issues through HTTP and the job queue (#24 parts 7 and 8): an auto-renewing contract gets
// its renewal once per end date however often the renewal job runs, with notice to the customer's contact where
// the contract says so; a reminding one reminds its owner and is renewed by hand; issues raised on a contract
// are worked with logged actions and remind their owner before and after their due date.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { termEnd } from '../../../plugins/contracts/term-dates.js';
import { expectProblem } from '../../support/problem-checks.js';
import { startContractsWorld, type ContractsWorld } from '../../support/contracts-world.js';

type Rec = Record<string, any>;
let w: ContractsWorld;
let customer: Rec;
let contact: Rec;
const DAY = 86_400_000;
const inDays = (n: number) => new Date(Date.now() + n * DAY);
const dateIn = (n: number) => inDays(n).toISOString().slice(0, 10);

beforeAll(async () => {
  w = await startContractsWorld();
  customer = await w.post('customer', { name: '常州新能源', owner: w.ids.rep }, 'rep');
  contact = await w.post('contact', { customer: customer.id, name: '周经理' }, 'rep');
});

afterAll(async () => {
  await w?.t.stop();
});

/** A signed, running contract (small enough to be approved without a flow). */
async function activeContract(values: Rec): Promise<Rec> {
  const contract = await w.post(
    'contract',
    { title: '运维服务', customer: customer.id, owner: w.ids.rep, start_date: dateIn(-345), ...values },
    'rep',
  );
  await w.post(
    'contract_line',
    { contract: contract.id, description: '年度运维', quantity: '1', unit_price: '48000.00', unit_cost: '30000.00' },
    'rep',
  );
  for (const status of ['in_approval', 'approved', 'signing', 'signed', 'active']) {
    const res = await w.patch('contract', contract.id, { status }, 'rep');
    expect(res.status, `${status}: ${JSON.stringify(res.body)}`).toBe(200);
  }
  return w.get('contract', contract.id);
}

/** Runs the renewal job through the queue under `key`, as the schedule does, and waits for it to finish. */
async function runRenewals(key: string, asOf: string): Promise<void> {
  await w.t.engine.queue.add('contracts:renewals', { asOf }, { jobKey: key });
  await vi.waitFor(
    async () => {
      const done = await w.t.engine.queue.list('completed', 1000);
      expect(done.map((j) => j.key)).toContain(key);
    },
    { timeout: 10_000, interval: 25 },
  );
  expect(await w.t.engine.queue.list('dead', 100)).toEqual([]);
}

const renewalsOf = (id: string) => w.list('contract', { '==': [{ var: 'renewal_of' }, id] });
const noticesTo = (contactId: string) => w.list('activity', { '==': [{ var: 'contact' }, contactId] });

describe('renewals', () => {
  it('renews an auto-renewing contract once per end date, with one notice to the contact, however often the job runs', async () => {
    const end = dateIn(20);
    const auto = await activeContract({
      end_date: end,
      renewal_mode: 'auto',
      renewal_notice_days: 30,
      notify_customer_on_renewal: true,
      contact: contact.id,
    });
    const later = await activeContract({ end_date: dateIn(90), renewal_mode: 'auto', renewal_notice_days: 30 });
    const today = dateIn(0);
    await runRenewals('renewals-1', today);
    await runRenewals('renewals-2', today);
    // A restart's catch-up runs it again concurrently: still one renewal.
    await Promise.all([runRenewals('renewals-3', today), runRenewals('renewals-4', today)]);

    const [renewal, ...more] = await renewalsOf(auto.id);
    expect(more).toEqual([]);
    expect(renewal).toMatchObject({
      status: 'draft',
      title: auto.title,
      customer: customer.id,
      contact: contact.id,
      owner: w.ids.rep,
      renewal_of: auto.id,
      renewal_of_end: end,
      start_date: dateIn(21),
      end_date: termEnd(dateIn(21), 12),
      renewal_mode: 'auto',
      contract_value: '48000.00',
      estimated_cost: '30000.00',
      line_count: 1,
    });
    expect(await renewalsOf(later.id)).toEqual([]);
    const notices = await noticesTo(contact.id);
    expect(notices).toEqual([
      expect.objectContaining({ kind: 'email', status: 'planned', customer: customer.id, owner: w.ids.rep, due_on: today }),
    ]);
    expect(await w.get('contract', auto.id)).toMatchObject({ renewal_noticed_end: end, status: 'active' });
    // The renewal is by hand the same one.
    expect((await w.action('contract', auto.id, 'renew', {}, 'rep')).body.data).toEqual({ renewal: renewal!.id, created: false });
  });

  it('reminds the owner of a contract to renew by hand, once, and renews it when asked', async () => {
    const remind = await activeContract({ end_date: dateIn(10), renewal_mode: 'remind', renewal_notice_days: 15 });
    const scan = async (now: Date) => {
      const before = await w.t.db.pool.query(`SELECT count(*)::int AS n FROM tessera_notification WHERE record_id = $1`, [remind.id]);
      await w.t.engine.reminders.scan('contract.renewal', now);
      const after = await w.t.db.pool.query<{ user_id: string }>(
        `SELECT user_id FROM tessera_notification WHERE record_id = $1 ORDER BY created_at`,
        [remind.id],
      );
      return after.rows.slice(before.rows[0]?.n as number).map((r) => r.user_id);
    };
    expect(await scan(inDays(-10))).toEqual([]);
    expect(await scan(new Date())).toEqual([w.ids.rep]);
    expect(await scan(new Date())).toEqual([]);
    await runRenewals('renewals-remind', dateIn(0));
    expect(await renewalsOf(remind.id)).toEqual([]);
    const made = await w.action('contract', remind.id, 'renew', {}, 'rep');
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    expect(made.body.data).toMatchObject({ created: true });
    expect(await w.get('contract', made.body.data.renewal)).toMatchObject({ renewal_of: remind.id, start_date: dateIn(11) });
    const draft = await w.post('contract', { title: '草稿', customer: customer.id }, 'rep');
    expectProblem(await w.action('contract', draft.id, 'renew', {}, 'rep'), 422, 'contracts.not_renewable');
  });
});

describe('contract issues', () => {
  it('are raised on a contract, worked with logged actions and remind their owner before and after the due date', async () => {
    const contract = await activeContract({ end_date: dateIn(200) });
    const issue = await w.post(
      'contract_issue',
      {
        contract: contract.id,
        title: '验收标准有分歧',
        phase: 'after_signing',
        category: 'quality',
        owner: w.ids.rep,
        due_date: dateIn(2),
      },
      'rep',
    );
    expect(issue).toMatchObject({ status: 'open', priority: 'normal', action_count: 0 });
    const seen = new Set<string>();
    /** Who a scan of `rule` as of `now` newly reminded of the issue. */
    const reminded = async (rule: string, now: Date) => {
      await w.t.engine.reminders.scan(rule, now);
      const rows = await w.t.db.pool.query<{ id: string; user_id: string }>(
        `SELECT id::text AS id, user_id FROM tessera_notification WHERE record_id = $1 AND kind = 'reminder' ORDER BY user_id`,
        [issue.id],
      );
      const fresh = rows.rows.filter((r) => !seen.has(r.id));
      for (const r of fresh) seen.add(r.id);
      return fresh.map((r) => r.user_id);
    };
    expect(await reminded('contract_issue.due_soon', inDays(-1))).toEqual([]);
    expect(await reminded('contract_issue.due_soon', new Date())).toEqual([w.ids.rep]);
    expect(await reminded('contract_issue.due_soon', new Date())).toEqual([]);
    // Overdue: the owner and their manager.
    expect((await reminded('contract_issue.overdue', inDays(3))).sort()).toEqual([w.ids.mgr, w.ids.rep].sort());

    expectProblem(await w.patch('contract_issue', issue.id, { status: 'resolved' }, 'rep'), 422, 'validation.transition', [
      { pointer: '/status' },
    ]);
    await w.patch('contract_issue', issue.id, { status: 'in_progress' }, 'rep');
    await w.post(
      'contract_issue_action',
      { issue: issue.id, taken_on: dateIn(0), taken_by: w.ids.rep, summary: '与客户确认验收口径并形成会议纪要' },
      'rep',
    );
    const resolved = await w.patch('contract_issue', issue.id, { status: 'resolved' }, 'rep');
    expect(resolved.body.data).toMatchObject({ status: 'resolved', resolved_on: dateIn(0), action_count: 1 });
    const early = await w.post(
      'contract_issue',
      { contract: contract.id, title: '付款节点待定', phase: 'before_signing', owner: w.ids.rep },
      'rep',
    );
    // Placed from the contract's state unless the caller says.
    const placed = await w.post('contract_issue', { contract: contract.id, title: '发票抬头', owner: w.ids.rep }, 'rep');
    expect(placed.phase).toBe('after_signing');
    const draft = await w.post('contract', { title: '谈判中的合同', customer: customer.id }, 'rep');
    expect((await w.post('contract_issue', { contract: draft.id, title: '违约金比例', owner: w.ids.rep }, 'rep')).phase).toBe(
      'before_signing',
    );
    const withIssues = await w.t.request('GET', `/api/v1/contract/${contract.id}?include=issues`);
    expect(withIssues.body.data.issues.map((i: Rec) => i.id).sort()).toEqual([issue.id, early.id, placed.id].sort());
  });
});
