// Quotes through HTTP (#24 part 1): lines priced from the catalogue with discounts, taxes, totals and margin in exact
// decimals; approval by thresholds on amount, discount and margin; sent-to-customer tracking; revisions; an accepted
// quote turned into a contract or an order with the same lines, and a won opportunity into a quote or a contract.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectProblem } from '../../support/problem-checks.js';
import { startContractsWorld, type ContractsWorld } from '../../support/contracts-world.js';

type Rec = Record<string, any>;
let w: ContractsWorld;
const p: Record<string, Rec> = {};
let customer: Rec;

beforeAll(async () => {
  w = await startContractsWorld();
  p.server = await w.post('product', { name: '边缘服务器', list_price: '100000.00', cost: '60000.00' });
  p.service = await w.post('product', {
    name: '实施服务',
    product_type: 'service',
    unit: 'hour',
    pricing_method: 'cost_plus',
    cost: '200.00',
    markup_pct: '50',
  });
  customer = await w.post('customer', { name: '苏州精密制造', owner: w.ids.rep }, 'rep');
});

afterAll(async () => {
  await w?.t.stop();
});

async function quoteWith(lines: Rec[], title = '产线边缘计算'): Promise<Rec> {
  const quote = await w.post('quote', { title, customer: customer.id, owner: w.ids.rep }, 'rep');
  for (const line of lines) await w.post('quote_line', { quote: quote.id, ...line }, 'rep');
  return w.get('quote', quote.id, 'rep');
}

