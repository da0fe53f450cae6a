// The steps of the record write pipeline, each a small function of the WriteContext.
import { EngineError } from '../shared/engine-error.js';
import type { RecordEventName } from '../plugins/plugin-api.js';
import { pluginDb } from './plugin-db.js';
import { q } from '../sql/q.js';
import { translatePgError } from './pg-errors.js';
import { lockParents, ruledWrite } from './record-rule-steps.js';
import { derivedError } from './derived-cascade.js';
import { throwIfInvalid } from './record-validator.js';
import { changedFields } from './changed-fields.js';
import type { ApiRecord } from './record-codec.js';
import type { WriteContext, WriteStep } from './write-context.js';
import { requireAction } from './require-action.js';
import { loadManyToManyIds } from './include-loader.js';
import { lockRecord } from './lock-record.js';
import { SqlParams } from '../sql/sql-params.js';
import { liveAndScoped } from '../query/live-rows.js';
import { auditAtCommit, deferAudit } from '../security/audit-log.js';
import { failedAssertion, requireSql } from '../db/sql-assertions.js';
import { deferOutboxJob } from '../db/outbox.js';
import { AFTER_HOOK_JOB, type AfterHookJob } from './after-hook-job.js';
import { checkGrants, parseGrants } from '../security/grants.js';
import { sharingRuleErrors } from '../security/build-access.js';
import { ORG_UNIT_ENTITY, ROLE_ENTITY } from '../security/core-schema.js';
import { kindOf, USER_ENTITY } from '../metadata/field-kinds.js';

/** The caller's roles must grant the action; hidden fields cannot be written, read-only ones neither. */
export const authorise: WriteStep = async (ctx) => {
  const entity = ctx.rt.entity.name;
  requireAction(ctx.access, entity, ctx.op);
  const problems: Array<{ pointer: string; code: string; message: string }> = [];
  for (const name of Object.keys(ctx.changes)) {
    if (ctx.rt.rules.derived.has(name)) {
      problems.push({ pointer: `${ctx.pointerPrefix}/${name}`, code: 'validation.read_only', message: `'${name}' is computed by the engine and cannot be written` });
      continue;
    }
    const level = ctx.access.field(entity, name);
    if (level === 'hidden') problems.push({ pointer: `${ctx.pointerPrefix}/${name}`, code: 'validation.unknown_field', message: `'${name}' is not a writable field` });
    else if (level === 'readOnly') problems.push({ pointer: `${ctx.pointerPrefix}/${name}`, code: 'validation.read_only', message: `you may not change '${name}'` });
  }
  if (problems.length) throw new EngineError('validation.failed', 422, `${problems.length} field(s) cannot be written`, { fieldErrors: problems });
};

/**
 * New records belong to their creator and the creator's org unit unless the body says otherwise. Where the entity
 * has assignment rules, they choose the owner instead (assignByRules, after the references are checked).
 */
export const assignOwnership: WriteStep = async (ctx) => {
  const own = ctx.rt.entity.ownership;
  const byRules = ctx.rt.entity.assignment !== undefined;
  if (own?.ownerField && !byRules && !(own.ownerField in ctx.changes) && ctx.actor.id) ctx.changes[own.ownerField] = ctx.actor.id;
  if (own?.orgUnitField && !(own.orgUnitField in ctx.changes) && ctx.actor.orgUnitId) ctx.changes[own.orgUnitField] = ctx.actor.orgUnitId;
};

export const applyDefaults: WriteStep = async (ctx) => {
  for (const field of ctx.rt.entity.fields) {
    if (field.default === undefined || field.name in ctx.changes) continue;
    const kind = kindOf(ctx.services.runtime.kinds, field);
    ctx.changes[field.name] = kind.defaultValue ? kind.defaultValue(field) : structuredClone(field.default);
  }
};

const BEFORE: Record<WriteContext['op'], RecordEventName> = { create: 'record.beforeCreate', update: 'record.beforeUpdate', delete: 'record.beforeDelete' };
const AFTER: Record<WriteContext['op'], RecordEventName> = { create: 'record.afterCreate', update: 'record.afterUpdate', delete: 'record.afterDelete' };

export const runBeforeHooks: WriteStep = async (ctx) => {
  const event = BEFORE[ctx.op];
  if (!ctx.services.hooks.has(event, ctx.rt.entity.name)) return;
  await ctx.services.hooks.run({
    event,
    entity: ctx.rt.entity.name,
    changes: ctx.changes,
    ...(ctx.before ? { before: ctx.before } : {}),
    db: pluginDb(ctx.tx),
    model: ctx.services.runtime.model,
    actor: ctx.actor,
    log: ctx.services.log,
    ...(ctx.services.hookRecords ? { records: ctx.services.hookRecords(ctx) } : {}),
  });
};

