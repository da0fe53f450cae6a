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
import { applyTransitions, enforceInitialState } from './transition-steps.js';

export type WritePipelines = Readonly<Record<WriteOp, readonly WriteStep[]>> & {
  /** A patch with no fields: checked like an update, then answered with the stored record (no version, no audit). */
  readonly emptyUpdate: readonly WriteStep[];
};

export const DEFAULT_PIPELINES: WritePipelines = {
  create: [guardSecurityRecords, authorise, applyDefaults, assignOwnership, runBeforeHooks, enforceInitialState, validate, checkReferences, assignByRules, assignNumbers, persist, recomputeDerived, checkRecordRules, checkScopeAfterWrite, audit, queueAfterHooks],
  update: [guardSecurityRecords, authorise, loadCurrent, keepNumbers, runBeforeHooks, applyTransitions, validate, refuseReadOnlyWhen, refuseTreeCycles, checkReferences, persist, recordOwnerChange, recomputeDerived, checkRecordRules, checkScopeAfterWrite, audit, queueAfterHooks],
  emptyUpdate: [guardSecurityRecords, authorise, loadCurrent, keepCurrent],
  delete: [guardSecurityRecords, authorise, loadCurrent, runBeforeHooks, persist, applyDeleteRules, recomputeDerived, audit, queueAfterHooks],
};
