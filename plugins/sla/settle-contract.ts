// Settling a contract's SLAs: for each active metric, its measurements (excluded ones left out) grouped into the
// periods that have ended, each period's result priced by settlePeriod in date order so the cumulative caps carry
// over, and written as one settlement per metric and period through the engine's pipeline. A settlement someone has
// confirmed, applied or disputed is never recomputed; a computed one follows new or corrected measurements. Run by
// the contract's `settle_sla` action, under the action's lock on the contract.
import { Decimal } from 'decimal.js';
import { PluginRejection, type PluginDb, type PluginRecords } from '../../engine/src/plugins/plugin-api.js';
import { settlePeriod, SlaTermsError, type Bases, type Direction, type PriceMode, type SlaTerms } from './settle-period.js';
import { metricPeriods } from './metric-periods.js';

type MetricRow = {
  id: string;
  name: string;
  period: 'milestone' | 'month' | 'quarter';
  aggregate: string;
  direction: Direction;
  target: string;
  buffer: string;
  step: string;
  penalty_mode: PriceMode;
  penalty_per_step: string;
  penalty_cap_period: string | null;
  penalty_cap_total: string | null;
  reward_level: string | null;
  reward_mode: PriceMode;
  reward_per_step: string | null;
  reward_cap_period: string | null;
  reward_cap_total: string | null;
};

type SettlementRow = {
  id: string;
  period_key: string;
  status: string;
  actual: string;
  measurements: number;
  penalty: string;
  reward: string;
};

export interface SettleOutcome {
  readonly created: number;
  readonly updated: number;
  /** Periods whose settlement a person already confirmed, applied or disputed. */
  readonly kept: number;
  readonly net: string;
}

function termsOf(m: MetricRow): SlaTerms {
  return {
    direction: m.direction,
    target: m.target,
    buffer: m.buffer,
    step: m.step,
    penaltyMode: m.penalty_mode,
    penaltyPerStep: m.penalty_per_step,
    penaltyCapPeriod: m.penalty_cap_period,
    penaltyCapTotal: m.penalty_cap_total,
    rewardLevel: m.reward_level,
    rewardMode: m.reward_mode,
    rewardPerStep: m.reward_per_step,
    rewardCapPeriod: m.reward_cap_period,
    rewardCapTotal: m.reward_cap_total,
  };
}

const METRIC_COLUMNS = `id, name, period, aggregate, direction, target::text, buffer::text, step::text, penalty_mode,
  penalty_per_step::text, penalty_cap_period::text, penalty_cap_total::text, reward_level::text, reward_mode,
  reward_per_step::text, reward_cap_period::text, reward_cap_total::text`;

export async function settleContract(
  db: PluginDb,
  records: PluginRecords,
  contract: { readonly id: string; readonly contractValue: string | null },
  through: string,
): Promise<SettleOutcome> {
  const metrics = await db.query<MetricRow>(
    `SELECT ${METRIC_COLUMNS} FROM sla_metric WHERE contract_id = $1 AND active AND deleted_at IS NULL ORDER BY name, id`,
    [contract.id],
  );
  let created = 0;
  let updated = 0;
  let kept = 0;
  let net = new Decimal(0);
  for (const metric of metrics) {
    const periods = await metricPeriods(db, metric, through);
    const existing = new Map(
      (
        await db.query<SettlementRow>(
          `SELECT id, period_key, status, actual::text, measurements, penalty::text, reward::text FROM sla_settlement
            WHERE metric_id = $1 AND deleted_at IS NULL`,
          [metric.id],
        )
      ).map((s) => [s.period_key, s]),
    );
    let penaltyBefore = new Decimal(0);
    let rewardBefore = new Decimal(0);
    for (const period of periods) {
      const prior = existing.get(period.key);
      if (prior && prior.status !== 'computed') {
        kept++;
        penaltyBefore = penaltyBefore.plus(prior.penalty);
        rewardBefore = rewardBefore.plus(prior.reward);
        continue;
      }
      const bases: Bases = {
        ...(contract.contractValue === null ? {} : { pct_contract: contract.contractValue }),
        ...(period.milestoneAmount === null ? {} : { pct_milestone: period.milestoneAmount }),
      };
      const basis = (metric.penalty_mode === 'fixed' ? undefined : bases[metric.penalty_mode]) ?? null;
      let outcome;
      try {
        outcome = settlePeriod(termsOf(metric), {
          actual: period.actual,
          bases,
          penaltyBefore: penaltyBefore.toFixed(2),
          rewardBefore: rewardBefore.toFixed(2),
        });
      } catch (e) {
        if (e instanceof SlaTermsError) throw new PluginRejection(`SLA metric ${metric.name}: ${e.message}`, '/sla_metrics', 'sla.terms');
        throw e;
      }
      penaltyBefore = penaltyBefore.plus(outcome.penalty);
      rewardBefore = rewardBefore.plus(outcome.reward);
      net = net.plus(outcome.net);
      const values = {
        actual: period.actual,
        measurements: period.count,
        period_end: period.end,
        basis,
        gap: outcome.gap,
        penalty_steps: outcome.penaltySteps,
        penalty: outcome.penalty,
        reward_steps: outcome.rewardSteps,
        reward: outcome.reward,
        explanation: outcome.explanation,
      };
      const same =
        prior &&
        new Decimal(prior.actual).equals(period.actual) &&
        prior.measurements === period.count &&
        new Decimal(prior.penalty).equals(outcome.penalty) &&
        new Decimal(prior.reward).equals(outcome.reward);
      if (same) continue;
      if (prior) {
        await records.update('sla_settlement', prior.id, values);
        updated++;
      } else {
        await records.create('sla_settlement', { contract: contract.id, metric: metric.id, period_key: period.key, ...values });
        created++;
      }
    }
  }
  return { created, updated, kept, net: net.toFixed(2) };
}
