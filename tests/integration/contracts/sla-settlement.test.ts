// SLAs that carry money (#24 part 6): a contract's metrics settled per period from their measurements, through HTTP.
// The amounts are the issue's worked example; settling is repeatable, keeps what people decided, and carries the
// cumulative caps from one period to the next.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queueDueWork } from '../../../engine/src/jobs/schedule-tick.js';
import { expectProblem } from '../../support/problem-checks.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';
import * as world from './contracts-world.js';
import { approveContract, type Rec } from './contracts-world.js';

let t: TestEngine;
let delayType: Rec;
let defectType: Rec;

// The shared helpers, bound to this file's engine.
const post = (entity: string, body: Rec) => world.post(t, entity, body);
const get = (entity: string, id: string) => world.get(t, entity, id);
const move = (entity: string, id: string, status: string) => world.moveTo(t, entity, id, 'status', [status]);

/** An approved contract worth 1,000,000.00. */
async function approvedContract(): Promise<Rec> {
  const customer = await post('customer', { name: `客户 ${Math.random().toString(36).slice(2, 8)}` });
  const contract = await post('contract', { title: '智慧园区一期', customer: customer.id });
  await post('contract_line', { contract: contract.id, description: '实施服务', quantity: '1', unit_price: '1000000.00' });
  return approveContract(t, contract.id);
}

const settle = (contract: Rec, through: string) => t.request('POST', `/api/v1/contract/${contract.id}/actions/settle_sla`, { through });

async function settlements(contract: Rec): Promise<Rec[]> {
  const res = await t.request(
    'GET',
    `/api/v1/sla_settlement?filter=${encodeURIComponent(JSON.stringify({ '==': [{ var: 'contract' }, contract.id] }))}&sort=period_key&limit=100`,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

const DELAY_TERMS = { period: 'month', ...world.ISSUE_DELAY_TERMS };

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'metadata/packs/crm', 'metadata/packs/contracts'] });
  delayType = await post('sla_metric_type', { name: '交付延迟', category: 'time', unit: '天' });
  defectType = await post('sla_metric_type', { name: '缺陷率', category: 'quality', unit: '%' });
});

afterAll(async () => {
  await t?.stop();
});