describe('a quote', () => {
  it('prices its lines from the catalogue and computes discounts, tax, totals and margin exactly', async () => {
    const quote = await quoteWith([{ product: p.server!.id, quantity: '2', discount_pct: '5' }]);
    const [line] = await w.list('quote_line', { '==': [{ var: 'quote' }, quote.id] });
    expect(line).toMatchObject({
      description: '边缘服务器',
      unit_price: '100000.00',
      unit_cost: '60000.00',
      list_amount: '200000.00',
      net_amount: '190000.00',
      tax_amount: '24700.00',
      line_total: '214700.00',
      cost_amount: '120000.00',
      price_explanation: expect.objectContaining({ unitPrice: '100000.00' }),
    });
    expect(quote).toMatchObject({
      line_count: 1,
      list_amount: '200000.00',
      discount_amount: '10000.00',
      subtotal: '190000.00',
      tax_amount: '24700.00',
      total: '214700.00',
      cost_amount: '120000.00',
      margin: '70000.00',
      margin_pct: '36.84',
      revision: 1,
      status: 'draft',
    });
  });

  it('is approved directly under the thresholds and only through its flow above them', async () => {
    const small = await quoteWith([{ product: p.server!.id, quantity: '2', discount_pct: '5' }]);
    expect((await w.patch('quote', small.id, { status: 'in_approval' }, 'rep')).status).toBe(200);
    const approved = await w.patch('quote', small.id, { status: 'approved' }, 'rep');
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);

    // A 12 % discount and 531,100.00 with tax: over two thresholds, so the manager decides.
    const large = await quoteWith([
      { product: p.server!.id, quantity: '5', discount_pct: '12' },
      { product: p.service!.id, quantity: '100' },
    ]);
    expect(large).toMatchObject({
      subtotal: '470000.00',
      tax_amount: '61100.00',
      total: '531100.00',
      cost_amount: '320000.00',
      margin: '150000.00',
      margin_pct: '31.91',
      max_discount_pct: '12.00',
    });
    expect((await w.patch('quote', large.id, { status: 'in_approval' }, 'rep')).status).toBe(200);
    expectProblem(await w.patch('quote', large.id, { status: 'approved' }, 'rep'), 409, 'approval.required');
    const submitted = await w.t.request('POST', `/api/v1/quote/${large.id}/approval/submit`, {}, w.as('rep'));
    expect(submitted.body.data, JSON.stringify(submitted.body)).toMatchObject({ status: 'pending', step: 'manager' });
    // Locked while it waits: not even the title changes.
    expectProblem(await w.patch('quote', large.id, { notes: '加急' }, 'rep'), 409);
    const decided = await w.t.request('POST', `/api/v1/quote/${large.id}/approval/approve`, {}, w.as('mgr'));
    expect(decided.body.data, JSON.stringify(decided.body)).toMatchObject({ status: 'approved' });
    expect(await w.get('quote', large.id)).toMatchObject({ status: 'approved' });
    // Past the draft, what was priced and approved stays as it is: a new revision changes it.
    expectProblem(await w.patch('quote', large.id, { title: '改名' }, 'rep'), 422, 'validation.failed', [{ pointer: '/title' }]);
    const [first] = await w.list('quote_line', { '==': [{ var: 'quote' }, large.id] });
    expectProblem(await w.patch('quote_line', first!.id, { discount_pct: '20' }, 'rep'), 422, 'validation.failed', [{ pointer: '/quote' }]);
    expectProblem(
      await w.t.request('POST', '/api/v1/quote_line', { quote: large.id, description: '赠品', unit_price: '0.00' }, w.as('rep')),
      422,
      'validation.failed',
      [{ pointer: '/quote' }],
    );
    const line = await w.get('quote_line', first!.id);
    expectProblem(
      await w.t.request('DELETE', `/api/v1/quote_line/${line.id}`, undefined, { 'if-match': `"${line.version}"`, ...w.as('rep') }),
      422,
      'contracts.quote_locked',
    );
    expect(await w.get('quote', large.id)).toMatchObject({ total: '531100.00', line_count: 2 });
  });

  it('needs finance too when the margin is thin', async () => {
    const thin = await quoteWith([{ product: p.server!.id, quantity: '1', discount_pct: '30' }]);
    // 70,000.00 net against 60,000.00 cost: 14.29 % margin.
    expect(thin).toMatchObject({ margin_pct: '14.29' });
    await w.patch('quote', thin.id, { status: 'in_approval' }, 'rep');
    await w.t.request('POST', `/api/v1/quote/${thin.id}/approval/submit`, {}, w.as('rep'));
    const first = await w.t.request('POST', `/api/v1/quote/${thin.id}/approval/approve`, {}, w.as('mgr'));
    expect(first.body.data).toMatchObject({ status: 'pending', step: 'finance' });
    const second = await w.t.request('POST', `/api/v1/quote/${thin.id}/approval/approve`, {}, w.as('fin'));
    expect(second.body.data).toMatchObject({ status: 'approved' });
  });

  it('tracks sending and the answer, revises, and becomes a contract and an order with the same lines', async () => {
    const quote = await quoteWith([
      { product: p.server!.id, quantity: '2', discount_pct: '5' },
      { product: p.service!.id, quantity: '40', discount_pct: '2.5' },
    ]);
    expectProblem(await w.action('quote', quote.id, 'create_contract', {}, 'rep'), 422, 'contracts.quote_not_accepted');
    await w.patch('quote', quote.id, { status: 'in_approval' }, 'rep');
    await w.patch('quote', quote.id, { status: 'approved' }, 'rep');
    const sent = await w.patch('quote', quote.id, { status: 'sent', sent_via: 'email' }, 'rep');
    expect(sent.body.data).toMatchObject({ status: 'sent', sent_via: 'email', sent_on: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });

    const revised = await w.action('quote', quote.id, 'revise', {}, 'rep');
    expect(revised.status, JSON.stringify(revised.body)).toBe(200);
    const second = await w.get('quote', revised.body.data.quote);
    expect(second).toMatchObject({
      revision: 2,
      previous_revision: quote.id,
      status: 'draft',
      subtotal: quote.subtotal,
      total: quote.total,
      line_count: 2,
    });
    expectProblem(await w.action('quote', quote.id, 'revise', {}, 'rep'), 422, 'contracts.quote_revised');

    const accepted = await w.patch('quote', quote.id, { status: 'accepted' }, 'rep');
    expect(accepted.body.data).toMatchObject({ status: 'accepted', responded_on: expect.any(String) });
    const made = await w.action('quote', quote.id, 'create_contract', { start_date: '2027-01-01', end_date: '2027-12-31' }, 'rep');
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    const contract = await w.get('contract', made.body.data.contract);
    expect(contract).toMatchObject({
      customer: customer.id,
      owner: w.ids.rep,
      title: quote.title,
      status: 'draft',
      contract_value: quote.subtotal,
      line_count: 2,
    });
    const pick = (l: Rec) => ({
      product: l.product,
      quantity: l.quantity,
      unit_price: l.unit_price,
      discount_pct: l.discount_pct,
      unit_cost: l.unit_cost,
    });
    const quoteLines = await w.list('quote_line', { '==': [{ var: 'quote' }, quote.id] });
    const contractLines = await w.list('contract_line', { '==': [{ var: 'contract' }, contract.id] });
    expect(contractLines.map(pick)).toEqual(quoteLines.map(pick));
    expect(contractLines.map((l) => l.line_total)).toEqual(quoteLines.map((l) => l.net_amount));
    // Once made, asking again answers with the same contract.
    expect((await w.action('quote', quote.id, 'create_contract', {}, 'rep')).body.data).toEqual({ contract: contract.id, created: false });

    const order = await w.action('quote', quote.id, 'create_order', {}, 'rep');
    expect(order.status, JSON.stringify(order.body)).toBe(200);
    expect(await w.get('sales_order', order.body.data.order)).toMatchObject({
      customer: customer.id,
      status: 'planned',
      total: quote.subtotal,
    });
    expect(await w.get('quote', quote.id)).toMatchObject({ contract: contract.id, sales_order: order.body.data.order });
  });

  it('comes from an opportunity, and a won opportunity becomes a contract directly', async () => {
    const opp = await w.post(
      'opportunity',
      { name: '视觉检测项目', customer: customer.id, owner: w.ids.rep, amount: { amount: '380000.00', currency: 'CNY' } },
      'rep',
    );
    const quoted = await w.action('opportunity', opp.id, 'create_quote', {}, 'rep');
    expect(quoted.status, JSON.stringify(quoted.body)).toBe(200);
    expect(await w.get('quote', quoted.body.data.quote)).toMatchObject({
      customer: customer.id,
      opportunity: opp.id,
      title: '视觉检测项目',
      subtotal: '380000.00',
    });
    expectProblem(await w.action('opportunity', opp.id, 'create_contract', {}, 'rep'), 422, 'contracts.opportunity_not_won');
    await w.patch('opportunity', opp.id, { stage: 'proposal' }, 'rep');
    const won = await w.patch('opportunity', opp.id, { stage: 'won' }, 'rep');
    expect(won.status, JSON.stringify(won.body)).toBe(200);
    const made = await w.action('opportunity', opp.id, 'create_contract', {}, 'rep');
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    expect(await w.get('contract', made.body.data.contract)).toMatchObject({
      customer: customer.id,
      opportunity: opp.id,
      contract_value: '380000.00',
      status: 'draft',
    });
  });
});

