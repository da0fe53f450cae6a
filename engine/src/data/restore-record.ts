// Restoring a soft-deleted record (the recycle bin): whoever may delete a record may bring it back, within the
// same scope. It must still fit: its references must name live records, a unique value must not have been
// taken meanwhile (409), and its rules must hold. Its derived values, and every rollup and formula reading it,
// are brought up to date as for a create. Called by RecordWriter.restore.
import { EngineError } from '../shared/engine-error.js';
import { q } from '../sql/q.js';
import { SqlParams } from '../sql/sql-params.js';
import { deferAudit } from '../security/audit-log.js';
import { translatePgError } from './pg-errors.js';
import { requireAction } from './require-action.js';
import { applyDerived, deferRecordChecks, ruledWrite } from './record-rule-steps.js';
import type { ApiRecord } from './record-codec.js';
import type { WriteStep } from './write-context.js';
import { checkReferences } from './write-steps.js';

/** The deleted record, locked, if the caller's delete scope reaches it; otherwise a 404 (or 409 for a live one). */
const loadDeleted: WriteStep = async (ctx) => {
  const { entity } = ctx.rt;
  requireAction(ctx.access, entity.name, 'delete');
  const params = new SqlParams();
  const id = params.add(ctx.id, 'uuid');
  const scope = ctx.access.scopeFor('delete')(entity, 't', params);
  const res = await ctx.tx.query(
    `SELECT ${ctx.rt.codec.selectList('t').sql}, t.deleted_at IS NOT NULL AS is_deleted FROM ${q(entity.table)} t
      WHERE t.id = ${id}${scope ? ` AND (${scope})` : ''} FOR UPDATE`,
    params.values,
  );
  const row = res.rows[0] as (ApiRecord & { is_deleted: boolean }) | undefined;
  if (!row) throw new EngineError('record.not_found', 404, `${entity.name} ${ctx.id} does not exist`);
  if (!row.is_deleted) throw new EngineError('record.not_deleted', 409, `${entity.name} ${ctx.id} is not deleted`);
  const { is_deleted: _deleted, ...record } = row;
  if (ctx.expectedVersion !== undefined && ctx.expectedVersion !== record.version) {
    throw new EngineError('record.version_conflict', 409, `${entity.name} ${ctx.id} is at version ${String(record.version)}, not ${ctx.expectedVersion}`, {
      extra: { currentVersion: record.version },
    });
  }
  ctx.before = record;
  // Every stored value comes back: references are checked and everything reading the record follows.
  ctx.changes = Object.fromEntries(ctx.rt.entity.fields.filter((f) => f.columns.length > 0 && f.name in record).map((f) => [f.name, record[f.name]]));
};

const undelete: WriteStep = async (ctx) => {
  const { entity } = ctx.rt;
  try {
    const res = await ctx.tx.query(
      ctx.tx.statement(
        `UPDATE ${q(entity.table)} t SET deleted_at = NULL, version = version + 1, updated_at = now() WHERE t.id = $1 RETURNING ${ctx.rt.codec.selectList('t').sql}`,
        [ctx.id],
      ),
    );
    ctx.after = res.rows[0] as ApiRecord;
  } catch (err) {
    // A unique value taken by a live record meanwhile: 409 naming the field, nothing restored.
    throw translatePgError(err, entity, ctx.pointerPrefix);
  }
};

const followRules: WriteStep = async (ctx) => {
  const write = ruledWrite(ctx);
  const after = await applyDerived(write);
  if (after) ctx.after = after;
  deferRecordChecks({ ...write, after: ctx.after });
};

const auditRestore: WriteStep = async (ctx) => {
  deferAudit(ctx.tx, {
    entity: ctx.rt.entity.name,
    recordId: ctx.id,
    action: 'restore',
    actorId: ctx.actor.id,
    actorName: ctx.actor.username,
    requestId: ctx.requestId,
    changes: { deleted: { before: true, after: false }, version: { before: ctx.before?.version, after: ctx.after?.version } },
  });
};

export const RESTORE_STEPS: readonly WriteStep[] = [loadDeleted, checkReferences, undelete, followRules, auditRestore];
