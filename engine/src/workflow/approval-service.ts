// Approval flows at run time: submit, approve, reject, withdraw, delegate, reassign and escalate. Each action is one
// transaction that locks the record's pending instance, so concurrent decisions queue and nothing is half done; a
// final decision runs the flow's effects through the write pipeline (`flowUpdate`) in the same transaction, so an
// effect that would save invalid data fails the decision and changes nothing. Called by api/approval.routes.ts, by
// the write pipeline for transitions that start a flow (FlowStarter), and by the escalation job.
import { v7 as uuidv7 } from 'uuid';
import type { EntityRuntime } from '../data/entity-runtime.js';
import type { RecordWriter, WriteScope } from '../data/record-writer.js';
import type { FlowStarter, WriteContext } from '../data/write-context.js';
import { lockRecord } from '../data/lock-record.js';
import { requireAction } from '../data/require-action.js';
import { deferOutboxJob } from '../db/outbox.js';
import type { Access } from '../security/access.js';
import type { Actor } from '../security/actor.js';
import { UNRESTRICTED_SCOPE } from '../query/record-scope.js';
import { EngineError } from '../shared/engine-error.js';
import { q } from '../sql/q.js';
import type { Transaction } from '../db/transaction.js';
import { approversSql, describeApprover, readApprovers } from './approval-approvers.js';
import { SqlParams } from '../sql/sql-params.js';
import {
  decideTask,
  endTasks,
  finishInstance,
  insertInstance,
  insertTasks,
  judge,
  lockPending,
  lockPendingWithTasks,
  moveTask,
  readRow,
  recordHistory,
  setStep,
  type InstanceRow,
  type OpenTask,
} from './approval-store.js';
import { approversAssigned } from './approvers-assigned.js';
import type { CompiledFlow } from './compile-approval-flows.js';
import type { ApprovalModel } from './approval-model.js';
import { approvalError } from './errors.js';
import { escalateStep } from './approval-escalation.js';

export const ESCALATE_JOB = 'approval:escalate';

export interface Caller {
  readonly actor: Actor;
  readonly access: Access;
  readonly requestId: string;
}

/** Where a record's approval stands after an action. */
export interface ApprovalOutcome {
  readonly instanceId: string;
  readonly flow: string;
  readonly status: InstanceRow['status'];
  readonly step: string | null;
}

/**
 * A flow's effects are the metadata's, not the approver's: they are written whatever the approver's own grants
 * (who may not update the record at all), with validation and rules as on any write. Audit names the approver.
 */
const FLOW_ACCESS: Access = {
  readScope: UNRESTRICTED_SCOPE,
  scopeFor: () => UNRESTRICTED_SCOPE,
  can: () => true,
  field: () => 'write',
  isAdmin: true,
  roleCodes: new Set(),
};

interface Pending {
  readonly rt: EntityRuntime;
  readonly flow: CompiledFlow;
  readonly instance: InstanceRow;
  /** The open tasks of the current step (read with the lock), with how the caller stands to each. */
  readonly tasks: readonly OpenTask[];
}

export class ApprovalService implements FlowStarter {
  constructor(
    private readonly writer: RecordWriter,
    private readonly current: () => ApprovalModel,
  ) {}

  private flowsOf(entity: string): readonly CompiledFlow[] {
    return this.current().flows.byEntity.get(entity) ?? [];
  }

  /** Submits a record the caller may update; `flowName` picks the flow when several apply. */
  async submit(caller: Caller, entity: string, id: string, flowName?: string): Promise<ApprovalOutcome> {
    const rt = this.current().runtime.entity(entity);
    requireAction(caller.access, entity, 'update');
    return this.writer.transaction(async (scope) => {
      if (!(await lockRecord(scope.tx, rt, id, caller.access.scopeFor('update')))) {
        throw new EngineError('record.not_found', 404, `${entity} ${id} does not exist`);
      }
      return this.submitIn(scope, caller, rt, id, flowName);
    });
  }

  /** A transition that starts a flow: the write has locked and written the record in `ctx.tx`. */
  async start(ctx: WriteContext, flow: string): Promise<void> {
    const scope: WriteScope = { tx: ctx.tx, services: ctx.services, afterCommit: ctx.afterCommit };
    await this.submitIn(scope, { actor: ctx.actor, access: ctx.access, requestId: ctx.requestId }, ctx.rt, ctx.id, flow);
  }

