// Contracts as versioned data through HTTP (#24 part 2): edited only in draft; approval records version 1 with the
// SHA-256 of its canonical content; after that a change request, approved through its own flow, makes version 2
// while version 1 stays as it was; any two versions compare field by field and line by line; a stale change or a
// direct edit after approval is refused with nothing written; templates make contracts with merged clauses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentHash } from '../../../plugins/contracts/contract-content.js';
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
  customer = await w.post('customer', { name: '无锡智能装备', owner: w.ids.rep }, 'rep');
});

afterAll(async () => {
  await w?.t.stop();
});

/** The versions of a contract, in order; the test names the ones it expects to exist. */
const versions = async (contract: string) =>
  (await w.list('contract_version', { '==': [{ var: 'contract' }, contract] })) as [Rec, Rec, ...Rec[]];
const linesOf = async (contract: string) => w.list('contract_line', { '==': [{ var: 'contract' }, contract] });

async function approvedContract(): Promise<{ contract: Rec; lines: Rec[] }> {
  const contract = await w.post(
    'contract',
    {
      title: '智能产线一期',
      customer: customer.id,
      owner: w.ids.rep,
      start_date: '2027-01-01',
      end_date: '2027-12-31',
      payment_terms: '签约后 30% 预付',
    },
    'rep',
  );
  await w.post('contract_line', { contract: contract.id, product: p.server!.id, quantity: '3', discount_pct: '10' }, 'rep');
  await w.post('contract_line', { contract: contract.id, product: p.service!.id, quantity: '200' }, 'rep');
  // In draft the contract and its lines change freely.
  expect((await w.patch('contract', contract.id, { payment_terms: '签约后 40% 预付' }, 'rep')).status).toBe(200);
  expect((await w.patch('contract', contract.id, { status: 'in_approval' }, 'rep')).status).toBe(200);
  expectProblem(await w.patch('contract', contract.id, { status: 'approved' }, 'rep'), 409, 'approval.required');
  await w.t.request('POST', `/api/v1/contract/${contract.id}/approval/submit`, {}, w.as('rep'));
  const decided = await w.t.request('POST', `/api/v1/contract/${contract.id}/approval/approve`, {}, w.as('mgr'));
  expect(decided.body.data, JSON.stringify(decided.body)).toMatchObject({ status: 'approved' });
  return { contract: await w.get('contract', contract.id), lines: await linesOf(contract.id) };
}

async function approveChange(change: Rec): Promise<void> {
  expect((await w.patch('change_request', change.id, { status: 'in_approval' }, 'rep')).status).toBe(200);
  const submitted = await w.t.request('POST', `/api/v1/change_request/${change.id}/approval/submit`, {}, w.as('rep'));
  expect(submitted.body.data, JSON.stringify(submitted.body)).toMatchObject({ status: 'pending', step: 'manager' });
  expect((await w.t.request('POST', `/api/v1/change_request/${change.id}/approval/approve`, {}, w.as('mgr'))).body.data).toMatchObject({
    step: 'finance',
  });
}

