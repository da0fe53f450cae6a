// While a record waits in an approval flow, only the flow changes it: updates and deletes are refused with 409
// `approval.pending`. The flow's own writes run the `flowUpdate` pipeline, which leaves this step out. The check
// runs after loadCurrent has locked the record (a submit locks it too, so one committed meanwhile is seen) and
// travels as an assertion with the write's next statement (no round trip of its own); only entities that declare
// flows pay for it. The table is the workflow's (workflow/approval-tables.ts); its name lives here because
// data/ sits below workflow/.
import { EngineError } from '../shared/engine-error.js';
import { failedAssertion, requireSql } from '../db/sql-assertions.js';
import type { Transaction } from '../db/transaction.js';
import type { EntityDef } from '../metadata/model.js';
import type { WriteStep } from './write-context.js';

export const APPROVAL_INSTANCE_TABLE = 'tessera_approval_instance';

/** Fails the transaction (with its next statement) when the record waits in an approval flow. */
export function deferPendingApprovalCheck(tx: Transaction, entity: EntityDef, id: string): void {
  if (!entity.approvalFlows?.length) return;
  const pending = `NOT EXISTS (SELECT 1 FROM ${APPROVAL_INSTANCE_TABLE} i WHERE i.entity = $1 AND i.record_id = $2::uuid AND i.status = 'pending')`;
  tx.defer(tx.statement(`SELECT ${requireSql(pending, 'approval_pending')}`, [entity.name, id]), (err) =>
    failedAssertion(err)?.code === 'approval_pending'
      ? new EngineError('approval.pending', 409, `this ${entity.name} is waiting for approval: only the approval flow may change it until it is decided or withdrawn`)
      : err,
  );
}

export const refusePendingApproval: WriteStep = async (ctx) => deferPendingApprovalCheck(ctx.tx, ctx.rt.entity, ctx.id);