describe('settling SLAs', () => {
  it('prices the worked example: 12 days late and a 4.1 % defect rate net -17,000.00', async () => {
    const contract = await approvedContract();
    const delay = await post('sla_metric', { contract: contract.id, name: '上线延迟', metric_type: delayType.id, ...DELAY_TERMS });
    const defects = await post('sla_metric', {
      contract: contract.id,
      name: '缺陷率',
      metric_type: defectType.id,
      aggregate: 'avg',
      ...world.ISSUE_DEFECT_TERMS,
    });
    await post('sla_measurement', { metric: delay.id, measured_on: '2026-06-20', actual: '12' });
    await post('sla_measurement', { metric: defects.id, measured_on: '2026-05-31', actual: '3.9' });
    await post('sla_measurement', { metric: defects.id, measured_on: '2026-06-30', actual: '4.3' });

    const res = await settle(contract, '2026-07-01');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toMatchObject({ created: 2, updated: 0, kept: 0, net: '-17000.00' });
    const rows = await settlements(contract);
    expect(rows.map((s) => [s.period_key, s.actual, s.penalty_steps, s.penalty, s.reward, s.net, s.status])).toEqual([
      ['2026-06', '12.0000', 9, '9000.00', '0.00', '-9000.00', 'computed'],
      ['2026-Q2', '4.1000', 4, '8000.00', '0.00', '-8000.00', 'computed'],
    ]);
    expect(rows[0]!.explanation.join(' | ')).toContain('9 penalty step(s) past the buffer of 3.0000');
  });

  it('settles only periods that have ended, and again without duplicates, following corrected measurements', async () => {
    const contract = await approvedContract();
    const delay = await post('sla_metric', { contract: contract.id, name: '响应延迟', metric_type: delayType.id, ...DELAY_TERMS });
    const m = await post('sla_measurement', { metric: delay.id, measured_on: '2026-08-10', actual: '30' });
    expect((await settle(contract, '2026-08-30')).body.data).toMatchObject({ created: 0, net: '0.00' });
    expect((await settle(contract, '2026-08-31')).body.data).toMatchObject({ created: 1, net: '-20000.00' });
    // Nothing new: nothing written (the settlement's version stays).
    const [first] = await settlements(contract);
    expect((await settle(contract, '2026-08-31')).body.data).toMatchObject({ created: 0, updated: 0 });
    expect((await settlements(contract))[0]!.version).toBe(first!.version);
    // A correction: 8 days early instead.
    const res = await t.request('PATCH', `/api/v1/sla_measurement/${m.id}`, { actual: '-8' }, { 'if-match': `"${m.version}"` });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const again = await settle(contract, '2026-09-30');
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.data).toMatchObject({ created: 0, updated: 1, net: '1200.00' });
    const [only] = await settlements(contract);
    expect(only).toMatchObject({ period_key: '2026-08', reward_steps: 3, reward: '1200.00', net: '1200.00' });
  });

  it('leaves out excluded measurements (force majeure), which must say why', async () => {
    const contract = await approvedContract();
    const delay = await post('sla_metric', { contract: contract.id, name: '到场延迟', metric_type: delayType.id, ...DELAY_TERMS });
    const unexplained = await t.request('POST', '/api/v1/sla_measurement', {
      metric: delay.id,
      measured_on: '2026-03-03',
      actual: '15',
      excluded: true,
    });
    expectProblem(unexplained, 422, 'validation.failed', [{ pointer: '/exclusion_reason' }]);
    await post('sla_measurement', {
      metric: delay.id,
      measured_on: '2026-03-03',
      actual: '15',
      excluded: true,
      exclusion_reason: '台风停工（不可抗力）',
    });
    await post('sla_measurement', { metric: delay.id, measured_on: '2026-03-20', actual: '5' });
    expect((await settle(contract, '2026-04-01')).body.data).toMatchObject({ created: 1, net: '-2000.00' });
  });

  it('keeps settlements people confirmed, and carries the cumulative cap into later periods', async () => {
    const contract = await approvedContract();
    const delay = await post('sla_metric', {
      contract: contract.id,
      name: '月度延迟',
      metric_type: delayType.id,
      ...DELAY_TERMS,
      penalty_cap_total: '25000.00',
    });
    await post('sla_measurement', { metric: delay.id, measured_on: '2026-01-15', actual: '30' });
    await settle(contract, '2026-01-31');
    const [january] = await settlements(contract);
    await move('sla_settlement', january!.id, 'confirmed');
    await post('sla_measurement', { metric: delay.id, measured_on: '2026-02-15', actual: '30' });
    // January's correction after confirmation changes nothing of January.
    await post('sla_measurement', { metric: delay.id, measured_on: '2026-01-20', actual: '40' });
    expect((await settle(contract, '2026-02-28')).body.data).toMatchObject({ created: 1, kept: 1, net: '-5000.00' });
    const rows = await settlements(contract);
    expect(rows.map((s) => [s.period_key, s.penalty, s.status])).toEqual([
      ['2026-01', '20000.00', 'confirmed'],
      ['2026-02', '5000.00', 'computed'],
    ]);
    expect((await get('sla_metric', delay.id)).settled_net).toBe('-20000.00');
  });

  it('refuses a draft contract, a metric priced on an amount it does not have, and bad input', async () => {
    const customer = await post('customer', { name: '草稿客户' });
    const draft = await post('contract', { title: '草稿合同', customer: customer.id });
    expectProblem(await settle(draft, '2026-01-31'), 422, 'sla.contract_not_approved');
    const contract = await approvedContract();
    expectProblem(await settle(contract, 'yesterday'), 422, 'validation.failed');
    const pct = await post('sla_metric', {
      contract: contract.id,
      name: '里程碑延迟',
      metric_type: delayType.id,
      ...DELAY_TERMS,
      penalty_mode: 'pct_milestone',
      penalty_per_step: '0.5',
    });
    await post('sla_measurement', { metric: pct.id, measured_on: '2026-01-15', actual: '9' });
    expectProblem(await settle(contract, '2026-01-31'), 422, 'sla.terms');
    expect(await settlements(contract)).toEqual([]);
  });
});

describe('the monthly settlement', () => {
  it('settles every signed contract with SLA metrics on the 1st, as the system, and nothing of a contract still in approval', async () => {
    const signed = await approvedContract();
    await move('contract', signed.id, 'signing');
    await move('contract', signed.id, 'signed');
    const approvedOnly = await approvedContract();
    for (const contract of [signed, approvedOnly]) {
      const delay = await post('sla_metric', { contract: contract.id, name: '月度响应', metric_type: delayType.id, ...DELAY_TERMS });
      await post('sla_measurement', { metric: delay.id, measured_on: '2026-11-10', actual: '12' });
    }
    // 02:00 in Shanghai on 1 December.
    const keys = await queueDueWork(t.engine.queue, t.engine.models.current().model, Date.parse('2026-11-30T18:00:30Z'), {});
    expect(keys).toContain('schedule:action:contracts.contract/contracts.contract.monthly_sla_settlement:2026-11-30T18:00:00.000Z');
    await vi.waitFor(async () => expect((await settlements(signed)).map((s) => [s.period_key, s.net])).toEqual([['2026-11', '-9000.00']]), {
      timeout: 10_000,
      interval: 100,
    });
    expect(await settlements(approvedOnly)).toEqual([]);
  });
});