export const validate: WriteStep = async (ctx) => {
  const v = ctx.rt.validator;
  throwIfInvalid(ctx.op === 'create' ? v.validateCreate(ctx.changes, ctx.pointerPrefix) : v.validateUpdate(ctx.changes, ctx.pointerPrefix));
};

/**
 * Relation values must name live records of the target entity within the caller's read scope: a clear 422
 * beats a foreign-key error. The check is an assertion sent with the INSERT or UPDATE, not a round trip.
 */
export const checkReferences: WriteStep = async (ctx) => {
  // The caller's own user record and org unit are always theirs to name, readable or not.
  const own = new Set([ctx.actor.id, ctx.actor.orgUnitId]);
  const params = new SqlParams();
  const probes: string[] = [];
  for (const field of ctx.rt.entity.fields) {
    if (!field.target || !(field.name in ctx.changes)) continue;
    const ids = referencedIds(ctx.changes[field.name]).filter((id) => !own.has(id));
    if (ids.length === 0) continue;
    const target = ctx.services.runtime.entity(field.target).entity;
    const idsParam = params.add(ids, 'uuid[]');
    // A related record the caller cannot see is reported exactly like one that does not exist.
    probes.push(`SELECT ${params.add(field.name, 'text')} AS f, v::text AS id FROM unnest(${idsParam}) v
      WHERE NOT EXISTS (SELECT 1 FROM ${q(target.table)} r WHERE r.id = v AND ${liveAndScoped(target, 'r', params, ctx.access.readScope)})`);
  }
  if (probes.length === 0) return;
  const text = `SELECT ${requireSql('m.missing IS NULL', 'reference', 'm.missing')} FROM (SELECT string_agg(x.f || ' ' || x.id, ',') AS missing FROM (${probes.join(' UNION ALL ')}) x) m`;
  ctx.tx.defer(ctx.tx.statement(text, params.values), (err) => {
    const failed = failedAssertion(err);
    return failed?.code === 'reference' ? referenceError(ctx, new Set(failed.detail.split(','))) : err;
  });
};

