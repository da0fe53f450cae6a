// The contracted side of the revenue forecast (#24 part 10): the billing plans of contracts in force by the month
// (and quarter) they are expected to be billed, as Cube reports, each equal to SQL written by hand from the billing
// lines, contracts and milestones (not from the computed columns the reports read): lines by date, period and
// milestone (one milestone planned, one accepted late), one invoiced by the billing run, one of a contract not yet
// signed left out; and rolled up the org tree through each contract's owner (a department's rep, a headquarters rep).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';
import { listUrl } from '../../support/list-url.js';
import { activeContract, approveContract, contractApprover, moveTo, patch, post, runBillingJob, type Rec } from './contracts-world.js';

let t: TestEngine;

/** When each line is expected to be billed: its trigger's date once known, else its milestone's planned date. */
const EXPECTED_ON = `COALESCE(CASE b.trigger WHEN 'date' THEN b.bill_on WHEN 'signing' THEN c.signed_on WHEN 'period' THEN b.period_end
                      ELSE CASE WHEN m.status = 'accepted' THEN m.accepted_on END END,
                    CASE WHEN b.trigger = 'milestone' THEN m.due_date END)`;
const FROM = `FROM billing_line b JOIN contract c ON c.id = b.contract_id AND c.deleted_at IS NULL
              LEFT JOIN milestone m ON m.id = b.milestone_id
             WHERE b.deleted_at IS NULL AND c.status IN ('signed', 'active')`;

/** Every org unit (node) with every unit of its subtree (member), itself included. */
const ORG_TREE = `WITH RECURSIVE tree(node, member) AS (SELECT id, id FROM org_unit WHERE deleted_at IS NULL
  UNION SELECT u.parent_id, tree.member FROM tree JOIN org_unit u ON u.id = tree.node WHERE u.parent_id IS NOT NULL AND u.deleted_at IS NULL)
  SELECT node, member FROM tree`;

const REPORT_SQL: Record<string, string> = {
  contracted_revenue_by_month: `
    SELECT to_char(date_trunc('month', ${EXPECTED_ON}), 'YYYY-MM-DD') AS period, sum(b.amount) AS contracted,
           sum(b.amount) FILTER (WHERE b.invoice_id IS NOT NULL) AS invoiced, sum(b.amount) FILTER (WHERE b.invoice_id IS NULL) AS to_bill
      ${FROM} GROUP BY 1`,
  contracted_revenue_by_quarter: `
    SELECT b.trigger, to_char(date_trunc('quarter', ${EXPECTED_ON}), 'YYYY-MM-DD') AS period, sum(b.amount) AS contracted,
           sum(b.amount) FILTER (WHERE b.invoice_id IS NULL) AS to_bill
      ${FROM} GROUP BY 1, 2`,
  // Each line counts toward its contract owner's unit and every unit above it.
  contracted_revenue_by_branch: `
    SELECT tree.node, n.name, to_char(date_trunc('quarter', ${EXPECTED_ON}), 'YYYY-MM-DD') AS period, sum(b.amount) AS contracted,
           sum(b.amount) FILTER (WHERE b.invoice_id IS NULL) AS to_bill
      FROM billing_line b JOIN contract c ON c.id = b.contract_id AND c.deleted_at IS NULL
      LEFT JOIN milestone m ON m.id = b.milestone_id
      JOIN app_user o ON o.id = c.owner_id JOIN (${ORG_TREE}) tree ON tree.member = o.org_unit_id JOIN org_unit n ON n.id = tree.node
     WHERE b.deleted_at IS NULL AND c.status IN ('signed', 'active') GROUP BY 1, 2, 3`,
};
const units: Record<string, string> = {};

/** A row as text: dates as days, numbers to the cent, absent sums as 0 (Cube sums nothing to null or 0). */
function normalise(rows: unknown[][]): string[] {
  return rows
    .map((r) =>
      r
        .map((v) => {
          if (v === null || v === undefined) return '0.00';
          if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v)) return v.slice(0, 10);
          return typeof v === 'string' && !/^-?\d+(\.\d+)?$/.test(v) ? v : Number(v).toFixed(2);
        })
        .join(' | '),
    )
    .sort();
}

