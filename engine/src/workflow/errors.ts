// Error codes of approval flows. A record not waiting for anyone is 409, an action by someone it is not waiting
// for is 403, input or data that makes the action impossible (no approvers, criteria not met, an unknown user)
// is 422. Every refusal leaves everything as it was: actions run in one transaction.
import { EngineError, type FieldError } from '../shared/engine-error.js';

export type ApprovalErrorCode =
  | 'approval.not_pending'
  | 'approval.pending'
  | 'approval.not_your_turn'
  | 'approval.not_submitter'
  | 'approval.unknown_flow'
  | 'approval.flow_ambiguous'
  | 'approval.entry_not_met'
  | 'approval.no_approvers'
  | 'approval.comment_required'
  | 'approval.invalid_user'
  | 'approval.already_assigned'
  | 'approval.no_task'
  | 'approval.invalid_delegation'
  | 'approval.delegation_not_found';

const STATUS: Record<ApprovalErrorCode, number> = {
  'approval.not_pending': 409,
  'approval.pending': 409,
  'approval.not_your_turn': 403,
  'approval.not_submitter': 403,
  'approval.unknown_flow': 422,
  'approval.flow_ambiguous': 422,
  'approval.entry_not_met': 422,
  'approval.no_approvers': 422,
  'approval.comment_required': 422,
  'approval.invalid_user': 422,
  'approval.already_assigned': 422,
  'approval.no_task': 422,
  'approval.invalid_delegation': 422,
  'approval.delegation_not_found': 404,
};

export function approvalError(
  code: ApprovalErrorCode,
  detail: string,
  options: { pointer?: string; extra?: Record<string, unknown> } = {},
): EngineError {
  const fieldErrors: FieldError[] = options.pointer === undefined ? [] : [{ pointer: options.pointer, code, message: detail }];
  return new EngineError(code, STATUS[code], detail, { fieldErrors, ...(options.extra ? { extra: options.extra } : {}) });
}