function referencedIds(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

function referenceError(ctx: WriteContext, missing: ReadonlySet<string>): EngineError {
  const problems: Array<{ pointer: string; code: string; message: string }> = [];
  for (const field of ctx.rt.entity.fields) {
    if (!field.target || !(field.name in ctx.changes)) continue;
    const value = ctx.changes[field.name];
    referencedIds(value).forEach((id, i) => {
      if (!missing.has(`${field.name} ${id.toLowerCase()}`)) return;
      const pointer = `${ctx.pointerPrefix}/${field.name}${Array.isArray(value) ? `/${i}` : ''}`;
      problems.push({ pointer, code: 'validation.reference', message: `no ${field.target} with id ${id}` });
    });
  }
  return new EngineError('validation.failed', 422, `${problems.length} reference(s) point to records that do not exist`, { fieldErrors: problems });
}

/** Update and delete work on the stored record, locked so a concurrent write waits and then sees the new version. */
export const loadCurrent: WriteStep = async (ctx) => {
  const { entity } = ctx.rt;
  const current = await lockRecord(ctx.tx, ctx.rt, ctx.id, ctx.access.scopeFor(ctx.op));
  if (!current) {
    // Readable but not changeable is a 403; unreadable is indistinguishable from absent.
    const seen = new SqlParams();
    const sid = seen.add(ctx.id, 'uuid');
    const visible = await ctx.tx.query(`SELECT 1 FROM ${q(entity.table)} t WHERE t.id = ${sid} AND ${liveAndScoped(entity, 't', seen, ctx.access.readScope)}`, seen.values);
    if (visible.rowCount) throw new EngineError('access.denied', 403, `you may not ${ctx.op} this ${entity.name}`);
    throw new EngineError('record.not_found', 404, `${entity.name} ${ctx.id} does not exist`);
  }
  ctx.before = current;
  if (ctx.expectedVersion !== undefined && ctx.expectedVersion !== current.version) {
    throw new EngineError('record.version_conflict', 409, `${entity.name} ${ctx.id} was changed by someone else: you read version ${ctx.expectedVersion}, the current version is ${String(current.version)}`, { extra: { currentVersion: current.version } });
  }
};

/** An empty patch changes nothing: the answer is the stored record at its current version. */
export const keepCurrent: WriteStep = async (ctx) => {
  const current = { ...ctx.before };
  await loadManyToManyIds({ pool: ctx.tx, runtime: ctx.services.runtime, access: ctx.access }, ctx.rt.entity, [current], undefined, []);
  ctx.after = current;
};

/** Link rows are written with the next statement; nothing reads their results. */
function syncManyToMany(ctx: WriteContext): void {
  for (const field of ctx.rt.entity.fields) {
    const j = field.junction;
    if (!j || !(field.name in ctx.changes)) continue;
    const ids = (ctx.changes[field.name] as string[] | null) ?? [];
    ctx.tx.defer(ctx.tx.statement(`DELETE FROM ${q(j.table)} WHERE ${q(j.sourceColumn)} = $1`, [ctx.id]));
    if (ids.length) {
      ctx.tx.defer(ctx.tx.statement(
        `INSERT INTO ${q(j.table)} (${q(j.sourceColumn)}, ${q(j.targetColumn)}) SELECT $1, unnest($2::uuid[])`, [ctx.id, ids]),
      (err) => translatePgError(err, ctx.rt.entity, ctx.pointerPrefix));
    }
  }
}

function returning(ctx: WriteContext): string {
  return ctx.rt.codec.selectList('').sql;
}

export const persist: WriteStep = async (ctx) => {
  const { entity, codec } = ctx.rt;
  const cols = codec.toColumns(ctx.changes);
  const names = Object.keys(cols);
  const values = Object.values(cols);
  let sql: string;
  let params: unknown[];
  if (ctx.op === 'create') {
    sql = `INSERT INTO ${q(entity.table)} (id${names.map((n) => ', ' + q(n)).join('')}) VALUES ($1${names.map((_, i) => `, $${i + 2}`).join('')}) RETURNING ${returning(ctx)}`;
    params = [ctx.id, ...values];
  } else if (ctx.op === 'update') {
    const sets = names.map((n, i) => `${q(n)} = $${i + 2}`);
    sql = `UPDATE ${q(entity.table)} SET ${[...sets, 'version = version + 1', 'updated_at = now()'].join(', ')} WHERE id = $1 RETURNING ${returning(ctx)}`;
    params = [ctx.id, ...values];
  } else {
    sql = `UPDATE ${q(entity.table)} SET deleted_at = now(), version = version + 1, updated_at = now() WHERE id = $1 RETURNING ${returning(ctx)}`;
    params = [ctx.id];
  }
  // A new row with derived values is stored with them, computed on the way in; the parents they read are
  // locked first (record-rule-steps.ts), and the rules step then only follows what depends on the row.
  const insertWithDerived = ctx.rt.rules.insertWithDerived;
  if (ctx.op === 'create' && insertWithDerived !== undefined && !entity.fields.some((f) => f.junction)) {
    lockParents(ruledWrite(ctx));
    const provided = new Map([['id', '$1'], ...names.map((n, i): [string, string] => [n, `$${i + 2}`])]);
    try {
      const res = await ctx.tx.query(ctx.tx.statement(insertWithDerived(provided, returning(ctx)), [ctx.id, ...values]));
      ctx.after = res.rows[0] as ApiRecord;
      ctx.derivedOnInsert = true;
    } catch (err) {
      throw derivedError(translatePgError(err, entity, ctx.pointerPrefix));
    }
    return;
  }
  try {
    const res = await ctx.tx.query(ctx.tx.statement(sql, params));
    ctx.after = res.rows[0] as ApiRecord;
    if (ctx.op !== 'delete') {
      syncManyToMany(ctx);
      await loadManyToManyIds({ pool: ctx.tx, runtime: ctx.services.runtime, access: ctx.access }, entity, [ctx.after], undefined, []);
    }
  } catch (err) {
    throw translatePgError(err, entity, ctx.pointerPrefix);
  }
};

/** A write may not leave the record outside what the caller may act on (e.g. hand it to another org unit). */
export const checkScopeAfterWrite: WriteStep = async (ctx) => {
  const scope = ctx.access.scopeFor(ctx.op);
  const params = new SqlParams();
  const id = params.add(ctx.id, 'uuid');
  const condition = scope(ctx.rt.entity, 't', params);
  if (!condition) return;
  // Sent with the audit row and COMMIT; links written by the same write are in place by then.
  const text = `SELECT ${requireSql(`EXISTS (SELECT 1 FROM ${q(ctx.rt.entity.table)} t WHERE t.id = ${id} AND (${condition}))`, 'out_of_scope')}`;
  ctx.tx.defer(ctx.tx.statement(text, params.values), (err) => failedAssertion(err)?.code === 'out_of_scope'
    ? new EngineError('access.out_of_scope', 403, `the ${ctx.rt.entity.name} would fall outside the records you may ${ctx.op}`)
    : err);
};

/**
 * Users and roles decide what everyone may do: only administrators change them, role grants must name real
 * entities and fields, and cached access is dropped once such a change commits.
 */
export const guardSecurityRecords: WriteStep = async (ctx) => {
  const name = ctx.rt.entity.name;
  const core = [USER_ENTITY, ROLE_ENTITY, ORG_UNIT_ENTITY];
  if (!core.includes(name)) return;
  if ((name === USER_ENTITY || name === ROLE_ENTITY) && !ctx.access.isAdmin) {
    throw new EngineError('access.admin_required', 403, `only administrators may ${ctx.op} ${name} records`);
  }
  // The org tree defines everyone's scope: only administrators add, remove or move units.
  if (name === ORG_UNIT_ENTITY && !ctx.access.isAdmin && (ctx.op !== 'update' || 'parent' in ctx.changes)) {
    throw new EngineError('access.admin_required', 403, ctx.op === 'update' ? 'only administrators may move an org unit' : `only administrators may ${ctx.op} org units`);
  }
  if (name === ROLE_ENTITY && 'grants' in ctx.changes) {
    const at = `${ctx.pointerPrefix}/grants`;
    const shapeErrors = checkGrants(ctx.changes.grants, ctx.services.runtime.model, at);
    const errors = shapeErrors.length ? shapeErrors : sharingRuleErrors(parseGrants(ctx.changes.grants), ctx.services.runtime, at);
    if (errors.length) throw new EngineError('validation.failed', 422, 'the role grants are invalid', { fieldErrors: errors });
  }
  const changed = ctx.services.onSecurityChange;
  if (changed) ctx.afterCommit.push(async () => changed());
};

/**
 * A unit may not sit below itself, nor a user manage their own manager: the trees must stay trees. Runs after
 * `validate`, so the value it casts to uuid is one.
 */
export const refuseTreeCycles: WriteStep = async (ctx) => {
  const name = ctx.rt.entity.name;
  const field = name === ORG_UNIT_ENTITY ? 'parent' : name === USER_ENTITY ? 'manager' : undefined;
  const parentId = field ? ctx.changes[field] : undefined;
  if (!field || typeof parentId !== 'string') return;
  const column = ctx.rt.entity.fields.find((f) => f.name === field)?.columns[0]?.name;
  if (!column) return;
  const table = q(ctx.rt.entity.table);
  const res = await ctx.tx.query(
    `WITH RECURSIVE up(id) AS (SELECT $1::uuid UNION SELECT t.${q(column)} FROM ${table} t JOIN up ON t.id = up.id WHERE t.${q(column)} IS NOT NULL)
     SELECT 1 FROM up WHERE id = $2::uuid`, [parentId, ctx.id]);
  if (res.rowCount) {
    throw new EngineError('validation.failed', 422, `this ${field} would make a cycle`, { fieldErrors: [{ pointer: `${ctx.pointerPrefix}/${field}`, code: 'validation.cycle', message: `cannot be this record or one below it` }] });
  }
};

export const audit: WriteStep = async (ctx) => {
  const changes = changedFields(ctx.before, ctx.after, ctx.op);
  // Links are not part of `before`; they are recorded only when the write set them.
  for (const field of ctx.rt.entity.fields) {
    if (!field.junction) continue;
    if (field.name in ctx.changes) changes[field.name] = { after: ctx.changes[field.name] };
    else delete changes[field.name];
  }
  const entry = {
    entity: ctx.rt.entity.name, recordId: ctx.id, action: ctx.op, actorId: ctx.actor.id, actorName: ctx.actor.username,
    requestId: ctx.requestId, changes,
  };
  if (ctx.drawnAtCommit.length > 0) auditAtCommit(ctx.tx, entry, { table: ctx.rt.entity.table, fields: ctx.drawnAtCommit });
  else deferAudit(ctx.tx, entry);
};

/** Leaves one outbox job per plugin with after hooks on this write; they run once it has committed. */
export const queueAfterHooks: WriteStep = async (ctx) => {
  const event = AFTER[ctx.op];
  const { hooks, onOutbox } = ctx.services;
  const plugins = hooks.pluginsFor(event, ctx.rt.entity.name);
  if (plugins.length === 0) return;
  const job = {
    event, entity: ctx.rt.entity.name, recordId: ctx.id, changes: ctx.changes, actor: ctx.actor,
    ...(ctx.before ? { before: ctx.before } : {}), ...(ctx.after ? { after: ctx.after } : {}),
  };
  // Numbers drawn at COMMIT are read into `after` by the outbox insert, which then goes with the COMMIT too.
  const drawn = { at: 'after', table: ctx.rt.entity.table, recordId: ctx.id, fields: ctx.drawnAtCommit };
  for (const plugin of plugins) {
    const data: AfterHookJob = { plugin, ...job };
    deferOutboxJob(ctx.tx, { name: AFTER_HOOK_JOB, data }, ctx.after ? drawn : undefined);
  }
  if (onOutbox) ctx.afterCommit.push(async () => onOutbox());
};
