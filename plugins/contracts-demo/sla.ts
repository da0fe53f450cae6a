// SLAs on part of the delivered contracts, as the issue's example has them: a go-live delay metric (T = 0 days,
// B = 3, s = 1, 1,000.00 a day capped at 20,000.00, a reward from 5 days early at 400.00 a day capped at 4,000.00)
// measured by the milestone's acceptance, and on half of them a quarterly defect rate (T = 2.0 %, B = s = 0.5
// points, 2,000.00 a step capped at 10,000.00) with one measurement per ended quarter, a few excluded as force
// majeure. Every ended period is settled by the sla plugin's own pricing (contractPeriods, settlePeriod) and left
// computed, confirmed, applied (its net on a new draft invoice) or disputed.
import { Decimal } from 'decimal.js';
import type { SeedContext } from '../../engine/src/plugins/plugin-api.js';
import { contractPeriods } from '../sla/contract-periods.js';
import { basesOf, priced } from '../sla/settle-contract.js';
import { GO_LIVE } from './delivery.js';
import { below, cid, cidOf, numberSql, Params } from './sql-ids.js';

/** Invoices the applied settlements make are numbered from here, apart from the billing ones. */
const SLA_INVOICES = 1_000_000_000;

export async function seedSlaMetrics(ctx: SeedContext, every: number): Promise<{ metrics: number; measurements: number }> {
  await ctx.db.execute(
    `CREATE TEMP TABLE demo_sla ON COMMIT DROP AS
     SELECT k.n, ${below('k.n', 590, 2)} = 0 AS quality, k.start_date, k.end_date FROM demo_k k
     WHERE k.n % ${every} = 0 AND EXISTS (SELECT 1 FROM milestone m WHERE m.id = ${cid('milestone', `k.n * 4 + ${GO_LIVE}`)})`,
  );
  const metrics = await ctx.db.execute(
    `INSERT INTO sla_metric (id, contract_id, name, metric_type_id, direction, period, milestone_id, aggregate, target, buffer, step, penalty_mode,
        penalty_per_step, penalty_cap_period, penalty_cap_total, reward_level, reward_mode, reward_per_step, reward_cap_period, reward_cap_total, active)
     SELECT ${cid('sla_metric', 's.n * 2')}, ${cid('contract', 's.n')}, '上线延期', ${cid('sla_type', '1')}, 'lower_is_better', 'milestone',
       ${cid('milestone', `s.n * 4 + ${GO_LIVE}`)}, 'max', 0, 3, 1, 'fixed', 1000, 20000, 20000, 5, 'fixed', 400, 4000, 4000, true FROM demo_sla s
     UNION ALL
     SELECT ${cid('sla_metric', 's.n * 2 + 1')}, ${cid('contract', 's.n')}, '季度缺陷率', ${cid('sla_type', '3')}, 'lower_is_better', 'quarter',
       NULL, 'avg', 2.0, 0.5, 0.5, 'fixed', 2000, 10000, NULL, NULL, 'fixed', NULL, NULL, NULL, true FROM demo_sla s WHERE s.quality`,
  );
  const delays = await ctx.db.execute(
    `INSERT INTO sla_measurement (id, metric_id, milestone_id, measured_on, actual, source, excluded)
     SELECT ${cid('sla_measurement', 's.n * 16')}, ${cid('sla_metric', 's.n * 2')}, m.id, m.accepted_on, m.accepted_on - m.due_date, 'milestone', false
     FROM demo_sla s JOIN milestone m ON m.id = ${cid('milestone', `s.n * 4 + ${GO_LIVE}`)} AND m.status = 'accepted'`,
  );
  const quarters = await ctx.db.execute(
    `INSERT INTO sla_measurement (id, metric_id, measured_on, actual, source, excluded, exclusion_reason)
     SELECT ${cid('sla_measurement', 's.n * 16 + q.i')}, ${cid('sla_metric', 's.n * 2 + 1')}, q.start::date + 80,
       (10 + ${below('s.n * 16 + q.i', 591, 40)}) / 10.0, 'import', ${below('s.n * 16 + q.i', 592, 20)} = 0,
       CASE WHEN ${below('s.n * 16 + q.i', 592, 20)} = 0 THEN '不可抗力：区域性停电' END
     FROM demo_sla s, generate_series(date_trunc('quarter', s.start_date), least(s.end_date, current_date - 92), interval '3 months')
       WITH ORDINALITY AS q(start, i)
     WHERE s.quality AND q.i <= 15`,
  );
  return { metrics, measurements: delays + quarters };
}

const STATUSES = ['computed', 'computed', 'confirmed', 'confirmed', 'confirmed', 'applied', 'applied', 'disputed'] as const;

interface Settled {
  n: number;
  contract: string;
  metric: string;
  key: string;
  end: string;
  actual: string;
  count: number;
  gap: string;
  penaltySteps: number;
  penalty: string;
  rewardSteps: number;
  reward: string;
  net: string;
  explanation: string;
  status: string;
}

