// The one place where "these users were just made approvers of a step" happens: entering a step, an escalation,
// an ad hoc delegation and an admin's reassignment all call it, inside the transaction that assigned them.
// Notifications to approvers hook in here (TODO(#20): call the notification service once it is merged).
import type { Transaction } from '../db/transaction.js';

export interface ApproversAssignment {
  readonly entity: string;
  readonly recordId: string;
  readonly instanceId: string;
  readonly flow: string;
  readonly step: string;
  readonly userIds: readonly string[];
  readonly reason: 'step' | 'escalation' | 'delegation' | 'reassignment';
}

export async function approversAssigned(_tx: Transaction, _assignment: ApproversAssignment): Promise<void> {
  // Nothing yet: see the header.
}
