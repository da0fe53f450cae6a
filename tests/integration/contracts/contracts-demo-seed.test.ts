// The contracts pack's demo data (#24 part 11), small size, after the CRM's, on two databases: coherent through
// the HTTP API — every status, versions whose SHA-256 verifies, rollups that agree with the rows, settled SLAs —
// the same data on both, nothing changed by a recompute, and the next contract numbered after the seeded ones; then
// the documents demo: the roles' access to rendering, and its Word template filled with a rep's contract.
import { createHash } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recomputeAll } from '../../../engine/src/data/recompute-all.js';
import { canonicalJson } from '../../../plugins/contracts/contract-content.js';
import { DEMO_PASSWORD } from '../../../plugins/crm-demo/sales-org.js';
import { VOLUMES } from '../../../plugins/contracts-demo/volumes.js';
import { listUrl } from '../../support/list-url.js';
import { wordText } from '../../support/word-docs.js';
import { runtimeOf, seedDemo as seed } from '../../support/seed-demo.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

type Rec = Record<string, any>;
let a: TestEngine;
let b: TestEngine;

async function get(t: TestEngine, path: string): Promise<any> {
  const res = await t.request('GET', path);
  expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body;
}

/** Counts per value of a field, through the aggregate API. */
async function countsBy(t: TestEngine, entity: string, field: string): Promise<Record<string, number>> {
  const body = await get(t, `/api/v1/${entity}/aggregate?groupBy=${field}&measures=count`);
  return Object.fromEntries((body.data as Rec[]).map((r) => [String(r[field]), Number(r.count)]));
}

