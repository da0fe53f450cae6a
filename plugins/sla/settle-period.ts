// The money an SLA metric's result earns in one period: penalty steps past the buffer, reward steps past the reward
// level, each priced, capped per period and by what the cumulative caps leave. Pure and exact (decimal.js); the settle
// action (settle-contract.ts) feeds it one period at a time in date order, carrying what earlier periods used up.
//
// The one rounding rule: a step's price is rounded half-up to cents once (a percentage of a basis amount), then
// multiplied by whole steps, so every amount is exact to the cent and the same on every run and every database.
import { Decimal } from 'decimal.js';

export type Direction = 'lower_is_better' | 'higher_is_better';

/** How a step is priced: a fixed amount, or a percentage of a basis (the milestone, the period's charge, the contract). */
export type PriceMode = 'fixed' | 'pct_milestone' | 'pct_period_charge' | 'pct_contract';

export interface SlaTerms {
  readonly direction: Direction;
  readonly target: string;
  /** Misses up to the buffer cost nothing. */
  readonly buffer: string;
  /** One step of the measured unit (a day, half a point ...). */
  readonly step: string;
  readonly penaltyMode: PriceMode;
  /** An amount, or a percentage of the basis, per step. */
  readonly penaltyPerStep: string;
  readonly penaltyCapPeriod: string | null;
  readonly penaltyCapTotal: string | null;
  /** Better than target by more than this earns reward steps; null: the metric pays no reward. */
  readonly rewardLevel: string | null;
  readonly rewardMode: PriceMode;
  readonly rewardPerStep: string | null;
  readonly rewardCapPeriod: string | null;
  readonly rewardCapTotal: string | null;
}

/** The amounts a percentage can apply to; one the period does not have is absent. */
export type Bases = Readonly<Partial<Record<Exclude<PriceMode, 'fixed'>, string>>>;

export interface PeriodInput {
  readonly actual: string;
  readonly bases: Bases;
  /** Penalty and reward earlier periods of this metric already took from the cumulative caps. */
  readonly penaltyBefore: string;
  readonly rewardBefore: string;
}

export interface PeriodOutcome {
  /** actual - target for lower-is-better, target - actual otherwise: positive is a miss. */
  readonly gap: string;
  readonly penaltySteps: number;
  readonly rewardSteps: number;
  readonly penalty: string;
  readonly reward: string;
  /** reward - penalty: what the period adds to the contract's SLA net. */
  readonly net: string;
  /** Why each amount is what it is, in the order it was worked out. */
  readonly explanation: readonly string[];
}

export class SlaTermsError extends Error {}

const CENTS = 2;

const BASIS_NAMES: Record<Exclude<PriceMode, 'fixed'>, string> = {
  pct_milestone: 'milestone',
  pct_period_charge: "period's charge",
  pct_contract: 'contract',
};

function stepPrice(mode: PriceMode, perStep: string, bases: Bases, what: string): Decimal {
  if (mode === 'fixed') return new Decimal(perStep);
  const basis = bases[mode];
  if (basis === undefined) throw new SlaTermsError(`the ${what} is a percentage of the ${BASIS_NAMES[mode]}, which has no amount here`);
  return new Decimal(basis).times(perStep).dividedBy(100).toDecimalPlaces(CENTS, Decimal.ROUND_HALF_UP);
}

/** The least of the amount, the period cap, and what the cumulative cap leaves (never below zero). */
function capped(amount: Decimal, period: string | null, total: string | null, before: string, what: string, why: string[]): Decimal {
  let out = amount;
  if (period !== null && out.greaterThan(period)) {
    out = new Decimal(period);
    why.push(`${what} capped at ${out.toFixed(CENTS)} for the period`);
  }
  if (total !== null) {
    const left = Decimal.max(new Decimal(total).minus(before), 0);
    if (out.greaterThan(left)) {
      out = left;
      why.push(`${what} capped at ${out.toFixed(CENTS)}, what the cumulative cap of ${new Decimal(total).toFixed(CENTS)} leaves`);
    }
  }
  return out;
}

export function settlePeriod(terms: SlaTerms, input: PeriodInput): PeriodOutcome {
  const step = new Decimal(terms.step);
  if (!step.greaterThan(0)) throw new SlaTermsError('the step must be greater than zero');
  const actual = new Decimal(input.actual);
  const gap = terms.direction === 'lower_is_better' ? actual.minus(terms.target) : new Decimal(terms.target).minus(actual);
  const why: string[] = [`gap ${gap.toString()} against target ${terms.target} (${terms.direction.replaceAll('_', ' ')})`];

  let penaltySteps = 0;
  let penalty = new Decimal(0);
  const beyondBuffer = gap.minus(terms.buffer);
  if (beyondBuffer.greaterThan(0)) {
    penaltySteps = beyondBuffer.dividedBy(step).ceil().toNumber();
    const price = stepPrice(terms.penaltyMode, terms.penaltyPerStep, input.bases, 'penalty');
    penalty = price.times(penaltySteps);
    why.push(`${penaltySteps} penalty step(s) past the buffer of ${terms.buffer} at ${price.toFixed(CENTS)} = ${penalty.toFixed(CENTS)}`);
    penalty = capped(penalty, terms.penaltyCapPeriod, terms.penaltyCapTotal, input.penaltyBefore, 'penalty', why);
  }

  let rewardSteps = 0;
  let reward = new Decimal(0);
  if (terms.rewardLevel !== null && terms.rewardPerStep !== null) {
    const beyondLevel = gap.negated().minus(terms.rewardLevel);
    if (beyondLevel.greaterThan(0)) {
      rewardSteps = beyondLevel.dividedBy(step).floor().toNumber();
      const price = stepPrice(terms.rewardMode, terms.rewardPerStep, input.bases, 'reward');
      reward = price.times(rewardSteps);
      why.push(
        `${rewardSteps} full reward step(s) past the level of ${terms.rewardLevel} at ${price.toFixed(CENTS)} = ${reward.toFixed(CENTS)}`,
      );
      reward = capped(reward, terms.rewardCapPeriod, terms.rewardCapTotal, input.rewardBefore, 'reward', why);
    }
  }
  if (penaltySteps === 0 && rewardSteps === 0) why.push('within the terms: no penalty, no reward');

  return {
    gap: gap.toString(),
    penaltySteps,
    rewardSteps,
    penalty: penalty.toFixed(CENTS),
    reward: reward.toFixed(CENTS),
    net: reward.minus(penalty).toFixed(CENTS),
    explanation: why,
  };
}
