// Running one plugin action on one record, in one transaction: the record locked within the scope of the grant that
// gives the action, the action's writes through the pipeline as the caller, a state it changed checked as a
// transition, what it wrote with SQL held to the entity's rules, and the run audited with its input. The action
// routes run it for a person; scheduled actions (jobs/scheduled-actions.ts) run it for the system.
import { deferPendingApprovalCheck } from './approval-lock.js';
import { changedFields } from './changed-fields.js';
import type { ModelRuntime } from './entity-runtime.js';
import { lockForAction } from './lock-for-action.js';
import { lockRecord } from './lock-record.js';
import { pluginDb } from './plugin-db.js';
import { pluginRecords, type Caller } from './plugin-records.js';
import type { RecordWriter } from './record-writer.js';
import { applyDerived, deferRecordChecks } from './record-rule-steps.js';
import { checkActionTransitions } from './transition-steps.js';
import type { Model } from '../metadata/model.js';
import type { ActionDef } from '../plugins/plugin-api.js';
import { UNRESTRICTED_SCOPE } from '../query/record-scope.js';
import { deferAudit } from '../security/audit-log.js';
import type { Logger } from '../shared/logger.js';

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
  const { def, id, input, caller } = call;
  const entity = deps.runtime().entity(def.entity);
  return deps.writer.transaction(async (scope) => {
    const { tx } = scope;
    const { before, seen: record } = await lockForAction(tx, deps.runtime(), entity, id, caller.access, def.name);
    // Guards are judged on the record as it was, so they are read before the action writes.
    const settleTransitions = await checkActionTransitions(tx, entity, id, before, caller.access);
    const out = await def.run({
      id,
      record,
      input,
      db: pluginDb(tx),
      records: pluginRecords(deps.writer, scope, caller),
      model: deps.model(),
      actor: caller.actor,
      log: caller.log,
    });
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
    return out;
  });
}