beforeAll(async () => {
  [a, b] = await Promise.all([startTestEngine({ packs: ['metadata/packs'] }), startTestEngine({ packs: ['metadata/packs'] })]);
  // The contracts demo hangs on the CRM's: without it, it is refused and writes nothing.
  await expect(seed(b, 'contracts')).rejects.toThrow(/tessera seed crm/);
  expect((await b.engine.db.pool.query('SELECT count(*)::int AS n FROM contract')).rows[0].n).toBe(0);
  for (const t of [a, b]) {
    expect((await seed(t, 'crm')).status).toBe('seeded');
    const seeded = await seed(t, 'contracts');
    expect(seeded.status).toBe('seeded');
  }
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

/** Names, amounts, statuses and hashes of everything seeded, in a stable order; ids and dates left out. */
const CHECKSUM = `SELECT md5(concat_ws('|',
  (SELECT string_agg(concat_ws(',', title, contract_type, status, contract_value, invoiced, received, cost, sla_net, profit, current_version), ';' ORDER BY id) FROM contract),
  (SELECT string_agg(concat_ws(',', version_no, sha256), ';' ORDER BY id) FROM contract_version),
  (SELECT string_agg(concat_ws(',', title, status, total, margin_pct), ';' ORDER BY id) FROM quote),
  (SELECT string_agg(concat_ws(',', stage, total, paid_amount, status), ';' ORDER BY id) FROM invoice),
  (SELECT string_agg(concat_ws(',', amount, allocated), ';' ORDER BY id) FROM receipt),
  (SELECT string_agg(concat_ws(',', period_key, actual, penalty, reward, status), ';' ORDER BY id) FROM sla_settlement),
  (SELECT string_agg(concat_ws(',', name, target, achieved), ';' ORDER BY id) FROM sales_quota)
)) AS sum`;

const dec = (v: unknown) => new Decimal(v === null || v === undefined ? 0 : String(v));

/** Sums of a field per contract, through the aggregate API. */
async function sumsByContract(t: TestEngine, entity: string, field: string, filter?: unknown): Promise<Map<string, Decimal>> {
  const body = await get(
    t,
    `/api/v1/${entity}/aggregate?groupBy=contract&measures=sum:${field}${filter ? `&filter=${encodeURIComponent(JSON.stringify(filter))}` : ''}&limit=1000`,
  );
  return new Map((body.data as Rec[]).map((r) => [String(r.contract), dec(r[`sum:${field}`])]));
}

describe('tessera seed contracts --size small', () => {
  it('runs after the CRM (its pack comes later in the Model) and writes every type and status', async () => {
    const packs = a.engine.models.current().model.packs.map((p) => p.name);
    expect(packs.indexOf('crm')).toBeLessThan(packs.indexOf('contracts'));
    expect(Object.keys(await countsBy(a, 'contract', 'status')).sort()).toEqual([
      'active',
      'approved',
      'completed',
      'draft',
      'expired',
      'in_approval',
      'signed',
      'signing',
      'terminated',
    ]);
    const byType = await countsBy(a, 'contract', 'contract_type');
    expect(Object.keys(byType).sort()).toEqual(['master', 'nda', 'purchase', 'sales', 'sow']);
    expect(Object.values(byType).reduce((x, y) => x + y, 0)).toBe(VOLUMES.small.contracts);
    expect(Object.keys(await countsBy(a, 'quote', 'status')).sort()).toEqual([
      'accepted',
      'approved',
      'draft',
      'expired',
      'in_approval',
      'rejected',
      'sent',
    ]);
    expect(Object.keys(await countsBy(a, 'milestone', 'status')).sort()).toEqual(['accepted', 'delivered', 'planned', 'rejected']);
    expect(Object.keys(await countsBy(a, 'invoice', 'status')).sort()).toEqual(
      expect.arrayContaining(['draft', 'issued', 'paid', 'partially_paid', 'void']),
    );
    expect(Object.keys(await countsBy(a, 'invoice_line', 'kind')).sort()).toEqual(['billing', 'charge', 'credit', 'penalty']);
    expect(Object.keys(await countsBy(a, 'sla_settlement', 'status')).sort()).toEqual(['applied', 'computed', 'confirmed', 'disputed']);
    expect(Object.keys(await countsBy(a, 'change_request', 'status')).sort()).toEqual(expect.arrayContaining(['approved', 'draft']));
    for (const entity of ['cost_entry', 'receipt', 'sla_metric', 'sla_measurement', 'contract_issue', 'commission', 'sales_quota']) {
      expect((await get(a, listUrl(entity, { total: 'exact', limit: 1 }))).meta.total, entity).toBeGreaterThan(0);
    }
  });

  it('records versions whose SHA-256 verifies, version 2 from an approved change request, compared field by field', async () => {
    const changed = (await get(a, listUrl('contract', { filter: { '==': [{ var: 'current_version' }, 2] }, limit: 5 }))).data as Rec[];
    expect(changed.length).toBeGreaterThan(0);
    const contract = changed[0]!;
    const versions = (
      await get(a, listUrl('contract_version', { filter: { '==': [{ var: 'contract' }, contract.id] }, sort: 'version_no' }))
    ).data as Rec[];
    expect(versions.map((v) => v.version_no)).toEqual([1, 2]);
    for (const v of versions) {
      const lines = [...(v.content.lines as Rec[])].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
      const digest = createHash('sha256')
        .update(canonicalJson({ contract: v.content.contract, lines }), 'utf8')
        .digest('hex');
      expect(digest, `v${v.version_no}`).toBe(v.sha256);
    }
    expect(versions[1]!.change_request).toBeTruthy();
    const cr = (await get(a, `/api/v1/change_request/${versions[1]!.change_request}`)).data;
    expect(cr).toMatchObject({ status: 'approved', base_version: 1, applied_version: 2 });
    const diff = await a.request('POST', `/api/v1/contract/${contract.id}/actions/compare_versions`, { from: 1, to: 2 });
    expect(diff.status, JSON.stringify(diff.body)).toBe(200);
    expect(diff.body.data.fields).toEqual([{ field: 'end_date', from: expect.any(String), to: contract.end_date }]);
    expect(diff.body.data.lines.removed).toEqual([]);
    expect(diff.body.data.lines.added).toEqual([expect.objectContaining({ description: '追加实施顾问服务', quantity: '80.000' })]);
    expect(diff.body.data.lines.changed).toHaveLength(1);
    // The contract's version in force is version 2's content: a new version now would hash the same.
    const [now] = (await a.engine.db.pool.query(`SELECT count(*)::int AS n FROM contract_line WHERE contract_id = $1`, [contract.id])).rows;
    expect(now.n).toBe((versions[1]!.content.lines as Rec[]).length);
    expect((versions[0]!.content.lines as Rec[]).length).toBe(now.n - 1);
  });

  it("keeps each contract's invoiced, received, receivable, cost, SLA net and profit consistent with its rows", async () => {
    const invoiced = await sumsByContract(a, 'invoice_line', 'billed_amount');
    const received = await sumsByContract(a, 'receipt_allocation', 'amount');
    const cost = await sumsByContract(a, 'cost_entry', 'amount');
    // Confirmed settlements, and applied ones until their invoice is paid (then `received` holds them).
    const sla = await sumsByContract(a, 'sla_settlement', 'net', {
      or: [
        { '==': [{ var: 'status' }, 'confirmed'] },
        { and: [{ '==': [{ var: 'status' }, 'applied'] }, { '!=': [{ var: 'invoice_line.invoice.status' }, 'paid'] }] },
      ],
    });
    const contracts = (await get(a, listUrl('contract', { limit: 500 }))).data as Rec[];
    expect(contracts.length).toBe(VOLUMES.small.contracts);
    let withProfit = 0;
    for (const c of contracts) {
      const want = {
        invoiced: invoiced.get(c.id) ?? dec(0),
        received: received.get(c.id) ?? dec(0),
        cost: cost.get(c.id) ?? dec(0),
        sla: sla.get(c.id) ?? dec(0),
      };
      expect(dec(c.invoiced).equals(want.invoiced), `${c.contract_no} invoiced`).toBe(true);
      expect(dec(c.received).equals(want.received), `${c.contract_no} received`).toBe(true);
      expect(dec(c.receivable).equals(want.invoiced.minus(want.received)), `${c.contract_no} receivable`).toBe(true);
      expect(dec(c.cost).equals(want.cost), `${c.contract_no} cost`).toBe(true);
      expect(dec(c.sla_net).equals(want.sla), `${c.contract_no} sla`).toBe(true);
      expect(dec(c.profit).equals(want.received.minus(want.cost).plus(want.sla)), `${c.contract_no} profit`).toBe(true);
      if (!dec(c.received).isZero()) withProfit++;
    }
    expect(withProfit).toBeGreaterThan(10);
    // One receipt settles invoices of two contracts.
    const pairs = (await get(a, `/api/v1/receipt_allocation/aggregate?groupBy=receipt,contract&measures=count&limit=1000`)).data as Rec[];
    const contractsPerReceipt = new Map<string, number>();
    for (const r of pairs) {
      const receipt = String(r.receipt);
      contractsPerReceipt.set(receipt, (contractsPerReceipt.get(receipt) ?? 0) + 1);
    }
    expect(Math.max(...contractsPerReceipt.values())).toBeGreaterThanOrEqual(2);
  });

  it("settles the SLAs by the issue's rule: go-live delay 1,000.00 a day past 3 days, capped at 20,000.00", async () => {
    const settlements = (await get(a, listUrl('sla_settlement', { limit: 500 }))).data as Rec[];
    const delays = settlements.filter((s) => !String(s.period_key).includes('Q'));
    expect(delays.length).toBeGreaterThan(0);
    expect(delays.some((s) => dec(s.penalty).greaterThan(0))).toBe(true);
    for (const s of delays) {
      const late = dec(s.actual);
      const penalty = Decimal.min(20000, Decimal.max(0, late.minus(3)).ceil().times(1000));
      const reward = Decimal.min(4000, Decimal.max(0, late.neg().minus(5)).floor().times(400));
      expect(dec(s.penalty).equals(penalty), `${s.period_key}: ${s.actual} days`).toBe(true);
      expect(dec(s.reward).equals(reward), `${s.period_key}: ${s.actual} days`).toBe(true);
    }
    const applied = settlements.filter((s) => s.status === 'applied');
    expect(applied.length).toBeGreaterThan(0);
    for (const s of applied) {
      const line = (await get(a, `/api/v1/invoice_line/${s.invoice_line}`)).data;
      expect(dec(line.amount).equals(dec(s.net))).toBe(true);
    }
  });

  it('stores what the rules compute (a recompute changes nothing) and gives two databases the same data', async () => {
    const runtime = runtimeOf(a);
    for (const entity of [
      'quote_line',
      'quote',
      'contract_line',
      'milestone',
      'billing_line',
      'invoice_line',
      'invoice',
      'receipt',
      'sla_settlement',
      'sla_metric',
      'change_request',
      'contract',
      'contract_issue',
      'commission',
      'sales_quota',
    ]) {
      expect((await recomputeAll(a.engine.db.pool, runtime, entity)).changed, entity).toBe(0);
    }
    const [sumA, sumB] = await Promise.all([a, b].map(async (t) => (await t.engine.db.pool.query(CHECKSUM)).rows[0].sum));
    expect(sumA).toEqual(sumB);
  });

  it('numbers the next contract created through the API after the seeded ones', async () => {
    const customer = (await get(a, listUrl('customer', { limit: 1 }))).data[0];
    const res = await a.request('POST', '/api/v1/contract', {
      title: '新合同',
      customer: customer.id,
      contract_type: 'sales',
      pricing_model: 'fixed_price',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const { rows } = await a.engine.db.pool.query(
      `SELECT max(contract_no) AS no, count(DISTINCT contract_no)::int AS d, count(*)::int AS n FROM contract`,
    );
    expect(res.body.data.contract_no).toBe(rows[0].no);
    expect(Number(String(rows[0].no).slice(-5))).toBe(VOLUMES.small.contracts + 1);
    expect(rows[0].d).toBe(rows[0].n);
  });

  it("offers a rep the demo's templates: each makes a draft with its lines priced from the catalogue, its clauses and SLA metrics", async () => {
    const token = await a.login('jiang.tao', DEMO_PASSWORD);
    const rep = (method: string, path: string, body?: unknown) => a.request(method, path, body, { authorization: `Bearer ${token}` });
    const templates = (await rep('GET', listUrl('contract_template', { include: 'lines,sla_metrics', sort: 'name' }))).body.data as Rec[];
    expect(templates.map((t) => t.contract_type).sort()).toEqual(['master', 'nda', 'purchase', 'sales', 'sales', 'sow']);
    expect(templates.flatMap((t) => t.sla_metrics).length).toBe(4);
    const customer = (await rep('GET', listUrl('customer', { limit: 1, fields: 'id,name' }))).body.data[0] as Rec;
    // The master agreement first: a statement of work names it.
    templates.sort((x, y) => Number(y.contract_type === 'master') - Number(x.contract_type === 'master'));
    let master: string | undefined;
    for (const template of templates) {
      const sow = template.contract_type === 'sow';
      const made = await rep('POST', `/api/v1/contract_template/${template.id}/actions/create_contract`, {
        customer: customer.id,
        ...(sow ? { master_agreement: master } : {}),
        title: `${template.name} · ${customer.name}`,
        start_date: '2027-01-01',
        values: { warranty_months: 12 },
      });
      expect(made.status, `${template.name}: ${JSON.stringify(made.body)}`).toBe(200);
      if (template.contract_type === 'master') master = made.body.data.contract;
      const contract = (await rep('GET', `/api/v1/contract/${made.body.data.contract}?include=lines,sla_metrics`)).body.data as Rec;
      expect(contract).toMatchObject({ status: 'draft', template: template.id, contract_type: template.contract_type });
      expect(contract.lines).toHaveLength(template.lines.length);
      for (const line of contract.lines as Rec[]) expect(dec(line.unit_price).gt(0), `${template.name}: a priced line`).toBe(true);
      expect((contract.sla_metrics as Rec[]).map((m) => m.name).sort()).toEqual((template.sla_metrics as Rec[]).map((m) => m.name).sort());
      expect(contract.clauses).not.toMatch(/[{}]/);
      if (JSON.stringify(template.clauses).includes('customer.name')) expect(contract.clauses).toContain(customer.name);
    }
  });

  it("gives the demo roles the documents pack at their contract scope: a rep renders their contract, another branch's does not see it", async () => {
    expect((await seed(a, 'documents')).status).toBe('seeded');
    const as = async (username: string) => {
      const token = await a.login(username, DEMO_PASSWORD);
      return (method: string, path: string, body?: unknown) => a.request(method, path, body, { authorization: `Bearer ${token}` });
    };
    const east = await as('jiang.tao');
    const south = await as('chen.hao');
    const { rows } = await a.engine.db.pool.query(
      `SELECT c.id FROM contract c JOIN app_user u ON u.id = c.owner_id WHERE u.username = 'jiang.tao' ORDER BY c.contract_no LIMIT 1`,
    );
    const contract = rows[0].id as string;
    const rendered = await east('POST', `/api/v1/contract/${contract}/actions/render`, { format: 'docx' });
    expect(rendered.status, JSON.stringify(rendered.body)).toBe(200);
    const mine = (await east('GET', listUrl('render_document', { fields: 'id,contract' }))).body.data as Rec[];
    expect(mine.map((d) => d.contract)).toEqual([contract]);
    expect((await south('GET', listUrl('render_document', { fields: 'id' }))).body.data).toEqual([]);
    expect((await south('GET', `/api/v1/contract/${contract}`)).status).toBe(404);
    // Templates are reference data every role reads; the demo's one carries a Word file a rep renders with.
    const templates = (await south('GET', listUrl('render_template', { fields: 'id,word_template' }))).body.data as Rec[];
    expect(templates).toHaveLength(1);
    expect(templates[0]?.word_template).toMatchObject({
      name: 'standard-contract.docx',
      contentType: expect.stringMatching(/wordprocessingml/),
    });
    const filled = await east('POST', `/api/v1/contract/${contract}/actions/render`, { format: 'docx', template: templates[0]?.id });
    expect(filled.status, JSON.stringify(filled.body)).toBe(200);
    const file = await fetch(a.url + filled.body.data.download, {
      headers: { authorization: `Bearer ${await a.login('jiang.tao', DEMO_PASSWORD)}` },
    });
    const text = wordText(Buffer.from(await file.arrayBuffer()));
    const facts = await a.engine.db.pool.query(
      `SELECT c.contract_no, cu.name, coalesce(l.description, p.name) AS item, l.line_total::text AS line_total
       FROM contract c JOIN customer cu ON cu.id = c.customer_id JOIN contract_line l ON l.contract_id = c.id AND l.deleted_at IS NULL
       LEFT JOIN product p ON p.id = l.product_id WHERE c.id = $1`,
      [contract],
    );
    expect(facts.rows.length).toBeGreaterThan(0);
    for (const f of facts.rows) {
      expect(text).toContain(`合同 Contract ${f.contract_no}`);
      expect(text).toContain(`甲方 Customer：${f.name}`);
      expect(text).toContain(`${f.item}\n`);
      expect(text).toContain(f.line_total);
    }
    expect(text).not.toMatch(/[{}]/);
  });
});