  private async submitIn(scope: WriteScope, caller: Caller, rt: EntityRuntime, id: string, flowName?: string): Promise<ApprovalOutcome> {
    const { tx } = scope;
    const entity = rt.entity.name;
    const flows = this.flowsOf(entity);
    const named = flowName === undefined ? flows : flows.filter((f) => f.def.name === flowName);
    if (named.length === 0) {
      throw approvalError(
        'approval.unknown_flow',
        `${entity} has no approval flow '${flowName ?? ''}' (its flows: ${flows.map((f) => f.def.name).join(', ') || 'none'})`,
        { pointer: '/flow' },
      );
    }
    if (await lockPending(tx, entity, id)) throw approvalError('approval.pending', `this ${entity} is already waiting for approval`);
    const entries = await judge(
      tx,
      rt,
      id,
      named.map((f) => f.entry ?? 'TRUE'),
    );
    const open = named.filter((_, i) => entries[i] === true);
    if (open.length === 0) {
      const which = named.length === 1 ? `the entry criteria of '${named[0]?.def.name}'` : 'the entry criteria of any of its flows';
      throw approvalError('approval.entry_not_met', `this ${entity} does not meet ${which}`, {
        extra: { flows: named.map((f) => f.def.name) },
      });
    }
    const [flow, ...others] = open;
    if (!flow || others.length > 0) {
      throw approvalError(
        'approval.flow_ambiguous',
        `several approval flows apply to this ${entity}: name one (${open.map((f) => f.def.name).join(', ')})`,
        {
          pointer: '/flow',
          extra: { flows: open.map((f) => f.def.name) },
        },
      );
    }
    const instance: InstanceRow = {
      id: uuidv7(),
      entity,
      record_id: id,
      flow_id: flow.def.id,
      flow_name: flow.def.name,
      status: 'pending',
      step_index: null,
      step_name: null,
      submitted_by: caller.actor.id,
    };
    try {
      await insertInstance(tx, instance);
    } catch (err) {
      // Two submits at once: the unique index on pending instances lets one through.
      if ((err as { code?: unknown }).code === '23505')
        throw approvalError('approval.pending', `this ${entity} is already waiting for approval`);
      throw err;
    }
    recordHistory(tx, {
      instanceId: instance.id,
      action: 'submit',
      actorId: caller.actor.id,
      actorName: caller.actor.username,
      detail: { flow: flow.def.name },
    });
    return this.advance(scope, caller, { rt, flow, instance, tasks: [] }, 0);
  }

  /** Enters the first included step from `from` on, or approves the record when none is left. */
  private async advance(scope: WriteScope, caller: Caller, p: Pending, from: number): Promise<ApprovalOutcome> {
    const { tx } = scope;
    const rest = p.flow.steps.slice(from);
    // One statement judges the remaining steps' conditions and resolves the approvers of those included.
    const params = new SqlParams([p.instance.record_id]);
    const columns = rest.map((s, i) => {
      const when = s.when ?? 'TRUE';
      return `(${when}) AS c${i}, CASE WHEN (${when}) THEN ${approversSql(this.current().core, p.rt.entity, s.def.approvers, params)} END AS a${i}`;
    });
    const row = rest.length === 0 ? {} : await readRow(tx, p.rt, columns, params);
    const at = rest.findIndex((_, i) => row[`c${i}`] === true);
    const next = at < 0 ? undefined : rest[at];
    for (const skipped of rest.slice(0, at < 0 ? rest.length : at)) {
      recordHistory(tx, { instanceId: p.instance.id, step: skipped.def.name, action: 'skip', actorId: null, actorName: 'tessera' });
    }
    if (!next) return this.finish(scope, caller, p, 'approved');
    const approvers = readApprovers(row[`a${at}`], next.def.approvers);
    // Roles are data: a role without active members is a mistake to fix, even when other approvers exist.
    const missing = approvers.users.length === 0 ? approvers.empty : approvers.empty.filter((a) => 'role' in a);
    if (missing.length > 0) {
      throw approvalError(
        'approval.no_approvers',
        `step '${next.def.name}' of '${p.flow.def.name}' has no approver: nobody is ${missing.map(describeApprover).join(', nor ')}`,
        {
          extra: { flow: p.flow.def.name, step: next.def.name },
        },
      );
    }
    setStep(tx, p.instance.id, next.index, next.def.name);
    insertTasks(tx, p.instance.id, next.index, next.def.name, approvers.users);
    recordHistory(tx, {
      instanceId: p.instance.id,
      step: next.def.name,
      action: 'assign',
      actorId: null,
      actorName: 'tessera',
      detail: { approvers: approvers.users },
    });
    if (next.escalateMs !== undefined) {
      deferOutboxJob(tx, {
        name: ESCALATE_JOB,
        key: `${p.instance.id}:${next.index}`,
        data: { instanceId: p.instance.id, step: next.index },
        delayMs: next.escalateMs,
      });
    }
    await this.assigned(tx, p, next.def.name, approvers.users, 'step');
    return { instanceId: p.instance.id, flow: p.flow.def.name, status: 'pending', step: next.def.name };
  }

