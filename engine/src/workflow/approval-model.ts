// What approval flows read of the Model being served, handed to the service and the escalation handler by engine.ts.
import type { ModelRuntime } from '../data/entity-runtime.js';
import type { CoreSchema } from '../security/core-schema.js';
import type { ApprovalFlows } from './compile-approval-flows.js';
import type { DeliveryPlan } from './notify-users.js';

/** The Model being served now, as approval flows need it. */
export interface ApprovalModel {
  readonly runtime: ModelRuntime;
  readonly flows: ApprovalFlows;
  readonly core: CoreSchema;
  /** Where approvers' notifications go besides their inbox. */
  readonly delivery: DeliveryPlan;
}