async function reportRows(name: string): Promise<string[]> {
  const res = await t.request('GET', `/api/v1/reports/${name}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const columns = (res.body.meta.columns as Rec[]).map((c) => c.name as string);
  return normalise((res.body.data as Rec[]).map((r) => columns.map((c) => r[c])));
}

async function sqlRows(name: string): Promise<string[]> {
  const sql = REPORT_SQL[name];
  if (!sql) throw new Error(`no SQL for ${name}`);
  return normalise((await t.db.pool.query(sql)).rows.map((r: Rec) => Object.values(r)));
}

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'metadata/packs/crm', 'metadata/packs/contracts'] });
  const hq = (await t.request('GET', listUrl('org_unit', { filter: { '==': [{ var: 'code' }, 'HQ'] } }))).body.data[0] as Rec;
  const east = await post(t, 'org_unit', { name: '华东分公司', code: 'EAST', unit_type: 'branch', parent: hq.id });
  const shanghai = await post(t, 'org_unit', { name: '上海销售部', code: 'SH', unit_type: 'department', parent: east.id });
  Object.assign(units, { hq: hq.id, east: east.id, shanghai: shanghai.id });
  const shRep = await post(t, 'app_user', { username: 'sh.rep', display_name: '上海销售', org_unit: shanghai.id });
  const hqRep = await post(t, 'app_user', { username: 'hq.rep', display_name: '总部大客户', org_unit: hq.id });
  await contractApprover(t, [shRep.id, hqRep.id]);
  const customer = await post(t, 'customer', { name: '杭州数智科技' });
  const active = await activeContract(t, customer.id, '数据平台建设', '1000000.00', { owner: shRep.id });
  const goLive = await post(t, 'milestone', { contract: active.id, name: '上线', amount: '200000.00', due_date: '2027-03-20' });
  await post(t, 'billing_line', {
    contract: active.id,
    description: '预付款',
    trigger: 'date',
    bill_on: '2027-01-15',
    basis: 'amount',
    fixed_amount: '100000.00',
  });
  await post(t, 'billing_line', {
    contract: active.id,
    description: '一季度服务费',
    trigger: 'period',
    period_start: '2027-02-01',
    period_end: '2027-02-28',
    basis: 'contract_percent',
    percent: '10',
  });
  await post(t, 'billing_line', {
    contract: active.id,
    description: '上线款',
    trigger: 'milestone',
    milestone: goLive.id,
    basis: 'milestone_percent',
    percent: '50',
  });
  // Accepted late: its line is due on the acceptance, and so expected then.
  const acceptance = await post(t, 'milestone', { contract: active.id, name: '终验', amount: '100000.00', due_date: '2027-03-05' });
  await post(t, 'billing_line', {
    contract: active.id,
    description: '终验款',
    trigger: 'milestone',
    milestone: acceptance.id,
    basis: 'milestone_percent',
    percent: '100',
  });
  expect((await patch(t, 'milestone', acceptance.id, { accepted_on: '2027-04-02' })).status).toBe(200);
  await moveTo(t, 'milestone', acceptance.id, 'status', ['delivered', 'accepted']);
  // Signed, not yet active: contracted all the same.
  const signed = await post(t, 'contract', { title: '运维服务', customer: customer.id, owner: hqRep.id });
  await post(t, 'contract_line', { contract: signed.id, description: '运维', quantity: '1', unit_price: '30000.00' });
  await post(t, 'billing_line', {
    contract: signed.id,
    description: '年费',
    trigger: 'date',
    bill_on: '2026-12-10',
    basis: 'amount',
    fixed_amount: '30000.00',
  });
  await approveContract(t, signed.id);
  await moveTo(t, 'contract', signed.id, 'status', ['signing', 'signed']);
  // Only approved: not contracted yet.
  const approved = await post(t, 'contract', { title: '二期意向', customer: customer.id });
  await post(t, 'contract_line', { contract: approved.id, description: '二期', quantity: '1', unit_price: '50000.00' });
  await post(t, 'billing_line', {
    contract: approved.id,
    description: '二期款',
    trigger: 'date',
    bill_on: '2027-01-20',
    basis: 'amount',
    fixed_amount: '50000.00',
  });
  await approveContract(t, approved.id);
  // The signed contract's December line is invoiced; the rest is still to bill.
  await runBillingJob(t, '2026-12-31');
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

// Each report is read once: Cube keeps a result for a few seconds, so a second read right after a change could
// still show the first.
describe('the contracted revenue forecast', () => {
  it("puts each contract in force's billing plan in the month it is expected, equal to SQL", async () => {
    const byMonth = await reportRows('contracted_revenue_by_month');
    // A milestone's line sits at its planned date until the milestone is accepted, then at the acceptance.
    expect(byMonth).toEqual([
      '2026-12-01 | 30000.00 | 30000.00 | 0.00',
      '2027-01-01 | 100000.00 | 0.00 | 100000.00',
      '2027-02-01 | 100000.00 | 0.00 | 100000.00',
      '2027-03-01 | 100000.00 | 0.00 | 100000.00',
      '2027-04-01 | 100000.00 | 0.00 | 100000.00',
    ]);
    expect(byMonth).toEqual(await sqlRows('contracted_revenue_by_month'));
  });

  it('by quarter and trigger, next to the opportunities weighted forecast, equal to SQL', async () => {
    const byQuarter = await reportRows('contracted_revenue_by_quarter');
    expect(byQuarter).toEqual([
      'date | 2026-10-01 | 30000.00 | 0.00',
      'date | 2027-01-01 | 100000.00 | 100000.00',
      'milestone | 2027-01-01 | 100000.00 | 100000.00',
      'milestone | 2027-04-01 | 100000.00 | 100000.00',
      'period | 2027-01-01 | 100000.00 | 100000.00',
    ]);
    expect(byQuarter).toEqual(await sqlRows('contracted_revenue_by_quarter'));
  });

  it("rolls each quarter up the org tree through the contract owner's unit: headquarters is the total, equal to SQL", async () => {
    const res = await t.request('GET', '/api/v1/reports/contracted_revenue_by_branch');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const columns = (res.body.meta.columns as Rec[]).map((c) => c.name as string);
    const rows = normalise((res.body.data as Rec[]).map((r) => columns.map((c) => r[c])));
    const name = (id: string) => ({ [units.hq ?? '']: 'hq', [units.east ?? '']: 'east', [units.shanghai ?? '']: 'sh' })[id] ?? id;
    // The department's rep's lines count toward the department, its branch and headquarters; the headquarters rep's
    // only toward headquarters.
    expect(
      rows
        .map((r) => r.split(' | '))
        .map(([node, , ...rest]) => [name(node ?? ''), ...rest].join(' | '))
        .sort(),
    ).toEqual([
      'east | 2027-01-01 | 300000.00 | 300000.00',
      'east | 2027-04-01 | 100000.00 | 100000.00',
      'hq | 2026-10-01 | 30000.00 | 0.00',
      'hq | 2027-01-01 | 300000.00 | 300000.00',
      'hq | 2027-04-01 | 100000.00 | 100000.00',
      'sh | 2027-01-01 | 300000.00 | 300000.00',
      'sh | 2027-04-01 | 100000.00 | 100000.00',
    ]);
    expect(rows).toEqual(await sqlRows('contracted_revenue_by_branch'));
    // A branch's row drills down to the lines of the contracts whose owners sit anywhere below it.
    const eastQ2 = (res.body.data as Rec[]).find(
      (r) => r['contract.owner.org_unit'] === units.east && String(r['expected_on.quarter']).startsWith('2027-04'),
    );
    const drilled = await t.request('GET', listUrl('billing_line', { filter: eastQ2?.drill.filter, fields: 'description' }));
    expect(drilled.status, JSON.stringify(drilled.body)).toBe(200);
    expect(drilled.body.data.map((r: Rec) => r.description)).toEqual(['终验款']);
  });
});
