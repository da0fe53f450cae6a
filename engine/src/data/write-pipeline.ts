// The ordered steps for each kind of write; a new concern (e.g. the jobs outbox) is a new step here.
import type { WriteOp, WriteStep } from './write-context.js';
import {
  applyDefaults, assignOwnership, audit, authorise, checkReferences, checkScopeAfterWrite, guardSecurityRecords,
  loadCurrent, persist, queueAfterHooks, runBeforeHooks, validate,
} from './write-steps.js';

export type WritePipelines = Readonly<Record<WriteOp, readonly WriteStep[]>>;

export const DEFAULT_PIPELINES: WritePipelines = {
  create: [guardSecurityRecords, authorise, applyDefaults, assignOwnership, runBeforeHooks, validate, checkReferences, persist, checkScopeAfterWrite, audit, queueAfterHooks],
  update: [guardSecurityRecords, authorise, loadCurrent, runBeforeHooks, validate, checkReferences, persist, checkScopeAfterWrite, audit, queueAfterHooks],
  delete: [guardSecurityRecords, authorise, loadCurrent, runBeforeHooks, persist, audit, queueAfterHooks],
};
