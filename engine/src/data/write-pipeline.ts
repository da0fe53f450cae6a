// The ordered steps for each kind of write; a new concern (e.g. the jobs outbox) is a new step here.
import type { WriteOp, WriteStep } from './write-context.js';
import {
  applyDefaults, assignOwnership, audit, authorise, checkReferences, checkScopeAfterWrite, guardSecurityRecords,
  keepCurrent, loadCurrent, persist, queueAfterHooks, refuseTreeCycles, runBeforeHooks, validate,
} from './write-steps.js';
import { applyDeleteRules } from './delete-rules.js';
import { checkRecordRules, recomputeDerived, refuseReadOnlyWhen } from './record-rule-steps.js';
import { assignNumbers, keepNumbers } from './numbering-steps.js';
import { assignByRules, recordOwnerChange } from './assign-owner.js';
import { indexForSearch } from './search-index-steps.js';
import { answerStoredAfterActions, applyFlowTransitions, applyTransitions, enforceInitialState, runTransitionActions, startFlows } from './transition-steps.js';
import { refusePendingApproval } from './approval-lock.js';
import { refuseUnvouchedFiles } from './file-ref-steps.js';

export type WritePipelines = Readonly<Record<WriteOp, readonly WriteStep[]>> & {
  /** A patch with no fields: checked like an update, then answered with the stored record (no version, no audit). */
  readonly emptyUpdate: readonly WriteStep[];
  /**
   * An approval flow's effects, in its decision's transaction: the record is locked for everyone but the flow, the
   * approver acts for the metadata (no `authorise`), and the flow may take the transition it guards. Validation and
   * rules run as on any update.
   */
  readonly flowUpdate: readonly WriteStep[];
};

export const DEFAULT_PIPELINES: WritePipelines = {
  create: [guardSecurityRecords, authorise, refuseUnvouchedFiles, applyDefaults, assignOwnership, runBeforeHooks, enforceInitialState, validate, checkReferences, assignByRules, assignNumbers, persist, recomputeDerived, checkRecordRules, checkScopeAfterWrite, audit, indexForSearch, queueAfterHooks],
  update: [guardSecurityRecords, authorise, loadCurrent, refuseUnvouchedFiles, refusePendingApproval, keepNumbers, runBeforeHooks, applyTransitions, validate, refuseReadOnlyWhen, refuseTreeCycles, checkReferences, persist, recordOwnerChange, recomputeDerived, checkRecordRules, startFlows, runTransitionActions, checkScopeAfterWrite, audit, indexForSearch, queueAfterHooks, answerStoredAfterActions],
  emptyUpdate: [guardSecurityRecords, authorise, loadCurrent, keepCurrent],
  delete: [guardSecurityRecords, authorise, loadCurrent, refusePendingApproval, runBeforeHooks, persist, applyDeleteRules, recomputeDerived, audit, indexForSearch, queueAfterHooks],
  flowUpdate: [guardSecurityRecords, loadCurrent, keepNumbers, runBeforeHooks, applyFlowTransitions, validate, refuseReadOnlyWhen, refuseTreeCycles, checkReferences, persist, recordOwnerChange, recomputeDerived, checkRecordRules, runTransitionActions, audit, indexForSearch, queueAfterHooks, answerStoredAfterActions],
};
