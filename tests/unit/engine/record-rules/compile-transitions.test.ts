// A state machine's guards and effects are compiled against the entity (#20): a guard reading a missing field, an
// effect on an unknown field, or a value of the wrong type is a metadata problem with file, pointer and rule.
import { describe, expect, it } from 'vitest';
import { STATUS_AT, stateMachineProblems } from '../../../support/state-machine-pack.js';

const SUBMIT = `${STATUS_AT}/transitions/allowed/0`;

describe('state machine guards and effects', () => {
  it('refuses a guard that reads a missing field', () => {
    const problems = stateMachineProblems((_, status) => {
      status.transitions.allowed[0].when = { '>': [{ var: 'total' }, 0] };
    });
    expect(problems).toEqual([
      expect.objectContaining({ file: 'quote.json', pointer: `${SUBMIT}/when/>/0`, rule: 'filter.unknown_field' }),
    ]);
  });

  it('refuses an effect on an unknown field, on the state itself, and one of the wrong type', () => {
    const problems = stateMachineProblems((_, status) => {
      status.transitions.allowed[0].set = {
        submitted_at: { today: [] },
        status: 'approved',
        approved: 'yes',
        approval_note: { today: [] },
        submitted_on: { var: 'amount' },
      };
    });
    expect(problems.map((p) => [p.pointer, p.rule])).toEqual([
      [`${SUBMIT}/set/submitted_at`, 'transition.unknown_field'],
      [`${SUBMIT}/set/status`, 'transition.effect_not_allowed'],
      [`${SUBMIT}/set/approved`, 'transition.effect_type'],
      [`${SUBMIT}/set/approval_note`, 'transition.effect_type'],
      [`${SUBMIT}/set/submitted_on`, 'transition.effect_type'],
    ]);
    expect(problems.every((p) => p.file === 'quote.json')).toBe(true);
  });

  it('takes literals of the field’s type and expressions of a type it accepts', () => {
    const problems = stateMachineProblems((_, status) => {
      status.transitions.allowed[0].set = { approved: false, approval_note: null, amount: '12.50', submitted_on: '2026-01-31' };
      status.transitions.allowed[1].set = { approval_note: { var: 'title' }, submitted_on: { today: [] } };
    });
    expect(problems).toEqual([]);
  });
});
