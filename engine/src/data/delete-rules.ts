// What deleting a record does to the records that reference it: each belongsTo column's onDelete (restrict,
// cascade, setNull), applied by the write pipeline to soft deletes as the foreign key applies it to hard ones.
// The records it deletes or unlinks move derived values as a write of their own would: rollups of their other
// parents (a payment's allocations deleted with it no longer count in the bills they paid) and values read through
// the cleared link.
import { EngineError } from '../shared/engine-error.js';
import { q } from '../sql/q.js';
import { SqlParams } from '../sql/sql-params.js';
import { deferAudit } from '../security/audit-log.js';
import type { DeleteRule } from './delete-rule-map.js';
import type { EntityRuntime } from './entity-runtime.js';
import type { ApiRecord } from './record-codec.js';
import type { WriteContext, WriteStep } from './write-context.js';
import { changedFields } from './changed-fields.js';
import { cascadeDerived, derivedError } from './derived-cascade.js';
import { deferDependentChecks } from './dependent-checks.js';
import { ROWS_OF_IDS } from '../record-rules/recompute-sql.js';

/**
 * After the record is soft-deleted: refuse while live records still reference it through a restrict column
 * (409 with the counts), soft-delete cascade children (and theirs, in turn), and clear setNull references.
 * Every record changed here gets its audit row and a new version, and what derives from it is recomputed; the
 * caller's scope does not limit it, as a foreign key would not.
 */
export const applyDeleteRules: WriteStep = async (ctx) => {
  await follow(ctx, ctx.rt, [ctx.id]);
};

async function follow(ctx: WriteContext, rt: EntityRuntime, ids: readonly string[]): Promise<void> {
  const rules = rt.referencedBy;
  if (rules.length === 0 || ids.length === 0) return;
  await refuseRestricted(ctx, rt, ids, rules.filter((r) => r.onDelete === 'restrict'));
  for (const rule of rules) {
    if (rule.onDelete === 'cascade') {
      const deleted = await cascade(ctx, rule, ids);
      await follow(ctx, ctx.services.runtime.entity(rule.entity), deleted);
      await cascadeFrom(ctx, rule.entity, deleted, 'all');
    } else if (rule.onDelete === 'setNull') {
      await afterSetNull(ctx, rule, await setNull(ctx, rule, ids));
    }
  }
}

/** The derived values of other records that read the rows changed here (their parents' rollups first of all). */
async function cascadeFrom(ctx: WriteContext, entity: string, ids: readonly string[], changed: 'all' | ReadonlySet<string>): Promise<void> {
  if (ids.length === 0) return;
  await cascadeDerived({ tx: ctx.tx, runtime: ctx.services.runtime, entity, ids, changed, pointerPrefix: ctx.pointerPrefix });
}

/** Rows whose link was cleared: their own values read through it, then whatever reads those. */
async function afterSetNull(ctx: WriteContext, rule: DeleteRule, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const child = ctx.services.runtime.entity(rule.entity);
  const { recompute, selfInputs, derived } = child.rules;
  const own = recompute !== undefined && selfInputs.has(rule.field);
  if (own) {
    try {
      const changed = (await ctx.tx.query<{ id: string }>(ctx.tx.statement(recompute(ROWS_OF_IDS, 't.id'), [ids]))).rows.map((r) => r.id);
      if (changed.length > 0) deferDependentChecks(ctx.tx, child, ROWS_OF_IDS, [changed], ctx.pointerPrefix);
    } catch (err) {
      throw derivedError(err);
    }
  }
  await cascadeFrom(ctx, rule.entity, ids, new Set([rule.field, ...(own ? derived : [])]));
}

async function refuseRestricted(ctx: WriteContext, rt: EntityRuntime, ids: readonly string[], rules: readonly DeleteRule[]): Promise<void> {
  if (rules.length === 0) return;
  const params = new SqlParams();
  const idList = params.add(ids, 'uuid[]');
  const counts = rules.map((r, i) => {
    const table = q(ctx.services.runtime.entity(r.entity).entity.table);
    return `(SELECT count(*) FROM ${table} c WHERE c.${q(r.column)} = ANY(${idList}) AND c.deleted_at IS NULL)::int AS n${i}`;
  });
  const row = (await ctx.tx.query<Record<string, number>>(`SELECT ${counts.join(', ')}`, params.values)).rows[0] ?? {};
  const references = rules.map((r, i) => ({ entity: r.entity, field: r.field, count: row[`n${i}`] ?? 0 })).filter((r) => r.count > 0);
  if (references.length === 0) return;
  const said = references.map((r) => `${r.count} ${r.entity} record(s) through ${r.entity}.${r.field}`).join(', ');
  throw new EngineError('record.referenced', 409, `the ${rt.entity.name} cannot be deleted while ${said} still reference it (onDelete: restrict)`, { extra: { references } });
}

async function cascade(ctx: WriteContext, rule: DeleteRule, ids: readonly string[]): Promise<string[]> {
  const child = ctx.services.runtime.entity(rule.entity);
  const res = await ctx.tx.query(
    `UPDATE ${q(child.entity.table)} SET deleted_at = now(), version = version + 1, updated_at = now()
      WHERE ${q(rule.column)} = ANY($1::uuid[]) AND deleted_at IS NULL RETURNING ${child.codec.selectList('').sql}`, [ids]);
  const rows = res.rows as ApiRecord[];
  for (const row of rows) auditChild(ctx, rule.entity, String(row.id), 'delete', changedFields(row, undefined, 'delete'));
  return rows.map((r) => String(r.id));
}

/** Clears the references; answers the rows cleared. */
async function setNull(ctx: WriteContext, rule: DeleteRule, ids: readonly string[]): Promise<string[]> {
  const table = q(ctx.services.runtime.entity(rule.entity).entity.table);
  const column = q(rule.column);
  const res = await ctx.tx.query<{ id: string; previous: string }>(
    `UPDATE ${table} t SET ${column} = NULL, version = t.version + 1, updated_at = now()
       FROM (SELECT id, ${column} AS previous FROM ${table} WHERE ${column} = ANY($1::uuid[]) AND deleted_at IS NULL FOR UPDATE) p
      WHERE t.id = p.id RETURNING t.id, p.previous`, [ids]);
  for (const row of res.rows) auditChild(ctx, rule.entity, row.id, 'update', { [rule.field]: { before: row.previous, after: null } });
  return res.rows.map((r) => r.id);
}

function auditChild(ctx: WriteContext, entity: string, recordId: string, action: 'update' | 'delete', changes: Record<string, { before?: unknown; after?: unknown }>): void {
  deferAudit(ctx.tx, { entity, recordId, action, actorId: ctx.actor.id, actorName: ctx.actor.username, requestId: ctx.requestId, changes });
}