  private async finish(scope: WriteScope, caller: Caller, p: Pending, outcome: 'approved' | 'rejected'): Promise<ApprovalOutcome> {
    finishInstance(scope.tx, p.instance.id, outcome, outcome === 'approved' ? 'skipped' : 'cancelled');
    if (outcome === 'approved')
      recordHistory(scope.tx, { instanceId: p.instance.id, action: 'approved', actorId: null, actorName: 'tessera' });
    const patch = outcome === 'approved' ? p.flow.onApproved : p.flow.onRejected;
    if (Object.keys(patch).length > 0) {
      const req = { entity: p.rt.entity.name, actor: caller.actor, access: FLOW_ACCESS, requestId: caller.requestId };
      await this.writer.flowUpdate(scope, req, p.instance.record_id, patch);
    }
    return { instanceId: p.instance.id, flow: p.flow.def.name, status: outcome, step: null };
  }

  private async assigned(
    tx: Transaction,
    p: Pending,
    step: string,
    userIds: readonly string[],
    reason: 'step' | 'escalation' | 'delegation' | 'reassignment',
  ) {
    await approversAssigned(tx, {
      entity: p.rt.entity,
      recordId: p.instance.record_id,
      instanceId: p.instance.id,
      flow: p.flow.def,
      step: p.flow.steps.find((s) => s.def.name === step)?.def ?? { name: step },
      userIds,
      reason,
      delivery: this.current().delivery,
    });
  }

  /** The record's pending instance, locked, with its open tasks; 404 for no record, 409 when it waits for nobody. */
  private async pending(tx: Transaction, entity: string, id: string, caller: string | null): Promise<Pending> {
    const { rt, instance, tasks } = await this.pendingInstance(tx, entity, id, caller);
    const flow = this.flowsOf(entity).find((f) => f.def.id === instance.flow_id);
    // A flow removed from the metadata while records waited in it: only a withdraw ends their wait.
    if (!flow) {
      throw approvalError(
        'approval.unknown_flow',
        `the flow '${instance.flow_name}' this ${entity} waits in no longer exists: withdraw it`,
      );
    }
    return { rt, flow, instance, tasks };
  }

  private async pendingInstance(tx: Transaction, entity: string, id: string, caller: string | null) {
    const rt = this.current().runtime.entity(entity);
    const found = await lockPendingWithTasks(tx, entity, id, caller);
    if (found) return { rt, ...found };
    const live = await tx.query(`SELECT 1 FROM ${q(rt.entity.table)} WHERE id = $1 AND deleted_at IS NULL`, [id]);
    if (!live.rowCount) throw new EngineError('record.not_found', 404, `${entity} ${id} does not exist`);
    throw approvalError('approval.not_pending', `this ${entity} is not waiting for approval`);
  }

  /** The caller's own open task, else one of a user whose standing delegation names the caller today. */
  private callersTask(p: Pending): { task: OpenTask; others: OpenTask[] } {
    const tasks = p.tasks;
    const task = tasks.find((t) => t.mine) ?? tasks.find((t) => t.delegated);
    if (!task) throw approvalError('approval.not_your_turn', `this ${p.rt.entity.name} is not waiting for your decision`);
    return { task, others: tasks.filter((t) => t !== task) };
  }

  async decide(
    caller: Caller,
    entity: string,
    id: string,
    decision: 'approve' | 'reject',
    comment: string | null,
  ): Promise<ApprovalOutcome> {
    if (decision === 'reject' && !comment)
      throw approvalError('approval.comment_required', 'a rejection needs a comment saying why', { pointer: '/comment' });
    return this.writer.transaction(async (scope) => {
      const p = await this.pending(scope.tx, entity, id, caller.actor.id);
      const { task, others } = this.callersTask(p);
      decideTask(scope.tx, task.id, decision === 'approve' ? 'approved' : 'rejected', caller.actor.id, comment);
      recordHistory(scope.tx, {
        instanceId: p.instance.id,
        step: p.instance.step_name,
        action: decision,
        actorId: caller.actor.id,
        actorName: caller.actor.username,
        delegatedFrom: task.mine ? task.delegated_from : task.assignee,
        comment,
      });
      if (decision === 'reject') return this.finish(scope, caller, p, 'rejected');
      const step = p.flow.steps[task.step_index];
      if (step?.def.mode === 'all' && others.length > 0) {
        return { instanceId: p.instance.id, flow: p.flow.def.name, status: 'pending', step: p.instance.step_name };
      }
      endTasks(
        scope.tx,
        others.map((t) => t.id),
        'skipped',
      );
      return this.advance(scope, caller, p, task.step_index + 1);
    });
  }

