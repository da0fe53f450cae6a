// Approval flows are checked against their entity (#20): each broken reference is a metadata problem naming the
// file, the JSON pointer and the rule, found before anything is published.
import { describe, expect, it } from 'vitest';
import { durationMs } from '../../../../engine/src/metadata/approval-flow.js';
import { approvalProblems } from '../../../support/approval-pack.js';

const FLOW = '/approvalFlows/0';

describe('approval flow checks', () => {
  it('the fixture has none', () => {
    expect(approvalProblems(() => undefined)).toEqual([]);
  });

  it('refuses an approver field that is missing or does not hold a user, and a manager chain without an owner', () => {
    const problems = approvalProblems((expense, contract) => {
      expense.approvalFlows[1].steps[0].approvers = [{ field: 'approver' }, { field: 'title' }];
      delete contract.ownership;
      contract.approvalFlows[0].steps[0].approvers = [{ managers: 2 }];
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          file: 'expense.json',
          pointer: '/approvalFlows/1/steps/0/approvers/0/field',
          rule: 'approval.unknown_field',
        }),
        expect.objectContaining({
          file: 'expense.json',
          pointer: '/approvalFlows/1/steps/0/approvers/1/field',
          rule: 'approval.field_kind',
        }),
        expect.objectContaining({
          file: 'contract.json',
          pointer: '/approvalFlows/0/steps/0/approvers/0/managers',
          rule: 'approval.no_owner',
        }),
      ]),
    );
    expect(problems).toHaveLength(3);
    expect(problems.find((p) => p.rule === 'approval.field_kind')?.message).toContain('text field');
  });

  it('refuses transitions that do not exist, two transitions on approval, and a startFlow naming no flow', () => {
    const problems = approvalProblems((_, contract) => {
      contract.approvalFlows[1].transition = 'no_such';
      contract.approvalFlows[0].onRejected.transition = 'undo';
      contract.approvalFlows[1].onApproved = { transition: 'activate' };
      contract.fields[2].transitions.allowed[0].startFlow = 'signoff';
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'contract.json', pointer: '/approvalFlows/1/transition', rule: 'approval.unknown_transition' }),
        expect.objectContaining({
          file: 'contract.json',
          pointer: '/approvalFlows/0/onRejected/transition',
          rule: 'approval.unknown_transition',
        }),
        expect.objectContaining({
          file: 'contract.json',
          pointer: '/approvalFlows/1/onApproved/transition',
          rule: 'approval.two_transitions',
        }),
        expect.objectContaining({
          file: 'contract.json',
          pointer: '/fields/2/transitions/allowed/0/startFlow',
          rule: 'transition.unknown_flow',
        }),
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it('refuses bad conditions and effect values, with pointers into the condition', () => {
    const problems = approvalProblems((expense) => {
      expense.approvalFlows[0].entry = { '>': [{ var: 'amount_due' }, 0] };
      expense.approvalFlows[0].steps[2].when = { '>': [{ var: 'title' }, 'x', 'y'] };
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'expense.json', pointer: expect.stringMatching(`^${FLOW}/entry`) }),
        expect.objectContaining({ file: 'expense.json', pointer: expect.stringMatching(`^${FLOW}/steps/2/when`) }),
      ]),
    );
    expect(problems.find((p) => p.pointer.startsWith(`${FLOW}/entry`))?.message).toContain('amount_due');
    const unknown = approvalProblems((expense) => {
      expense.approvalFlows[0].onApproved.set = { approved: true, nope: 1 };
    });
    expect(unknown).toEqual([
      expect.objectContaining({ file: 'expense.json', pointer: `${FLOW}/onApproved/set/nope`, rule: 'approval.unknown_field' }),
    ]);
  });

  it('refuses an effect value of the wrong kind once the references are right', () => {
    const problems = approvalProblems((expense) => {
      expense.approvalFlows[0].onApproved.set = { approved: 'yes' };
    });
    expect(problems).toEqual([
      expect.objectContaining({ file: 'expense.json', pointer: `${FLOW}/onApproved/set/approved`, rule: 'approval.effect_type' }),
    ]);
  });

  it('refuses an escalation given by half, duplicate names, and a duration that is not ISO-8601', () => {
    const problems = approvalProblems((expense) => {
      expense.approvalFlows[0].steps[0].escalateAfter = 'PT4H';
      expense.approvalFlows[1].name = 'standard';
    });
    expect(problems).toEqual([
      expect.objectContaining({ pointer: `${FLOW}/steps/0/escalateTo`, rule: 'approval.escalation_incomplete' }),
      expect.objectContaining({ pointer: '/approvalFlows/1/name', rule: 'approval.duplicate_name' }),
    ]);
    const duration = approvalProblems((expense) => {
      expense.approvalFlows[2].steps[0].escalateAfter = '2 days';
    });
    expect(duration).toEqual([expect.objectContaining({ pointer: '/approvalFlows/2/steps/0/escalateAfter', rule: 'schema.pattern' })]);
  });

  it('reads ISO-8601 durations of days, hours, minutes and seconds', () => {
    expect(durationMs('PT1S')).toBe(1000);
    expect(durationMs('PT30M')).toBe(1_800_000);
    expect(durationMs('P1DT12H')).toBe(129_600_000);
    expect(durationMs('P')).toBeUndefined();
    expect(durationMs('PT')).toBeUndefined();
    expect(durationMs('1D')).toBeUndefined();
  });
});
