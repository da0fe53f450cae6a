// The write steps of rules as metadata: derived values brought up to date (the row's own, then everything
// that depends on it), validation rules and required-when checked on the row as written, read-only-when on
// the row as it was. Checks travel as assertions with the write's other statements (no extra round trip)
// and fail with every broken rule at once.
import { Decimal } from 'decimal.js';
import { EngineError, type FieldError } from '../shared/engine-error.js';
import { failedAssertion, requireSql } from '../db/sql-assertions.js';
import { q } from '../sql/q.js';
import { sqlLiteral } from '../sql/sql-literal.js';
import { ROWS_OF_IDS } from '../record-rules/recompute-sql.js';
import { cascadeDerived, derivedError, lockRows, type Changed } from './derived-cascade.js';
import type { Transaction } from '../db/transaction.js';
import type { ApiRecord } from './record-codec.js';
import type { EntityRuntime, ModelRuntime } from './entity-runtime.js';
import type { WriteContext, WriteStep } from './write-context.js';

/** What the rules need of a write, whoever made it: the pipeline, or a plugin action that wrote with SQL. */
export interface RuledWrite {
  readonly tx: Transaction;
  readonly runtime: ModelRuntime;
  readonly rt: EntityRuntime;
  readonly op: 'create' | 'update' | 'delete';
  readonly id: string;
  /** The fields the write set (update). */
  readonly changes: ApiRecord;
  readonly before?: ApiRecord;
  readonly after?: ApiRecord;
  readonly pointerPrefix: string;
  /** The create's INSERT already computed the row's derived values and locked its parents. */
  readonly derivedOnInsert?: boolean;
}

export const ruledWrite = (ctx: WriteContext): RuledWrite => ({ ...ctx, runtime: ctx.services.runtime });

/** The id a relation value names (an id, or an included record). */
function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.toLowerCase();
  if (typeof value === 'object' && value !== null && 'id' in value && typeof value.id === 'string') return value.id.toLowerCase();
  return undefined;
}

/** The parents the row is linked to before and after the write, by link field. */
function parentsOf(ctx: RuledWrite): Record<string, string[]> {
  const parents: Record<string, string[]> = {};
  const now = ctx.after ?? ctx.changes;
  for (const lock of ctx.rt.rules.parentLocks) {
    parents[lock.field] = [...new Set([idOf(ctx.before?.[lock.field]), idOf(now[lock.field])].filter((id) => id !== undefined))];
  }
  return parents;
}

/**
 * Locks the parents the row's derived values read (SHARE) or whose rollups it feeds (NO KEY UPDATE), before
 * either is read or written; `changed` limits SHARE locks to links this write touches. Returns the parents.
 */
export function lockParents(ctx: RuledWrite, changed: Changed = 'all'): Record<string, string[]> {
  const parents = parentsOf(ctx);
  for (const lock of ctx.rt.rules.parentLocks) {
    if (changed === 'all' || changed.has(lock.field) || lock.mode === 'NO KEY UPDATE') lockRows(ctx.tx, lock.table, parents[lock.field] ?? [], lock.mode);
  }
  return parents;
}

/**
 * The row's own derived values, then the records whose derived values read what this write changed. Returns
 * the record with its new derived values.
 */
export async function applyDerived(ctx: RuledWrite): Promise<ApiRecord | undefined> {
  const { rules, entity } = ctx.rt;
  let after = ctx.after;
  const changed: Changed = ctx.op === 'update' ? new Set(Object.keys(ctx.changes)) : 'all';
  const self =
    rules.recompute !== undefined &&
    ctx.op !== 'delete' &&
    !ctx.derivedOnInsert &&
    (ctx.op === 'create' || [...rules.selfInputs].some((f) => f in ctx.changes));
  const parents = ctx.derivedOnInsert ? parentsOf(ctx) : lockParents(ctx, self || changed === 'all' ? 'all' : changed);
  if (self && rules.recompute) {
    try {
      // A created row (with many-to-many links, stored first) is written whatever its values: its derived columns start empty.
      const text = rules.recompute(ROWS_OF_IDS, ctx.rt.codec.selectList('t').sql, ctx.op === 'create');
      const res = await ctx.tx.query(ctx.tx.statement(text, [[ctx.id]]));
      const row = res.rows[0] as Record<string, unknown> | undefined;
      if (row) after = { ...after, ...row };
    } catch (err) {
      throw derivedError(err);
    }
  }
  const all: Changed = changed === 'all' ? 'all' : new Set([...changed, ...(self ? rules.derived : [])]);
  await cascadeDerived({ tx: ctx.tx, runtime: ctx.runtime, entity: entity.name, ids: [ctx.id], changed: all, parents, pointerPrefix: ctx.pointerPrefix });
  return after;
}

/**
 * applyDerived for many rows of one entity created in one transaction: each row's own values as applyDerived works
 * them out, then one cascade over all of them (their parents' rollups summed once, not once per row). The result
 * is what creating them one by one leaves; only intermediate states between them are never checked.
 */