  async withdraw(caller: Caller, entity: string, id: string, comment: string | null): Promise<ApprovalOutcome> {
    return this.writer.transaction(async (scope) => {
      // Works whether or not the flow is still in the metadata: it needs nothing of it.
      const { instance } = await this.pendingInstance(scope.tx, entity, id, caller.actor.id);
      if (instance.submitted_by === null || instance.submitted_by !== caller.actor.id) {
        throw approvalError('approval.not_submitter', 'only the user who submitted the record may withdraw it');
      }
      finishInstance(scope.tx, instance.id, 'withdrawn', 'cancelled');
      recordHistory(scope.tx, {
        instanceId: instance.id,
        step: instance.step_name,
        action: 'withdraw',
        actorId: caller.actor.id,
        actorName: caller.actor.username,
        comment,
      });
      return { instanceId: instance.id, flow: instance.flow_name, status: 'withdrawn', step: null };
    });
  }

  /** Ad hoc: the current approver hands their task to `to`. */
  async delegate(caller: Caller, entity: string, id: string, to: string, comment: string | null): Promise<ApprovalOutcome> {
    return this.writer.transaction(async (scope) => {
      const p = await this.pending(scope.tx, entity, id, caller.actor.id);
      const { task, others } = this.callersTask(p);
      await this.requireNewApprover(scope.tx, to, [task, ...others], '/to');
      moveTask(scope.tx, task.id, to, task.assignee);
      recordHistory(scope.tx, {
        instanceId: p.instance.id,
        step: p.instance.step_name,
        action: 'delegate',
        actorId: caller.actor.id,
        actorName: caller.actor.username,
        delegatedFrom: task.assignee,
        comment,
        detail: { to },
      });
      await this.assigned(scope.tx, p, p.instance.step_name ?? '', [to], 'delegation');
      return { instanceId: p.instance.id, flow: p.flow.def.name, status: 'pending', step: p.instance.step_name };
    });
  }

  /** Administrators move `from`'s open task to `to`. */
  async reassign(caller: Caller, entity: string, id: string, from: string, to: string): Promise<ApprovalOutcome> {
    if (!caller.access.isAdmin) throw new EngineError('access.admin_required', 403, 'only administrators may reassign approvals');
    return this.writer.transaction(async (scope) => {
      const p = await this.pending(scope.tx, entity, id, null);
      const tasks = p.tasks;
      const task = tasks.find((t) => t.assignee === from);
      if (!task) throw approvalError('approval.no_task', `user ${from} has no open task on this ${entity}`, { pointer: '/from' });
      await this.requireNewApprover(scope.tx, to, tasks, '/to');
      moveTask(scope.tx, task.id, to, null);
      recordHistory(scope.tx, {
        instanceId: p.instance.id,
        step: p.instance.step_name,
        action: 'reassign',
        actorId: caller.actor.id,
        actorName: caller.actor.username,
        detail: { from, to },
      });
      await this.assigned(scope.tx, p, p.instance.step_name ?? '', [to], 'reassignment');
      return { instanceId: p.instance.id, flow: p.flow.def.name, status: 'pending', step: p.instance.step_name };
    });
  }

  private async requireNewApprover(tx: Transaction, to: string, tasks: readonly OpenTask[], pointer: string): Promise<void> {
    const user = this.current().core.user;
    const res = await tx.query(`SELECT 1 FROM ${q(user.table)} WHERE id = $1 AND deleted_at IS NULL AND active`, [to]);
    if (!res.rowCount) throw approvalError('approval.invalid_user', `${to} is not an active user`, { pointer });
    if (tasks.some((t) => t.assignee === to))
      throw approvalError('approval.already_assigned', 'that user already has a task in this step', { pointer });
  }

  /** The `approval:escalate` job (approval-escalation.ts). */
  async escalate(instanceId: string, stepIndex: number): Promise<boolean> {
    return escalateStep({ writer: this.writer, current: this.current }, instanceId, stepIndex);
  }
}
