// What deleting a record does to the records that reference it: each belongsTo column's onDelete (restrict,
// cascade, setNull), applied by the write pipeline to soft deletes as the foreign key applies it to hard ones.
import type { Model } from '../metadata/model.js';
import { EngineError } from '../shared/engine-error.js';
import { q } from '../sql/q.js';
import { SqlParams } from '../sql/sql-params.js';
import { deferAudit } from '../security/audit-log.js';
import type { EntityRuntime } from './entity-runtime.js';
import type { ApiRecord } from './record-codec.js';
import type { WriteContext, WriteStep } from './write-context.js';
import { changedFields } from './changed-fields.js';

/** A column of `entity` that references another entity's records, and what a delete there does to it. */
export interface DeleteRule {
  readonly entity: string;
  readonly field: string;
  readonly column: string;
  readonly onDelete: 'restrict' | 'cascade' | 'setNull';
}

/** Per referenced entity name, the columns that reference it. */
export function deleteRulesOf(model: Model): ReadonlyMap<string, readonly DeleteRule[]> {
  const byTable = new Map(model.entities.map((e) => [e.table, e.name]));
  const out = new Map<string, DeleteRule[]>();
  for (const entity of model.entities) {
    for (const field of entity.fields) {
      for (const column of field.columns) {
        const target = column.references ? byTable.get(column.references.table) : undefined;
        if (!column.references || !target) continue;
        out.set(target, [...(out.get(target) ?? []), { entity: entity.name, field: field.name, column: column.name, onDelete: column.references.onDelete }]);
      }
    }
  }
  return out;
}

/**
 * After the record is soft-deleted: refuse while live records still reference it through a restrict column
 * (409 with the counts), soft-delete cascade children (and theirs, in turn), and clear setNull references.
 * Every record changed here gets its audit row and a new version; the caller's scope does not limit it, as a
 * foreign key would not.
 */
export const applyDeleteRules: WriteStep = async (ctx) => {
  await follow(ctx, ctx.rt, [ctx.id]);
};

async function follow(ctx: WriteContext, rt: EntityRuntime, ids: readonly string[]): Promise<void> {
  const rules = rt.referencedBy;
  if (rules.length === 0 || ids.length === 0) return;
  await refuseRestricted(ctx, rt, ids, rules.filter((r) => r.onDelete === 'restrict'));
  for (const rule of rules) {
    if (rule.onDelete === 'cascade') await follow(ctx, ctx.services.runtime.entity(rule.entity), await cascade(ctx, rule, ids));
    else if (rule.onDelete === 'setNull') await setNull(ctx, rule, ids);
  }
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

async function setNull(ctx: WriteContext, rule: DeleteRule, ids: readonly string[]): Promise<void> {
  const table = q(ctx.services.runtime.entity(rule.entity).entity.table);
  const column = q(rule.column);
  const res = await ctx.tx.query<{ id: string; previous: string }>(
    `UPDATE ${table} t SET ${column} = NULL, version = t.version + 1, updated_at = now()
       FROM (SELECT id, ${column} AS previous FROM ${table} WHERE ${column} = ANY($1::uuid[]) AND deleted_at IS NULL FOR UPDATE) p
      WHERE t.id = p.id RETURNING t.id, p.previous`, [ids]);
  for (const row of res.rows) auditChild(ctx, rule.entity, row.id, 'update', { [rule.field]: { before: row.previous, after: null } });
}

function auditChild(ctx: WriteContext, entity: string, recordId: string, action: 'update' | 'delete', changes: Record<string, { before?: unknown; after?: unknown }>): void {
  deferAudit(ctx.tx, { entity, recordId, action, actorId: ctx.actor.id, actorName: ctx.actor.username, requestId: ctx.requestId, changes });
}
