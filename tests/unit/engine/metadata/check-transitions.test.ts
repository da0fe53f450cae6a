// A state machine's states, names and role codes are checked with the field (#20): each broken one is a metadata
// problem naming the file, the JSON pointer and the rule, found before anything is published.
import { describe, expect, it } from 'vitest';
import { STATUS_AT, stateMachineProblems } from '../../../support/state-machine-pack.js';

const ALLOWED = `${STATUS_AT}/transitions/allowed`;

describe('state machine checks on the field', () => {
  it('the fixture has none', () => {
    expect(stateMachineProblems(() => undefined)).toEqual([]);
  });

  it('refuses a transition to or from an unknown state, and an unknown initial state', () => {
    const problems = stateMachineProblems((_, status) => {
      status.transitions.allowed[1].to = 'signed';
      status.transitions.allowed[2].from = ['in_approval', 'void'];
      status.transitions.initial = ['draft', 'new'];
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'quote.json', pointer: `${ALLOWED}/1/to`, rule: 'transition.unknown_state' }),
        expect.objectContaining({ file: 'quote.json', pointer: `${ALLOWED}/2/from/1`, rule: 'transition.unknown_state' }),
        expect.objectContaining({ file: 'quote.json', pointer: `${STATUS_AT}/transitions/initial/1`, rule: 'transition.unknown_state' }),
      ]),
    );
    expect(problems).toHaveLength(3);
    expect(problems[0]?.message).toContain('draft, in_approval, approved, rejected');
  });

  it('refuses a role code that is not of the form role codes have', () => {
    const problems = stateMachineProblems((_, status) => {
      status.transitions.allowed[1].roles = ['Approver Team'];
    });
    expect(problems).toEqual([expect.objectContaining({ file: 'quote.json', pointer: `${ALLOWED}/1/roles/0` })]);
    expect(problems[0]?.rule).toMatch(/pattern/);
  });

  it('refuses duplicate names, a transition to its own source, and a default that cannot start a record', () => {
    const problems = stateMachineProblems((_, status) => {
      status.transitions.allowed[2].name = 'approve';
      status.transitions.allowed[3].from = ['in_approval', 'draft'];
      status.transitions.initial = ['in_approval'];
    });
    expect(problems.map((p) => [p.pointer, p.rule])).toEqual(
      expect.arrayContaining([
        [`${ALLOWED}/2/name`, 'transition.duplicate_name'],
        [`${ALLOWED}/3/from/1`, 'transition.no_change'],
        [`${STATUS_AT}/transitions/initial`, 'transition.default_not_initial'],
      ]),
    );
  });

  it('refuses transitions on a field that is not an enum', () => {
    const problems = stateMachineProblems((quote, status) => {
      const title = quote.fields[0];
      title.transitions = status.transitions;
    });
    expect(problems).toEqual([expect.objectContaining({ pointer: '/fields/0/transitions', rule: 'field.option_not_allowed' })]);
  });
});