describe('the monthly settlement in batches', () => {
  /** A signed contract with the worked example's delay metric (a second metric when given) and one measurement each. */
  async function signedWithDelay(actual: string, extra?: Rec): Promise<Rec> {
    const contract = await approvedContract();
    await move('contract', contract.id, 'signing');
    await move('contract', contract.id, 'signed');
    const delay = await post('sla_metric', { contract: contract.id, name: '交付延迟', metric_type: delayType.id, ...DELAY_TERMS });
    await post('sla_measurement', { metric: delay.id, measured_on: '2026-10-12', actual });
    if (extra) {
      const metric = await post('sla_metric', { contract: contract.id, metric_type: delayType.id, ...DELAY_TERMS, ...extra });
      await post('sla_measurement', { metric: metric.id, measured_on: '2026-10-12', actual });
    }
    return contract;
  }

  const SETTLED = [
    'period_key',
    'period_end',
    'actual',
    'measurements',
    'basis',
    'gap',
    'penalty_steps',
    'penalty',
    'reward_steps',
    'reward',
    'net',
    'explanation',
    'status',
  ];
  const settledAs = async (contract: Rec) => (await settlements(contract)).map((s) => SETTLED.map((f) => s[f]));
  const auditOf = async (id: string) =>
    (
      await t.engine.db.pool.query<{ action: string; n: number }>(
        `SELECT action, count(*)::int AS n FROM tessera_audit WHERE record_id = $1 GROUP BY action ORDER BY action`,
        [id],
      )
    ).rows;

  /** Queues the occurrence at `at` (a 02:00 in Shanghai); it settles what has ended by the day it runs. */
  const occurrence = async (at: string): Promise<string> => {
    await queueDueWork(t.engine.queue, t.engine.models.current().model, Date.parse(at) + 30_000, {});
    return `schedule:action:contracts.contract/contracts.contract.monthly_sla_settlement:${at.replace('Z', '.000Z')}`;
  };
  const completed = async (key: string) => (await t.engine.queue.list('completed', 100)).some((j) => j.key === key);

  it('settles a batch of contracts in one go, each exactly as it settles alone, audited once', async () => {
    const alone = await signedWithDelay('12');
    expect((await settle(alone, '2026-11-30')).body.data).toMatchObject({ created: 1, net: '-9000.00' });
    const [late, early] = [await signedWithDelay('12'), await signedWithDelay('-8')];
    const key = await occurrence('2027-01-31T18:00:00Z');
    await vi.waitFor(async () => expect(await completed(key)).toBe(true), { timeout: 15_000, interval: 100 });
    expect(await settledAs(late)).toEqual(await settledAs(alone));
    expect((await settlements(late)).map((s) => s.net)).toEqual(['-9000.00']);
    expect((await settlements(early)).map((s) => [s.reward_steps, s.net])).toEqual([[3, '1200.00']]);
    const [settlement] = await settlements(late);
    expect(await auditOf(settlement!.id)).toEqual([{ action: 'create', n: 1 }]);
    expect((await auditOf(late.id)).filter((a) => a.action === 'action:settle_sla')).toEqual([{ action: 'action:settle_sla', n: 1 }]);
    // Run again (a retry, or the next month with nothing new): nothing settled twice, nothing rewritten.
    const again = await occurrence('2027-02-28T18:00:00Z');
    await vi.waitFor(async () => expect(await completed(again)).toBe(true), { timeout: 15_000, interval: 100 });
    expect(await settlements(late)).toEqual([settlement]);
    expect(await settledAs(alone)).toEqual(await settledAs(late));
  });

  it('settles the rest of a batch when one contract fails, and names that one alone', async () => {
    const alone = await signedWithDelay('30');
    expect((await settle(alone, '2026-11-30')).body.data).toMatchObject({ created: 1, net: '-20000.00' });
    const late = await signedWithDelay('30');
    // Priced on a milestone it has none of: this contract's run fails, and with it its batch's transaction.
    const broken = await signedWithDelay('9', { name: '里程碑延迟', penalty_mode: 'pct_milestone', penalty_per_step: '0.5' });
    const key = await occurrence('2027-03-31T18:00:00Z');
    await vi.waitFor(
      async () => {
        const jobs = [...(await t.engine.queue.list('failed', 50)), ...(await t.engine.queue.list('dead', 50))];
        expect(jobs.find((j) => j.key === key)?.error).toMatch(
          new RegExp(`^settle_sla failed on 1 of \\d+ contract record\\(s\\): ${broken.id}: SLA metric 里程碑延迟[^;]*$`),
        );
      },
      { timeout: 15_000, interval: 100 },
    );
    expect(await settledAs(late)).toEqual(await settledAs(alone));
    expect(await settlements(broken)).toEqual([]);
    const [settlement] = await settlements(late);
    expect(await auditOf(settlement!.id)).toEqual([{ action: 'create', n: 1 }]);
  });
});