describe('quote expiry', () => {
  it('expires approved and sent quotes past their validity once a day, and leaves the rest', async () => {
    const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    const make = async (validUntil: string, to: string[]) => {
      const quote = await w.post('quote', { title: '到期测试', customer: customer.id, owner: w.ids.rep, valid_until: validUntil }, 'rep');
      await w.post('quote_line', { quote: quote.id, product: p.server!.id }, 'rep');
      for (const status of to) expect((await w.patch('quote', quote.id, { status }, 'rep')).status).toBe(200);
      return quote.id as string;
    };
    const stale = await make(day(-1), ['in_approval', 'approved', 'sent']);
    const staleApproved = await make(day(-3), ['in_approval', 'approved']);
    const current = await make(day(1), ['in_approval', 'approved', 'sent']);
    const staleDraft = await make(day(-1), []);
    await w.t.engine.queue.add('contracts:expire-quotes', { asOf: day(0) }, { jobKey: 'expire-quotes-test' });
    await vi.waitFor(
      async () => expect((await w.t.engine.queue.list('completed', 1000)).map((j) => j.key)).toContain('expire-quotes-test'),
      { timeout: 10_000, interval: 25 },
    );
    const statuses = await Promise.all([stale, staleApproved, current, staleDraft].map(async (id) => (await w.get('quote', id)).status));
    expect(statuses).toEqual(['expired', 'expired', 'sent', 'draft']);
  });
});

describe('the Contracts app', () => {
  it('appears in the runtime UI from metadata alone: its menu, layouts with actions, and list views', async () => {
    const meta = (await w.t.request('GET', '/api/meta?locale=zh-CN', undefined, w.as('rep'))).body;
    const app = meta.apps.find((a: Rec) => a.name === 'contracts');
    expect(app).toMatchObject({ label: '合同管理' });
    const entities = app.menu.flatMap((m: Rec) => (m.items ?? [m]).map((i: Rec) => i.entity ?? i.page ?? i.dashboard));
    expect(entities).toEqual([
      'home',
      'quote',
      'quote',
      'contract',
      'contract',
      'change_request',
      'contract_version',
      'contract_template',
      'revenue_forecast',
      'contract_issue',
      'approvals',
      'notifications',
    ]);
    const quote = meta.entities.find((e: Rec) => e.name === 'quote');
    expect(quote.layout).toMatchObject({
      id: 'contracts.layout.quote',
      generated: false,
      highlights: ['quote_no', 'status', 'revision', 'total', 'margin_pct'],
    });
    expect(quote.actions.map((a: Rec) => a.name)).toEqual(expect.arrayContaining(['revise', 'create_contract', 'create_order']));
    expect(quote.listViews.map((v: Rec) => [v.name, v.isDefault])).toEqual([
      ['all_quotes', true],
      ['open_quotes', false],
    ]);
    const contract = meta.entities.find((e: Rec) => e.name === 'contract');
    expect(contract.layout.tabs.map((tab: Rec) => tab.label)).toEqual(['概览', '明细', '版本与变更', '问题与续约']);
    expect(contract.listViews.map((v: Rec) => v.name)).toEqual(['all_contracts', 'ending_soon']);
  });
});
