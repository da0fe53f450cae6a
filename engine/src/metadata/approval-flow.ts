// Approval flows as a pack declares them on an entity (metadata/schema/approval-flow.schema.json) and as the Model
// keeps them: the file shape is the Model shape. check-approval-flows.ts checks what the meta-schema cannot; the
// runtime (workflow/approval-*.ts) reads the compiled form of workflow/compile-approval-flows.ts.
import type { Label } from './label.js';

/** Who approves: members of a role (by code: roles are data), the user in a record field, or the owner's managers. */
export type ApproverSpec = { readonly role: string } | { readonly field: string } | { readonly managers: number };

export type ApprovalMode = 'any' | 'all';

export interface ApprovalStepDef {
  readonly id: string;
  readonly name: string;
  readonly label?: Label;
  /** JSON Logic over the stored record: the step is included only while it holds. */
  readonly when?: unknown;
  /** `any` when absent. */
  readonly mode?: ApprovalMode;
  readonly approvers: readonly ApproverSpec[];
  /** ISO-8601 duration (see durationMs). */
  readonly escalateAfter?: string;
  readonly escalateTo?: readonly ApproverSpec[];
}

export interface ApprovalEffects {
  /** Constant values. */
  readonly set?: Readonly<Record<string, unknown>>;
  /** A transition (by name) of one of the entity's state machines. */
  readonly transition?: string;
}

export interface ApprovalFlowDef {
  readonly id: string;
  readonly name: string;
  readonly label: Label;
  readonly description?: Label;
  /** Entry criteria: JSON Logic over the stored record. */
  readonly entry?: unknown;
  /** The transition the flow guards: taken only on its final approval. */
  readonly transition?: string;
  readonly steps: readonly ApprovalStepDef[];
  readonly onApproved?: ApprovalEffects;
  readonly onRejected?: ApprovalEffects;
}

const DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** Milliseconds of an ISO-8601 duration of days, hours, minutes and seconds (the schema's pattern); undefined otherwise. */
export function durationMs(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return undefined;
  const [d, h, min, s] = [m[1], m[2], m[3], m[4]].map((x) => Number(x ?? 0)) as [number, number, number, number];
  return (((d * 24 + h) * 60 + min) * 60 + s) * 1000;
}