export async function applyDerivedMany(writes: readonly RuledWrite[]): Promise<Array<ApiRecord | undefined>> {
  const first = writes[0];
  if (!first) return [];
  const { rules } = first.rt;
  const parents: Record<string, Set<string>> = {};
  const out: Array<ApiRecord | undefined> = [];
  for (const ctx of writes) {
    let after = ctx.after;
    const own = ctx.derivedOnInsert ? parentsOf(ctx) : lockParents(ctx);
    for (const [field, ids] of Object.entries(own)) for (const id of ids) (parents[field] ??= new Set()).add(id);
    if (rules.recompute !== undefined && !ctx.derivedOnInsert) {
      try {
        const text = rules.recompute(ROWS_OF_IDS, ctx.rt.codec.selectList('t').sql, true);
        const row = (await ctx.tx.query(ctx.tx.statement(text, [[ctx.id]]))).rows[0] as Record<string, unknown> | undefined;
        if (row) after = { ...after, ...row };
      } catch (err) {
        throw derivedError(err);
      }
    }
    out.push(after);
  }
  await cascadeDerived({
    tx: first.tx,
    runtime: first.runtime,
    entity: first.rt.entity.name,
    ids: writes.map((w) => w.id),
    changed: 'all',
    parents: Object.fromEntries(Object.entries(parents).map(([field, ids]) => [field, [...ids]])),
    pointerPrefix: first.pointerPrefix.replace(/\/\d+$/, ''),
  });
  return out;
}

export const recomputeDerived: WriteStep = async (ctx) => {
  const after = await applyDerived(ruledWrite(ctx));
  if (after) ctx.after = after;
};

function ruleErrors(ctx: RuledWrite, failed: readonly string[]): EngineError {
  const { validations, requiredWhen } = ctx.rt.rules;
  const errors: FieldError[] = [];
  for (const tag of failed) {
    const index = Number(tag.slice(1));
    if (tag.startsWith('v')) {
      const rule = validations[index]?.rule;
      if (!rule) continue;
      const pointers = rule.fields.length > 0 ? rule.fields.map((f) => `${ctx.pointerPrefix}/${f}`) : [ctx.pointerPrefix];
      for (const pointer of pointers) errors.push({ pointer, code: 'validation.rule', message: rule.message.en });
    } else {
      const field = requiredWhen[index]?.field;
      if (field) errors.push({ pointer: `${ctx.pointerPrefix}/${field}`, code: 'validation.required', message: `'${field}' is required here` });
    }
  }
  const names = failed.filter((t) => t.startsWith('v')).map((t) => validations[Number(t.slice(1))]?.rule.name);
  return new EngineError('validation.failed', 422, `${failed.length} rule(s) do not hold${names.length ? `: ${names.join(', ')}` : ''}`, { fieldErrors: errors });
}

/** Validation rules and required-when, on the row as this write left it (computed values and parents included). */
export function deferRecordChecks(ctx: RuledWrite): void {
  const { validations, requiredWhen } = ctx.rt.rules;
  if (validations.length === 0 && requiredWhen.length === 0) return;
  const tests = [
    ...validations.map((v, i) => `CASE WHEN (${v.sql}) IS NOT TRUE THEN 'v${i}' END`),
    ...requiredWhen.map((r, i) => `CASE WHEN (${r.when}) AND ${r.missing ?? 'FALSE'} THEN 'r${i}' END`),
  ];
  const text =
    `SELECT ${requireSql('f.failed IS NULL', 'record_rules', 'f.failed')} FROM ` +
    `(SELECT NULLIF(concat_ws(',', ${tests.join(', ')}), '') AS failed FROM ${q(ctx.rt.entity.table)} t WHERE t.id = $1) f`;
  ctx.tx.defer(ctx.tx.statement(text, [ctx.id]), (err) => {
    const failed = failedAssertion(err);
    return failed?.code === 'record_rules' ? ruleErrors(ctx, failed.detail.split(',')) : err;
  });
}

export const checkRecordRules: WriteStep = async (ctx) => deferRecordChecks(ruledWrite(ctx));

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** Whether a patch value leaves the stored one as it is ("12.5" and "12.50" are one decimal). */
function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string' && DECIMAL.test(a) && DECIMAL.test(b)) return new Decimal(a).eq(b);
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null) || (idOf(a) !== undefined && idOf(a) === idOf(b));
}

/** A field may not change while its read-only-when condition holds on the stored record. */
export const refuseReadOnlyWhen: WriteStep = async (ctx) => {
  const rules = ctx.rt.rules.readOnlyWhen.filter((r) => r.field in ctx.changes && !sameValue(ctx.changes[r.field], ctx.before?.[r.field]));
  if (rules.length === 0) return;
  const tests = rules.map((r) => `CASE WHEN ${r.when} THEN ${sqlLiteral(r.field)} END`);
  // Sent before the UPDATE, so it reads the row as it was.
  const text =
    `SELECT ${requireSql('f.failed IS NULL', 'read_only_when', 'f.failed')} FROM ` +
    `(SELECT NULLIF(concat_ws(',', ${tests.join(', ')}), '') AS failed FROM ${q(ctx.rt.entity.table)} t WHERE t.id = $1) f`;
  ctx.tx.defer(ctx.tx.statement(text, [ctx.id]), (err) => {
    const failed = failedAssertion(err);
    if (failed?.code !== 'read_only_when') return err;
    const fields = failed.detail.split(',');
    return new EngineError('validation.failed', 422, `${fields.length} field(s) cannot be changed now`, {
      fieldErrors: fields.map((f) => ({ pointer: `${ctx.pointerPrefix}/${f}`, code: 'validation.read_only', message: `'${f}' cannot be changed in this state` })),
    });
  });
};
