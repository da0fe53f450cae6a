// The `approval:escalate` job's work: a step's still-open tasks pass to its escalateTo approvers, recorded in the
// history. Does nothing when the instance has left the step (decided, withdrawn) or the job already ran: it is
// idempotent by its key (instance + step), whether the queue redelivers it or an admin retries it. Called through
// ApprovalService.escalate by approval-jobs.ts.
import type { RecordWriter } from '../data/record-writer.js';
import type { Actor } from '../security/actor.js';
import { describeApprover, resolveApprovers } from './approval-approvers.js';
import type { ApprovalModel } from './approval-model.js';
import { endTasks, insertTasks, lockInstance, openTasks, recordHistory } from './approval-store.js';
import { approversAssigned } from './approvers-assigned.js';
import { approvalError } from './errors.js';

const JOB_ACTOR: Actor = { id: null, username: 'tessera jobs', orgUnitId: null, isSystem: true };

export interface EscalationDeps {
  readonly writer: RecordWriter;
  readonly current: () => ApprovalModel;
}

export async function escalateStep(deps: EscalationDeps, instanceId: string, stepIndex: number): Promise<boolean> {
  return deps.writer.transaction(async ({ tx }) => {
    const instance = await lockInstance(tx, instanceId);
    if (!instance || instance.status !== 'pending' || instance.step_index !== stepIndex) return false;
    const model = deps.current();
    const rt = model.runtime.entity(instance.entity);
    const flow = model.flows.byEntity.get(instance.entity)?.find((f) => f.def.id === instance.flow_id);
    const step = flow?.steps[stepIndex];
    if (!flow || !step?.def.escalateTo) return false;
    const open = await openTasks(tx, instance, null);
    // Run again after it escalated, the step's tasks are the escalation's own: nothing more to do.
    if (open.length === 0) return false;
    const approvers = await resolveApprovers(tx, model.core, rt.entity, instance.record_id, step.def.escalateTo);
    if (approvers.users.length === 0) {
      // Fails the job, so it shows as dead with this error for an administrator (nothing is silently dropped).
      const nobody = approvers.empty.map(describeApprover).join(', nor ');
      throw approvalError('approval.no_approvers', `nobody to escalate step '${step.def.name}' to: nobody is ${nobody}`);
    }
    endTasks(
      tx,
      open.map((t) => t.id),
      'escalated',
    );
    insertTasks(tx, instance.id, stepIndex, step.def.name, approvers.users);
    recordHistory(tx, {
      instanceId,
      step: step.def.name,
      action: 'escalate',
      actorId: JOB_ACTOR.id,
      actorName: JOB_ACTOR.username,
      detail: { from: open.map((t) => t.assignee), to: approvers.users },
    });
    await approversAssigned(tx, {
      entity: rt.entity,
      recordId: instance.record_id,
      instanceId,
      flow: flow.def,
      step: step.def,
      userIds: approvers.users,
      reason: 'escalation',
      delivery: model.delivery,
    });
    return true;
  });
}