/** Settles every ended period of the demo SLAs, one contract at a time as settle_sla does, and writes them at once. */
export async function seedSettlements(ctx: SeedContext): Promise<{ settlements: number; invoices: number }> {
  // The settling statements look rows up by contract and metric; the pack's own indexes are rebuilt only at the end.
  const temp = ['sla_metric (contract_id)', 'sla_measurement (metric_id)', 'invoice_line (contract_id)', 'sla_settlement (metric_id)'];
  for (const [i, on] of temp.entries()) await ctx.db.execute(`CREATE INDEX demo_settle_${i} ON ${on}`);
  const [day] = await ctx.db.query<{ through: string }>(`SELECT (current_date - 1)::text AS through`);
  const contracts = await ctx.db.query<{ n: number; id: string; value: string | null }>(
    `SELECT s.n::int AS n, ${cid('contract', 's.n')}::text AS id, v.value::text AS value
     FROM demo_sla s LEFT JOIN (SELECT contract_id, sum(line_total) AS value FROM contract_line GROUP BY contract_id) v
       ON v.contract_id = ${cid('contract', 's.n')}
     ORDER BY s.n`,
  );
  const periods = await contractPeriods(
    ctx.db,
    contracts.map((c) => c.id),
    day?.through ?? '',
  );
  const rows: Settled[] = [];
  for (const c of contracts) {
    let metric: string | undefined;
    let penaltyBefore = new Decimal(0);
    let rewardBefore = new Decimal(0);
    for (const row of periods.get(c.id.toLowerCase()) ?? []) {
      if (row.metric_id !== metric) [metric, penaltyBefore, rewardBefore] = [row.metric_id, new Decimal(0), new Decimal(0)];
      const outcome = priced(row, basesOf(row, c.value), penaltyBefore, rewardBefore);
      penaltyBefore = penaltyBefore.plus(outcome.penalty);
      rewardBefore = rewardBefore.plus(outcome.reward);
      const n = rows.length + 1;
      const picked = STATUSES[(c.n * 7 + n) % STATUSES.length] ?? 'computed';
      rows.push({
        n,
        contract: c.id,
        metric: row.metric_id,
        key: row.key,
        end: row.end,
        actual: row.actual,
        count: row.count,
        gap: outcome.gap,
        penaltySteps: outcome.penaltySteps,
        penalty: outcome.penalty,
        rewardSteps: outcome.rewardSteps,
        reward: outcome.reward,
        net: outcome.net,
        explanation: JSON.stringify(outcome.explanation),
        // Nothing to apply from a settlement of zero: it stays confirmed.
        status: picked === 'applied' && new Decimal(outcome.net).isZero() ? 'confirmed' : picked,
      });
    }
  }
  const applied = rows.filter((r) => r.status === 'applied');
  const p = new Params();
  const drawn = await ctx.drawNumbers('invoice', 'invoice_no', applied.length);
  const invoiceIds = applied.map((_, i) => cidOf('invoice', SLA_INVOICES + i + 1));
  const invoices = await ctx.db.execute(
    `INSERT INTO invoice (id, invoice_no, customer_id, owner_id, stage, created_at, updated_at)
     SELECT s.id, ${numberSql(p, drawn, 's.i')}, c.customer_id, c.owner_id, 'draft', now(), now()
     FROM unnest(${p.add(invoiceIds, 'uuid[]')}, ${p.add(
       applied.map((r) => r.contract),
       'uuid[]',
     )}) WITH ORDINALITY AS s(id, contract, i) JOIN contract c ON c.id = s.contract ORDER BY s.i`,
    p.values,
  );
  await ctx.db.execute(
    `INSERT INTO invoice_line (id, invoice_id, contract_id, kind, description, amount, created_at, updated_at)
     SELECT overlay(s.invoice::text placing '000b' from 10 for 4)::uuid, s.invoice, s.contract,
       CASE WHEN s.net < 0 THEN 'penalty' ELSE 'charge' END, 'SLA ' || m.name || ' ' || s.key || ' (' || c.contract_no || ')', s.net, now(), now()
     FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::numeric[]) AS s(invoice, contract, metric, key, net)
     JOIN contract c ON c.id = s.contract JOIN sla_metric m ON m.id = s.metric`,
    [invoiceIds, applied.map((r) => r.contract), applied.map((r) => r.metric), applied.map((r) => r.key), applied.map((r) => r.net)],
  );
  const lineOf = new Map(applied.map((r, i) => [r.n, (invoiceIds[i] ?? '').replace(/^(\w{8}-)000a/, '$1000b')]));
  const col = <K extends keyof Settled>(k: K) => rows.map((r) => r[k]);
  const settlements = await ctx.db.execute(
    `INSERT INTO sla_settlement (id, contract_id, metric_id, period_key, period_end, invoice_line_id, actual, measurements, basis, gap,
        penalty_steps, penalty, reward_steps, reward, net, explanation, status, dispute_reason, created_at, updated_at)
     SELECT ${cid('sla_settlement', 's.n')}, s.contract, s.metric, s.key, s.period_end, s.line, s.actual, s.count, NULL, s.gap,
       s.psteps, s.penalty, s.rsteps, s.reward, s.net, s.explanation, s.status,
       CASE WHEN s.status = 'disputed' THEN '客户认为延期由其自身原因造成' END, s.period_end + 1, s.period_end + 1
     FROM unnest($1::bigint[], $2::uuid[], $3::uuid[], $4::text[], $5::date[], $6::uuid[], $7::numeric[], $8::int[], $9::numeric[],
       $10::int[], $11::numeric[], $12::int[], $13::numeric[], $14::numeric[], $15::jsonb[], $16::text[])
       AS s(n, contract, metric, key, period_end, line, actual, count, gap, psteps, penalty, rsteps, reward, net, explanation, status)
     ORDER BY s.n`,
    [
      col('n'),
      col('contract'),
      col('metric'),
      col('key'),
      col('end'),
      rows.map((r) => lineOf.get(r.n) ?? null),
      col('actual'),
      col('count'),
      col('gap'),
      col('penaltySteps'),
      col('penalty'),
      col('rewardSteps'),
      col('reward'),
      col('net'),
      col('explanation'),
      col('status'),
    ],
  );
  for (const i of temp.keys()) await ctx.db.execute(`DROP INDEX demo_settle_${i}`);
  return { settlements, invoices };
}
