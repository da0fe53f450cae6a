// Running one plugin action on one record, in one transaction: the record locked within the scope of the grant that
// gives the action, the action's writes through the pipeline as the caller, a state it changed checked as a
// transition, what it wrote with SQL held to the entity's rules, and the run audited with its input. The action
// routes run it for a person; scheduled actions (jobs/scheduled-actions.ts) run it for the system, many records in
// one transaction when the action allows it (runActionBatch).
import { deferPendingApprovalCheck } from './approval-lock.js';
import { changedFields } from './changed-fields.js';
import type { ModelRuntime } from './entity-runtime.js';
import { lockForAction } from './lock-for-action.js';
import { lockRecord } from './lock-record.js';
import { pluginDb } from './plugin-db.js';
import { pluginRecords, type Caller } from './plugin-records.js';
import type { RecordWriter, WriteScope } from './record-writer.js';
import { applyDerived, deferRecordChecks } from './record-rule-steps.js';
import { checkActionTransitions } from './transition-steps.js';
import type { Model } from '../metadata/model.js';
import type { ActionDef } from '../plugins/plugin-api.js';
import { UNRESTRICTED_SCOPE } from '../query/record-scope.js';
import { deferAudit } from '../security/audit-log.js';
import type { Logger } from '../shared/logger.js';
import type { ApiRecord } from './record-codec.js';

export interface RunActionDeps {
  readonly writer: RecordWriter;
  model(): Model;
  runtime(): ModelRuntime;
}

export interface ActionCall {
  readonly def: ActionDef;
  readonly id: string;
  /** Already checked against the action's input schema. */
  readonly input: Record<string, unknown>;
  readonly caller: Caller & { readonly log: Logger };
}

export async function runAction(deps: RunActionDeps, call: ActionCall): Promise<unknown> {
  return deps.writer.transaction(async (scope) => {
    const started = await beginAction(deps, scope, call);
    const out = await call.def.run({ ...pluginContext(deps, scope, call), id: call.id, record: started.record, input: call.input });
    await finishAction(deps, scope, call, started);
    return out;
  });
}

/**
 * The action on many records of its entity inside `scope`'s transaction, for one caller and input: each record
 * locked and checked as runAction does (in the calls' order), then the action's `runBatch` on all of them (or `run`
 * on each in turn), then each record's changes judged and audited. Returns each record's output by id.
 */
export async function runActionBatch(deps: RunActionDeps, scope: WriteScope, calls: readonly ActionCall[]): Promise<Map<string, unknown>> {
  const first = calls[0];
  if (!first) return new Map();
  // Started together, the locks go out in the calls' order without waiting for each other's answers.
  const started = await Promise.all(calls.map((call) => beginAction(deps, scope, call)));
  const { def } = first;
  const outputs = new Map<string, unknown>();
  if (def.runBatch) {
    const targets = calls.map((call, i) => ({ id: call.id, record: started[i]?.record ?? {} }));
    for (const [id, out] of await def.runBatch({ ...pluginContext(deps, scope, first), targets, input: first.input })) outputs.set(id, out);
  } else {
    for (const [i, call] of calls.entries()) {
      outputs.set(call.id, await def.run({ ...pluginContext(deps, scope, call), id: call.id, record: started[i]?.record ?? {}, input: call.input }));
    }
  }
  for (const [i, call] of calls.entries()) {
    const begun = started[i];
    if (begun) await finishAction(deps, scope, call, begun);
  }
  return outputs;
}

interface StartedAction {
  /** The stored record before the action. */
  readonly before: ApiRecord;
  /** The record as the caller reads it. */
  readonly record: ApiRecord;
  readonly settleTransitions: (after: ApiRecord) => Promise<ApiRecord>;
}

function pluginContext(deps: RunActionDeps, scope: WriteScope, call: ActionCall) {
  return {
    db: pluginDb(scope.tx),
    records: pluginRecords(deps.writer, scope, call.caller),
    model: deps.model(),
    actor: call.caller.actor,
    log: call.caller.log,
  };
}

async function beginAction(deps: RunActionDeps, scope: WriteScope, call: ActionCall): Promise<StartedAction> {
  const entity = deps.runtime().entity(call.def.entity);
  const { before, seen: record } = await lockForAction(scope.tx, deps.runtime(), entity, call.id, call.caller.access, call.def.name);
  // Guards are judged on the record as it was, so they are read before the action writes.
  const settleTransitions = await checkActionTransitions(scope.tx, entity, call.id, before, call.caller.access);
  return { before, record, settleTransitions };
}

async function finishAction(deps: RunActionDeps, scope: WriteScope, call: ActionCall, started: StartedAction): Promise<void> {
  const { def, id, input, caller } = call;
  const { tx } = scope;
  const { before, settleTransitions } = started;
  const entity = deps.runtime().entity(def.entity);
  const written = await lockRecord(tx, entity, id, UNRESTRICTED_SCOPE);
  // A state the action changed must be an allowed transition for the caller; its effects are written too.
  const after = written && { ...written, ...(await settleTransitions(written)) };
  const changed = changedFields(before, after, 'update');
  // Derived values that moved because the action wrote other records through the pipeline were kept current
  // (and their record's rules checked) by those writes; what the action wrote itself is judged here.
  const ownChanges = Object.keys(changed).filter((name) => !entity.rules.derived.has(name));
  // A record waiting for approval changes only through its flow.
  if (ownChanges.length > 0) deferPendingApprovalCheck(tx, entity.entity, id);
  if (after && ownChanges.length > 0) {
    // What the action wrote with SQL meets the entity's rules like any other write: derived values follow,
    // validation rules and required-when must hold.
    const changes = Object.fromEntries(ownChanges.map((name) => [name, after[name]]));
    const write = { tx, runtime: deps.runtime(), rt: entity, op: 'update' as const, id, changes, before, after, pointerPrefix: '' };
    await applyDerived(write);
    deferRecordChecks(write);
  }
  deferAudit(tx, {
    entity: def.entity,
    recordId: id,
    action: `action:${def.name}`,
    actorId: caller.actor.id,
    actorName: caller.actor.username,
    requestId: caller.requestId,
    changes: { ...changed, input: { after: input } },
  });
}