describe('milestones and invoices', () => {
  it('measures a milestone metric from the acceptance, priced on the milestone, and applies it as a credit line once', async () => {
    const contract = await approvedContract();
    const goLive = await post('milestone', { contract: contract.id, name: 'Go-live', amount: '200000.00', due_date: '2026-06-18' });
    const other = await approvedContract();
    const foreign = await post('milestone', { contract: other.id, name: '他人的里程碑', amount: '1.00', due_date: '2026-06-18' });
    const wrong = await t.request('POST', '/api/v1/sla_metric', {
      contract: contract.id,
      name: '错配',
      metric_type: delayType.id,
      ...DELAY_TERMS,
      period: 'milestone',
      milestone: foreign.id,
    });
    expectProblem(wrong, 422, 'validation.failed', [{ pointer: '/milestone' }]);
    // 0.5 % of the milestone per day late past three days: 1,000.00 a day.
    const metric = await post('sla_metric', {
      contract: contract.id,
      name: '上线延迟',
      metric_type: delayType.id,
      ...DELAY_TERMS,
      period: 'milestone',
      milestone: goLive.id,
      penalty_mode: 'pct_milestone',
      penalty_per_step: '0.5',
    });
    // Not accepted yet: nothing to settle.
    expect((await settle(contract, '2026-12-31')).body.data).toMatchObject({ created: 0 });
    const at = await get('milestone', goLive.id);
    expect(
      (await t.request('PATCH', `/api/v1/milestone/${goLive.id}`, { accepted_on: '2026-06-30' }, { 'if-match': `"${at.version}"` })).status,
    ).toBe(200);
    await move('milestone', goLive.id, 'delivered');
    await move('milestone', goLive.id, 'accepted');
    expect((await settle(contract, '2026-12-31')).body.data).toMatchObject({ created: 1, net: '-9000.00' });
    const [settlement] = await settlements(contract);
    expect(settlement).toMatchObject({ period_end: '2026-06-30', actual: '12.0000', basis: '200000.00', penalty: '9000.00' });
    const filter = encodeURIComponent(JSON.stringify({ '==': [{ var: 'metric' }, metric.id] }));
    const measured = (await t.request('GET', `/api/v1/sla_measurement?filter=${filter}`)).body.data as Rec[];
    expect(measured.map((m) => [m.source, m.milestone, m.measured_on, m.actual])).toEqual([
      ['milestone', goLive.id, '2026-06-30', '12.0000'],
    ]);

    expect((await get('contract', contract.id)).sla_net).toBe('0.00');
    await move('sla_settlement', settlement!.id, 'confirmed');
    expect((await get('contract', contract.id)).sla_net).toBe('-9000.00');
    const answered = await move('sla_settlement', settlement!.id, 'applied');
    const stored = await get('sla_settlement', settlement!.id);
    expect(stored.invoice_line, JSON.stringify(stored)).toBeTruthy();
    // The action the transition ran linked the line to the settlement: the PATCH answers with that, at the stored version.
    expect(answered).toMatchObject({ invoice_line: stored.invoice_line, version: stored.version });
    const line = await get('invoice_line', stored.invoice_line);
    expect(line).toMatchObject({ contract: contract.id, kind: 'penalty', amount: '-9000.00' });
    expect(await get('invoice', line.invoice)).toMatchObject({ customer: contract.customer, stage: 'draft' });
    expect((await get('contract', contract.id)).sla_net).toBe('-9000.00');
    // Applied once: setting the state it is in again takes no transition and adds no line.
    const again = await t.request(
      'PATCH',
      `/api/v1/sla_settlement/${settlement!.id}`,
      { status: 'applied' },
      { 'if-match': `"${stored.version}"` },
    );
    expect(again.status).toBe(200);
    const lines = encodeURIComponent(JSON.stringify({ '==': [{ var: 'contract' }, contract.id] }));
    expect((await t.request('GET', `/api/v1/invoice_line?filter=${lines}`)).body.data).toHaveLength(1);
  });
});
