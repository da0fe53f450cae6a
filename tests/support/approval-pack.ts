// The approval-demo fixture with its entities changed, written to a temporary pack, and the metadata problems it
// has: those loadModel finds (the meta-schema, check-approval-flows.ts) and those of its compiled flows (conditions,
// effect values).
import { compileApprovalFlows } from '../../engine/src/workflow/compile-approval-flows.js';
import { BUILTIN_RULES } from './builtin-rules.js';
import { fixtureProblems, type Found, type Json } from './fixture-problems.js';

export function approvalProblems(change: (expense: Json, contract: Json) => void): Found[] {
  return fixtureProblems(
    'approval-demo',
    (entity) => change(entity('expense'), entity('contract')),
    (model) => compileApprovalFlows(model, BUILTIN_RULES).problems,
  );
}
