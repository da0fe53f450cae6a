// The SLA money rules of #24, with the worked example reproduced to the cent.
import { describe, expect, it } from 'vitest';
import { settlePeriod, SlaTermsError, type SlaTerms } from '../../../../plugins/sla/settle-period.js';

const NONE = { penaltyBefore: '0', rewardBefore: '0', bases: {} };

/** Go-live delay: T = 0 days, B = 3, s = 1, 1,000.00 a day capped at 20,000.00; reward from 5 days early at 400.00 a full day, capped at 4,000.00. */
const DELAY: SlaTerms = {
  direction: 'lower_is_better',
  target: '0',
  buffer: '3',
  step: '1',
  penaltyMode: 'fixed',
  penaltyPerStep: '1000.00',
  penaltyCapPeriod: '20000.00',
  penaltyCapTotal: null,
  rewardLevel: '5',
  rewardMode: 'fixed',
  rewardPerStep: '400.00',
  rewardCapPeriod: '4000.00',
  rewardCapTotal: null,
};

/** Defect rate: T = 2.0 %, B = 0.5 points, s = 0.5 points, 2,000.00 a step, capped at 10,000.00. */
const DEFECTS: SlaTerms = {
  ...DELAY,
  target: '2.0',
  buffer: '0.5',
  step: '0.5',
  penaltyPerStep: '2000.00',
  penaltyCapPeriod: '10000.00',
  rewardLevel: null,
  rewardPerStep: null,
  rewardCapPeriod: null,
};

describe('settlePeriod: the worked example of #24', () => {
  it('12 days late costs 9,000.00 (nine days past the buffer)', () => {
    expect(settlePeriod(DELAY, { ...NONE, actual: '12' })).toMatchObject({
      penaltySteps: 9,
      penalty: '9000.00',
      reward: '0.00',
      net: '-9000.00',
    });
  });

  it('30 days late costs 20,000.00, the cap', () => {
    const out = settlePeriod(DELAY, { ...NONE, actual: '30' });
    expect(out).toMatchObject({ penaltySteps: 27, penalty: '20000.00', net: '-20000.00' });
    expect(out.explanation.join(' | ')).toContain('capped at 20000.00 for the period');
  });

  it('8 days early earns 1,200.00 (three full days past the reward level)', () => {
    expect(settlePeriod(DELAY, { ...NONE, actual: '-8' })).toMatchObject({
      penaltySteps: 0,
      rewardSteps: 3,
      reward: '1200.00',
      net: '1200.00',
    });
  });

  it('a defect rate of 4.1 % costs 8,000.00 (1.6 points past the buffer: four started half-points)', () => {
    expect(settlePeriod(DEFECTS, { ...NONE, actual: '4.1' })).toMatchObject({ gap: '2.1', penaltySteps: 4, penalty: '8000.00' });
  });

  it('together: an SLA net of -17,000.00', () => {
    const nets = [settlePeriod(DELAY, { ...NONE, actual: '12' }), settlePeriod(DEFECTS, { ...NONE, actual: '4.1' })].map((o) => o.net);
    expect(nets).toEqual(['-9000.00', '-8000.00']);
  });
});

describe('settlePeriod: edges', () => {
  it('a miss within the buffer, or on it exactly, costs nothing', () => {
    expect(settlePeriod(DELAY, { ...NONE, actual: '3' })).toMatchObject({ penaltySteps: 0, penalty: '0.00', net: '0.00' });
    expect(settlePeriod(DELAY, { ...NONE, actual: '3.01' })).toMatchObject({ penaltySteps: 1, penalty: '1000.00' });
  });

  it('early by exactly the reward level, or less than a full step past it, earns nothing', () => {
    expect(settlePeriod(DELAY, { ...NONE, actual: '-5' })).toMatchObject({ rewardSteps: 0, reward: '0.00' });
    expect(settlePeriod(DELAY, { ...NONE, actual: '-5.9' })).toMatchObject({ rewardSteps: 0, reward: '0.00' });
    expect(settlePeriod(DELAY, { ...NONE, actual: '-30' })).toMatchObject({ rewardSteps: 25, reward: '4000.00' });
  });

  it('higher is better: the gap is the shortfall below target', () => {
    const availability: SlaTerms = {
      ...DEFECTS,
      direction: 'higher_is_better',
      target: '99.9',
      buffer: '0',
      step: '0.1',
      penaltyCapPeriod: null,
    };
    expect(settlePeriod(availability, { ...NONE, actual: '99.5' })).toMatchObject({ gap: '0.4', penaltySteps: 4, penalty: '8000.00' });
    expect(settlePeriod(availability, { ...NONE, actual: '100' })).toMatchObject({ penaltySteps: 0, net: '0.00' });
  });

  it('the cumulative cap takes what earlier periods used, never going below zero', () => {
    const terms: SlaTerms = { ...DELAY, penaltyCapTotal: '25000.00' };
    expect(settlePeriod(terms, { ...NONE, actual: '30', penaltyBefore: '20000.00' })).toMatchObject({ penalty: '5000.00' });
    expect(settlePeriod(terms, { ...NONE, actual: '30', penaltyBefore: '25000.00' })).toMatchObject({ penalty: '0.00' });
  });

  it('a percentage step is priced on its basis, rounded half-up to the cent once, then multiplied', () => {
    const pct: SlaTerms = { ...DELAY, penaltyMode: 'pct_milestone', penaltyPerStep: '0.333', penaltyCapPeriod: null };
    // 0.333 % of 200,000.00 is 666.00 a step; 9 steps.
    expect(settlePeriod(pct, { ...NONE, actual: '12', bases: { pct_milestone: '200000.00' } })).toMatchObject({ penalty: '5994.00' });
    // 0.333 % of 1,000.01 is 3.330033, rounded to 3.33 before multiplying.
    expect(settlePeriod(pct, { ...NONE, actual: '12', bases: { pct_milestone: '1000.01' } })).toMatchObject({ penalty: '29.97' });
  });

  it('refuses terms it cannot price', () => {
    const pct: SlaTerms = { ...DELAY, penaltyMode: 'pct_contract' };
    expect(() => settlePeriod(pct, { ...NONE, actual: '12' })).toThrow(SlaTermsError);
    expect(() => settlePeriod({ ...DELAY, step: '0' }, { ...NONE, actual: '12' })).toThrow(SlaTermsError);
  });
});
