// The state-machine-demo fixture with its quote entity changed, written to a temporary pack, and the metadata
// problems it has: those loadModel finds (the field alone) and those of its compiled rules (guards, effects).
import { recordRuleProblems } from '../../engine/src/record-rules/compile-record-rules.js';
import { BUILTIN_RULES } from './builtin-rules.js';
import { fixtureProblems, type Found, type Json } from './fixture-problems.js';

export function stateMachineProblems(change: (quote: Json, status: Json) => void): Found[] {
  return fixtureProblems(
    'state-machine-demo',
    (entity) => {
      const quote = entity('quote');
      change(
        quote,
        quote.fields.find((f: Json) => f.name === 'status'),
      );
    },
    (model) => recordRuleProblems(model, BUILTIN_RULES),
  );
}

/** Where the status field sits in quote.json. */
export const STATUS_AT = '/fields/2';