describe('a contract', () => {
  it('records version 1 with the hash of its canonical content when approved', async () => {
    const { contract, lines } = await approvedContract();
    expect(contract).toMatchObject({ status: 'approved', current_version: 1, contract_value: '330000.00', line_count: 2 });
    const [v1, ...more] = await versions(contract.id);
    expect(more).toEqual([]);
    expect(v1).toMatchObject({ version_no: 1, label: 'v1', approved_by: w.ids.mgr, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(v1.sha256).toBe(contentHash(v1.content));
    expect(v1.content.contract).toMatchObject({
      title: '智能产线一期',
      payment_terms: '签约后 40% 预付',
      customer: customer.id,
      end_date: '2027-12-31',
      renewal_notice_days: 30,
    });
    expect(v1.content.lines.map((l: Rec) => [l.id, l.quantity, l.unit_price, l.line_total])).toEqual(
      lines.map((l) => [l.id, l.quantity, l.unit_price, l.line_total]).sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    );
  });

  it('refuses direct edits after approval, and stale ones, writing nothing', async () => {
    const { contract, lines } = await approvedContract();
    expectProblem(await w.patch('contract', contract.id, { title: '改了名' }, 'rep'), 422, 'validation.failed', [{ pointer: '/title' }]);
    expectProblem(await w.patch('contract_line', lines[0]!.id, { quantity: '9' }, 'rep'), 422, 'validation.failed', [
      { pointer: '/contract' },
    ]);
    expectProblem(
      await w.t.request('POST', '/api/v1/contract_line', { contract: contract.id, description: '加一行', unit_price: '1.00' }, w.as('rep')),
      422,
      'validation.failed',
      [{ pointer: '/contract' }],
    );
    const current = await w.get('contract_line', lines[0]!.id);
    expectProblem(
      await w.t.request('DELETE', `/api/v1/contract_line/${lines[0]!.id}`, undefined, {
        'if-match': `"${current.version}"`,
        ...w.as('rep'),
      }),
      422,
      'contracts.not_changeable',
    );
    // Unlocking it by hand is refused too: only an approved change request being applied may.
    const change = await w.post('change_request', { contract: contract.id, reason: '延期', changes: { end_date: '2028-06-30' } }, 'rep');
    expectProblem(await w.patch('contract', contract.id, { applying_change: change.id }, 'rep'), 422, 'validation.failed', [
      { pointer: '/applying_change' },
    ]);
    // A stale version (If-Match) is a conflict.
    const stale = await w.t.request(
      'PATCH',
      `/api/v1/contract/${contract.id}`,
      { notify_customer_on_renewal: true },
      { 'if-match': `"${contract.version - 1}"`, ...w.as('rep') },
    );
    expect(stale.status).toBe(409);
    // A version is never written, changed or removed by hand.
    const [v1] = await versions(contract.id);
    expectProblem(await w.t.request('POST', '/api/v1/contract_version', { contract: contract.id }), 422, 'contracts.version_not_approved');
    expectProblem(await w.patch('contract_version', v1.id, { label: 'v1-final' }), 422, 'contracts.version_immutable');
    expectProblem(
      await w.t.request('DELETE', `/api/v1/contract_version/${v1.id}`, undefined, { 'if-match': `"${v1.version}"` }),
      422,
      'contracts.version_immutable',
    );
    const after = await w.get('contract', contract.id);
    expect(after).toMatchObject({
      title: contract.title,
      version: contract.version,
      contract_value: contract.contract_value,
      applying_change: null,
    });
    expect(await linesOf(contract.id)).toEqual(lines);
  });

  it('changes through an approved change request into version 2, version 1 intact, and compares them', async () => {
    const { contract, lines } = await approvedContract();
    await w.patch('contract', contract.id, { status: 'signing' }, 'rep');
    const signed = await w.patch('contract', contract.id, { status: 'signed' }, 'rep');
    expect(signed.body.data).toMatchObject({ status: 'signed', signed_on: expect.any(String) });
    const [v1Before] = await versions(contract.id);
    const [server, service] = [...lines].sort((a) => (a.product === p.server!.id ? -1 : 1));
    expectProblem(
      await w.t.request(
        'POST',
        '/api/v1/change_request',
        { contract: contract.id, reason: 'x', changes: { status: 'draft' } },
        w.as('rep'),
      ),
      422,
      'contracts.bad_change',
    );
    const change = await w.post(
      'change_request',
      {
        contract: contract.id,
        reason: '客户追加一台服务器并延长工期',
        changes: { end_date: '2028-03-31', payment_terms: '签约后 40% 预付，验收后 60%' },
        lines: [{ id: server!.id, quantity: '4' }, { id: service!.id }, { description: '现场培训', quantity: '2', unit_price: '5000.00' }],
      },
      'rep',
    );
    expect(change).toMatchObject({ base_version: 1, status: 'draft', applied_version: null });
    // A second change drafted against version 1 too: it goes stale once the first is applied.
    const rival = await w.post(
      'change_request',
      { contract: contract.id, reason: '改付款方式', changes: { payment_terms: '月结' } },
      'rep',
    );
    // The catalogue price rises meanwhile: the server line keeps the price agreed for it, only its quantity changes.
    expect((await w.patch('product', p.server!.id, { list_price: '120000.00' })).status).toBe(200);
    await approveChange(change);
    // Until the last approval, version 1 is in force.
    expect(await w.get('contract', contract.id)).toMatchObject({ current_version: 1, end_date: '2027-12-31', contract_value: '330000.00' });
    const done = await w.t.request('POST', `/api/v1/change_request/${change.id}/approval/approve`, {}, w.as('fin'));
    expect(done.body.data, JSON.stringify(done.body)).toMatchObject({ status: 'approved' });

    const after = await w.get('contract', contract.id);
    expect(after).toMatchObject({
      status: 'signed',
      current_version: 2,
      end_date: '2028-03-31',
      contract_value: '430000.00',
      line_count: 3,
      applying_change: null,
    });
    expect(await w.get('change_request', change.id)).toMatchObject({ status: 'approved', applied_version: 2 });
    const [v1, v2] = await versions(contract.id);
    expect(v1).toEqual(v1Before);
    expect(contentHash(v1.content)).toBe(v1Before.sha256);
    expect(v2).toMatchObject({ version_no: 2, change_request: change.id, approved_by: w.ids.fin, sha256: contentHash(v2.content) });
    expect(v2.sha256).not.toBe(v1.sha256);

    const diff = await w.action('contract', contract.id, 'compare_versions', { from: 1, to: 2 }, 'rep');
    expect(diff.status, JSON.stringify(diff.body)).toBe(200);
    expect(diff.body.data.fields).toEqual([
      { field: 'end_date', from: '2027-12-31', to: '2028-03-31' },
      { field: 'payment_terms', from: '签约后 40% 预付', to: '签约后 40% 预付，验收后 60%' },
    ]);
    expect(diff.body.data.lines.removed).toEqual([]);
    expect(diff.body.data.lines.added).toEqual([
      expect.objectContaining({ description: '现场培训', quantity: '2.000', line_total: '10000.00' }),
    ]);
    expect(diff.body.data.lines.changed).toEqual([
      {
        id: server!.id,
        fields: [
          { field: 'estimated_cost', from: '180000.00', to: '240000.00' },
          { field: 'line_total', from: '270000.00', to: '360000.00' },
          { field: 'quantity', from: '3.000', to: '4.000' },
        ],
      },
    ]);
    expectProblem(await w.action('contract', contract.id, 'compare_versions', { from: 1, to: 3 }, 'rep'), 422, 'contracts.no_version');

    // The rival change was made against version 1: approving it now is refused and changes nothing.
    await approveChange(rival);
    expectProblem(
      await w.t.request('POST', `/api/v1/change_request/${rival.id}/approval/approve`, {}, w.as('fin')),
      422,
      'contracts.change_stale',
    );
    expect(await w.get('contract', contract.id)).toMatchObject({
      payment_terms: '签约后 40% 预付，验收后 60%',
      current_version: 2,
      version: after.version,
    });
    expect(await w.get('change_request', rival.id)).toMatchObject({ status: 'in_approval', applied_version: null });
    expect(await versions(contract.id)).toHaveLength(2);
  });

  it('takes no change request while a draft', async () => {
    const draft = await w.post('contract', { title: '草稿合同', customer: customer.id }, 'rep');
    expectProblem(
      await w.t.request('POST', '/api/v1/change_request', { contract: draft.id, reason: '改' }, w.as('rep')),
      422,
      'contracts.not_changeable',
    );
  });
});

describe('contract types and parties', () => {
  it('puts a statement of work under a master agreement of the same customer, with a contact of that customer', async () => {
    const other = await w.post('customer', { name: '另一家客户' }, 'rep');
    const master = await w.post('contract', { title: '框架协议', contract_type: 'master', customer: customer.id }, 'rep');
    const foreign = await w.post('contract', { title: '别家的框架协议', contract_type: 'master', customer: other.id }, 'rep');
    const plain = await w.post('contract', { title: '普通合同', customer: customer.id }, 'rep');
    const sow = (body: Rec) =>
      w.t.request('POST', '/api/v1/contract', { title: '工作说明书', contract_type: 'sow', customer: customer.id, ...body }, w.as('rep'));
    expectProblem(await sow({}), 422, 'validation.failed', [{ pointer: '/master_agreement' }]);
    expectProblem(await sow({ master_agreement: foreign.id }), 422, 'validation.failed', [{ pointer: '/master_agreement' }]);
    expectProblem(await sow({ master_agreement: plain.id }), 422, 'validation.failed', [{ pointer: '/master_agreement' }]);
    const theirs = await w.post('contact', { customer: other.id, name: '外部联系人' }, 'rep');
    expectProblem(await sow({ master_agreement: master.id, contact: theirs.id }), 422, 'validation.failed', [{ pointer: '/contact' }]);
    const ours = await w.post('contact', { customer: customer.id, name: '项目经理' }, 'rep');
    const made = await sow({ master_agreement: master.id, contact: ours.id });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const withSows = await w.t.request('GET', `/api/v1/contract/${master.id}?include=statements_of_work`);
    expect(withSows.body.data.statements_of_work.map((c: Rec) => c.id)).toEqual([made.body.data.id]);
  });
});

describe('a contract template', () => {
  it('makes a draft contract with its lines, payment terms and the clauses whose conditions hold, merged', async () => {
    const kit = await w.post('product', { name: '边缘服务器套件', list_price: '100000.00', cost: '60000.00' });
    const template = await w.post('contract_template', {
      name: '标准设备销售合同',
      contract_type: 'sales',
      term_months: 12,
      payment_terms: '到货验收后 30 日内付清',
      clauses: [
        {
          title: '质保',
          text: '{{customer.name}} 享有 {{values.warranty_months}} 个月质保。',
          when: { '>': [{ var: 'values.warranty_months' }, 0] },
        },
        { title: '保密', text: '双方对本合同内容保密。', when: { '==': [{ var: 'contract.contract_type' }, 'nda'] } },
        { title: '期限', text: '自 {{contract.start_date}} 起至 {{contract.end_date}} 止。' },
      ],
    });
    await w.post('contract_template_line', {
      template: template.id,
      product: kit.id,
      description: '边缘服务器（标准配置）',
      quantity: '1',
    });
    await w.post('contract_template_line', { template: template.id, description: '运输保险', quantity: '1', unit_price: '800.00' });
    const made = await w.action(
      'contract_template',
      template.id,
      'create_contract',
      { customer: customer.id, title: '设备采购', start_date: '2027-02-01', values: { warranty_months: 24 } },
      'rep',
    );
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    const contract = await w.get('contract', made.body.data.contract);
    expect(contract).toMatchObject({
      status: 'draft',
      template: template.id,
      contract_type: 'sales',
      start_date: '2027-02-01',
      end_date: '2028-01-31',
      payment_terms: '到货验收后 30 日内付清',
      contract_value: '100800.00',
      line_count: 2,
      clauses: '1. 质保\n无锡智能装备 享有 24 个月质保。\n\n2. 期限\n自 2027-02-01 起至 2028-01-31 止。',
    });
    const missing = await w.action(
      'contract_template',
      template.id,
      'create_contract',
      { customer: customer.id, title: '缺值', values: { warranty_months: 0 } },
      'rep',
    );
    expect(missing.status).toBe(200);
    expectProblem(
      await w.action(
        'contract_template',
        (await w.post('contract_template', { name: '缺合并字段', clauses: [{ title: 'x', text: '{{values.nothing}}' }] })).id,
        'create_contract',
        { customer: customer.id, title: '坏模板' },
        'rep',
      ),
      422,
      'contracts.bad_clause',
    );
  });

  it("gives each contract it makes copies of its default SLA metrics, which are then the contract's own to edit", async () => {
    const delayType = await w.post('sla_metric_type', { name: '上线延迟', category: 'time', unit: '天' });
    const defectType = await w.post('sla_metric_type', { name: '缺陷率', category: 'quality', unit: '%' });
    const template = await w.post('contract_template', { name: '带 SLA 的实施合同', contract_type: 'sales' });
    const delayTerms = {
      name: '上线延迟',
      metric_type: delayType.id,
      period: 'milestone',
      target: '0',
      buffer: '3',
      step: '1',
      penalty_mode: 'pct_milestone',
      penalty_per_step: '0.5',
      penalty_cap_period: '20000.00',
      reward_level: '5',
      reward_per_step: '400',
      reward_cap_period: '4000.00',
    };
    await w.post('contract_template_sla_metric', { template: template.id, ...delayTerms });
    const defect = await w.post('contract_template_sla_metric', {
      template: template.id,
      name: '缺陷率',
      metric_type: defectType.id,
      period: 'quarter',
      aggregate: 'avg',
      target: '2.0',
      buffer: '0.5',
      step: '0.5',
      penalty_per_step: '2000',
      penalty_cap_period: '10000.00',
    });
    // A reward level needs a reward per step on a template too.
    const unpriced = await w.t.request('POST', '/api/v1/contract_template_sla_metric', {
      ...delayTerms,
      template: template.id,
      reward_per_step: null,
    });
    expectProblem(unpriced, 422, 'validation.failed', [{ pointer: '/reward_per_step' }]);

    const make = async (title: string) => {
      const made = await w.action('contract_template', template.id, 'create_contract', { customer: customer.id, title }, 'rep');
      expect(made.status, JSON.stringify(made.body)).toBe(200);
      expect(made.body.data).toMatchObject({ slaMetrics: 2 });
      return made.body.data.contract as string;
    };
    const metricsOf = (contract: string) => w.list('sla_metric', { '==': [{ var: 'contract' }, contract] });
    const TERMS = [
      'name',
      'metric_type',
      'direction',
      'period',
      'milestone',
      'aggregate',
      'target',
      'buffer',
      'step',
      'penalty_mode',
      'penalty_per_step',
      'penalty_cap_period',
      'penalty_cap_total',
      'reward_level',
      'reward_mode',
      'reward_per_step',
      'reward_cap_period',
      'reward_cap_total',
      'active',
    ];
    const terms = (rows: Rec[]) => rows.map((m) => TERMS.map((f) => m[f])).sort((a, b) => String(a[0]).localeCompare(String(b[0])));

    const first = await make('实施合同一');
    expect(terms(await metricsOf(first))).toEqual([
      [
        '上线延迟',
        delayType.id,
        'lower_is_better',
        'milestone',
        null,
        'max',
        '0.0000',
        '3.0000',
        '1.0000',
        'pct_milestone',
        '0.5000',
        '20000.00',
        null,
        '5.0000',
        'fixed',
        '400.0000',
        '4000.00',
        null,
        true,
      ],
      [
        '缺陷率',
        defectType.id,
        'lower_is_better',
        'quarter',
        null,
        'avg',
        '2.0000',
        '0.5000',
        '0.5000',
        'fixed',
        '2000.0000',
        '10000.00',
        null,
        null,
        'fixed',
        null,
        null,
        null,
        true,
      ],
    ]);
    // The contract's copy is its own: editing it leaves the template as it was, and the template's later changes
    // reach only contracts made after them.
    const copy = (await metricsOf(first)).find((m) => m.name === '缺陷率');
    expect((await w.patch('sla_metric', String(copy?.id), { target: '1.5' }, 'rep')).status).toBe(200);
    expect((await w.get('contract_template_sla_metric', defect.id)).target).toBe('2.0000');
    expect((await w.patch('contract_template_sla_metric', defect.id, { penalty_per_step: '2500' })).status).toBe(200);
    const second = await make('实施合同二');
    const targets = (rows: Rec[]) => rows.filter((m) => m.name === '缺陷率').map((m) => [m.target, m.penalty_per_step]);
    expect(targets(await metricsOf(first))).toEqual([['1.5000', '2000.0000']]);
    expect(targets(await metricsOf(second))).toEqual([['2.0000', '2500.0000']]);
  });
});
