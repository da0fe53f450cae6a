// Settling a contract's SLAs: for each active metric, its measurements (excluded ones left out) grouped into the
// periods that have ended, each period's result priced by settlePeriod in date order so the cumulative caps carry
// over, and written as one settlement per metric and period through the engine's pipeline. A settlement someone has
// confirmed, applied or disputed is never recomputed; a computed one follows new or corrected measurements, and one
// that would not change is not written. Run by the contract's `settle_sla` action on one contract, or on a batch
// of them in the monthly run (the same statements either way), under the action's locks.
import { Decimal } from 'decimal.js';
import { PluginRejection, type PluginDb, type PluginRecord, type PluginRecords } from '../../engine/src/plugins/plugin-api.js';
import { contractPeriods, milestoneMeasurements, type PeriodRow } from './contract-periods.js';
import { settlePeriod, SlaTermsError, type Bases, type PeriodOutcome, type SlaTerms } from './settle-period.js';

export interface SettleOutcome {
  readonly created: number;
  readonly updated: number;
  /** Periods whose settlement a person already confirmed, applied or disputed. */
  readonly kept: number;
  readonly net: string;
}

function termsOf(m: PeriodRow): SlaTerms {
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

/** The amounts a period's percentages apply to: its charge, the contract's value, its milestone's amount. */
export function basesOf(row: PeriodRow, contractValue: string | null): Bases {
  return {
    pct_period_charge: row.period_charge,
    ...(contractValue === null ? {} : { pct_contract: contractValue }),
    ...(row.milestone_amount === null ? {} : { pct_milestone: row.milestone_amount }),
  };
}

/** A period priced by settlePeriod with what earlier periods of its metric took from the cumulative caps. */
export function priced(row: PeriodRow, bases: Bases, penaltyBefore: Decimal, rewardBefore: Decimal): PeriodOutcome {
  try {
    return settlePeriod(termsOf(row), {
      actual: row.actual,
      bases,
      penaltyBefore: penaltyBefore.toFixed(2),
      rewardBefore: rewardBefore.toFixed(2),
    });
  } catch (e) {
    if (e instanceof SlaTermsError) throw new PluginRejection(`SLA metric ${row.name}: ${e.message}`, '/sla_metrics', 'sla.terms');
    throw e;
  }
}

/** Whether the stored settlement already says what `outcome` says. */
function unchanged(row: PeriodRow, outcome: PeriodOutcome): boolean {
  return (
    row.settled_actual !== null &&
    new Decimal(row.settled_actual).equals(row.actual) &&
    row.settled_count === row.count &&
    new Decimal(row.penalty ?? 0).equals(outcome.penalty) &&
    new Decimal(row.reward ?? 0).equals(outcome.reward)
  );
}

export interface ContractToSettle {
  readonly id: string;
  readonly contractValue: string | null;
}

/** A contract's periods priced: settlements to create and to update, and what it comes to. */
interface Planned {
  readonly creates: PluginRecord[];
  readonly updates: Array<{ readonly id: string; readonly values: PluginRecord }>;
  readonly outcome: SettleOutcome;
}

/** Prices one contract's periods in order, carrying what each metric's earlier periods took from its caps. */
function plan(contract: ContractToSettle, periods: readonly PeriodRow[]): Planned {
  const creates: PluginRecord[] = [];
  const updates: Array<{ id: string; values: PluginRecord }> = [];
  let kept = 0;
  let net = new Decimal(0);
  let metric: string | undefined;
  let penaltyBefore = new Decimal(0);
  let rewardBefore = new Decimal(0);
  for (const row of periods) {
    if (row.metric_id !== metric) {
      metric = row.metric_id;
      penaltyBefore = new Decimal(0);
      rewardBefore = new Decimal(0);
    }
    if (row.settlement_id !== null && row.status !== 'computed') {
      kept++;
      penaltyBefore = penaltyBefore.plus(row.penalty ?? 0);
      rewardBefore = rewardBefore.plus(row.reward ?? 0);
      continue;
    }
    const bases = basesOf(row, contract.contractValue);
    const outcome = priced(row, bases, penaltyBefore, rewardBefore);
    penaltyBefore = penaltyBefore.plus(outcome.penalty);
    rewardBefore = rewardBefore.plus(outcome.reward);
    net = net.plus(outcome.net);
    if (row.settlement_id !== null && unchanged(row, outcome)) continue;
    const values = {
      actual: row.actual,
      measurements: row.count,
      period_end: row.end,
      basis: (row.penalty_mode === 'fixed' ? undefined : bases[row.penalty_mode]) ?? null,
      gap: outcome.gap,
      penalty_steps: outcome.penaltySteps,
      penalty: outcome.penalty,
      reward_steps: outcome.rewardSteps,
      reward: outcome.reward,
      explanation: outcome.explanation,
    };
    if (row.settlement_id !== null) updates.push({ id: row.settlement_id, values });
    else creates.push({ contract: contract.id, metric: row.metric_id, period_key: row.key, ...values });
  }
  return { creates, updates, outcome: { created: creates.length, updated: updates.length, kept, net: net.toFixed(2) } };
}

/**
 * Settles any number of contracts as of `through` — one alone (its action) or a scheduled run's batch — with the
 * same statements: their milestone measurements and ended periods read in one statement each, each contract priced
 * on its own (a contract's settlements read only its own rows), and every new settlement written in one batched
 * create. Returns each contract's outcome by its id.
 */
export async function settleContracts(
  db: PluginDb,
  records: PluginRecords,
  contracts: readonly ContractToSettle[],
  through: string,
): Promise<Map<string, SettleOutcome>> {
  const ids = contracts.map((c) => c.id);
  // A milestone's lateness is a measurement of the time-based metrics settled per milestone, kept in step with it.
  const measured: string[] = [];
  for (const [contract, rows] of await milestoneMeasurements(db, ids)) {
    if (rows.length > 0) measured.push(contract);
    for (const m of rows) {
      const values = { measured_on: m.measured_on, actual: m.actual };
      if (m.measurement_id === null)
        await records.create('sla_measurement', { metric: m.metric_id, milestone: m.milestone_id, source: 'milestone', ...values });
      else await records.update('sla_measurement', m.measurement_id, values);
    }
  }
  const periods = await contractPeriods(db, ids, through);
  const plans = contracts.map((c) => ({ id: c.id, planned: plan(c, periods.get(c.id.toLowerCase()) ?? []) }));
  for (const { planned } of plans) for (const u of planned.updates) await records.update('sla_settlement', u.id, u.values);
  const creates = plans.flatMap(({ planned }) => planned.creates);
  if (creates.length > 0) await records.createMany('sla_settlement', creates);
  return new Map(plans.map(({ id, planned }) => [id, planned.outcome]));
}
