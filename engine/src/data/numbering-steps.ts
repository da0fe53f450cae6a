// Write steps of numbering rules: a create gets the next number of its scope (or a reserved one its caller may
// give), and a number never changes afterwards. Listed in write-pipeline.ts.
import { EngineError, type FieldError } from '../shared/engine-error.js';
import { formatSequence } from '../metadata/numbering-pattern.js';
import { isReserved } from '../metadata/numbering-reserved.js';
import type { NumberedField } from './numbered-fields.js';
import { scopeParams } from './numbered-fields.js';
import type { WriteContext, WriteStep } from './write-context.js';
import { failedAssertion, requireSql } from '../db/sql-assertions.js';
import { q } from '../sql/q.js';
import { translatePgError } from './pg-errors.js';

/** The custom action a role grants on an entity to let its members give reserved numbers explicitly. */
export const ASSIGN_RESERVED_ACTION = 'assignReserved';

interface Scope {
  readonly head: string;
  readonly tail: string;
}

function invalid(detail: string, errors: FieldError[]): EngineError {
  return new EngineError('validation.failed', 422, detail, { fieldErrors: errors });
}

function missingSources(ctx: WriteContext, nf: NumberedField, missing: readonly string[]): EngineError {
  return invalid(
    `the number of '${nf.field.name}' (${nf.pattern}) is made from ${missing.map((m) => `'${m}'`).join(', ')}`,
    missing.map((m) => ({ pointer: `${ctx.pointerPrefix}/${m}`, code: 'validation.required', message: `is needed to number '${nf.field.name}'` })),
  );
}

/** A parent value the pattern uses is empty: there is no scope to number in. */
function emptySources(ctx: WriteContext, nf: NumberedField): EngineError {
  const parents = [...nf.head, ...nf.tail].flatMap((s) => (s.kind === 'parent' ? [s.relation] : []));
  return invalid(
    `the number of '${nf.field.name}' (${nf.pattern}) needs a value its related record does not have`,
    parents.map((m) => ({
      pointer: `${ctx.pointerPrefix}/${m}`,
      code: 'validation.numbering_source',
      message: `the related record has no value for the number of '${nf.field.name}'`,
    })),
  );
}

/** Class of the advisory locks below (the two-key form, apart from the engine's single-key locks). */
const BATCH_LOCK_CLASS = 19_001;

/** The sequence as formatSequence writes it: zero-padded to the width, longer when it has outgrown it. */
function formatSql(seq: string, width: number): string {
  return `CASE WHEN length(${seq}) < ${width} THEN lpad(${seq}, ${width}, '0') ELSE ${seq} END`;
}

/**
 * The next number of the record's scope, drawn with COMMIT (Transaction.atCommit): its counter row is locked
 * for one server-side batch rather than the whole write, so concurrent creates queue there briefly; the draw
 * still rolls back with the write and is never given twice.
 */
function drawAtCommit(ctx: WriteContext, nf: NumberedField, params: readonly string[]): void {
  const { entity } = ctx.rt;
  const column = nf.field.columns[0]?.name;
  if (column === undefined) throw new Error(`numbered field ${entity.name}.${nf.field.name} has no column`);
  // A single create holds one counter row per numbered field, taken in field order, so single creates never
  // deadlock. A bulk create may hold rows of several scopes (BJ then SH, while another holds SH then BJ): bulk
  // creates of one field take turns on a lock of the rule first. Single creates never take it.
  if (ctx.batch) {
    ctx.tx.atCommit(ctx.tx.statement('SELECT pg_advisory_xact_lock($1, hashtext($2))', [BATCH_LOCK_CLASS, `${entity.id}#${nf.field.id}`]), () => undefined);
  }
  const values: unknown[] = [entity.id, nf.field.id, ...nf.reservedParams, ...params, ctx.id];
  const text =
    `WITH d AS (${nf.drawSql}), u AS (UPDATE ${q(entity.table)} t SET ${q(column)} = d.head || ${formatSql('d.seq', nf.width)} || d.tail ` +
    `FROM d WHERE t.id = $${values.length}::uuid RETURNING t.${q(column)} AS v) ` +
    `SELECT ${requireSql('count(*) = 1', 'numbering_source')} AS ok, max(u.v) AS v FROM u`;
  ctx.drawnAtCommit.push({ field: nf.field.name, column });
  ctx.tx.atCommit(
    ctx.tx.statement(text, values),
    (res) => {
      const drawn = (res.rows[0] as { v?: unknown } | undefined)?.v;
      if (typeof drawn === 'string') ctx.after = { ...ctx.after, [nf.field.name]: drawn };
    },
    (err) => (failedAssertion(err)?.code === 'numbering_source' ? emptySources(ctx, nf) : translatePgError(err, entity, ctx.pointerPrefix)),
  );
}

/**
 * A value the client gave: accepted only when it is a reserved number of the record's own scope, written as
 * automatic numbering would write it, and the caller's roles grant `assignReserved` on the entity.
 */
async function checkGiven(ctx: WriteContext, nf: NumberedField, params: readonly string[], value: unknown): Promise<void> {
  const name = nf.field.name;
  const pointer = `${ctx.pointerPrefix}/${name}`;
  const res = await ctx.tx.query<Scope>(ctx.tx.statement(nf.scopeSql, [...params]));
  const scope = res.rows[0];
  if (!scope || scope.head === null || scope.tail === null) throw emptySources(ctx, nf);
  const sample = `${scope.head}${'9'.repeat(nf.width)}${scope.tail}`;
  const readOnly = (why: string) =>
    invalid(`'${name}' is numbered automatically (${nf.pattern}): ${why}`, [{ pointer, code: 'validation.read_only', message: why }]);
  const text = typeof value === 'string' ? value : '';
  const digits = text.slice(scope.head.length, text.length - scope.tail.length);
  const shaped =
    text.length > scope.head.length + scope.tail.length &&
    text.startsWith(scope.head) &&
    text.endsWith(scope.tail) &&
    /^[0-9]{1,18}$/.test(digits) &&
    formatSequence(BigInt(digits), nf.width) === digits;
  if (!shaped) throw readOnly(`leave it out, or give a reserved number written like ${sample}`);
  if (!isReserved(BigInt(digits), nf.reserved)) {
    throw readOnly(`${text} is not a reserved number; leave '${name}' out to get the next number`);
  }
  if (!ctx.access.can(ctx.rt.entity.name, ASSIGN_RESERVED_ACTION)) {
    throw new EngineError(
      'access.denied',
      403,
      `giving the reserved number ${text} to '${name}' needs the '${ASSIGN_RESERVED_ACTION}' action on ${ctx.rt.entity.name}`,
    );
  }
}

/**
 * Runs after validate and checkReferences, right before persist: the values the number is made from are
 * valid by then, a missing parent is reported as such (its check travels with the counter statement), and the
 * counter row stays locked for as short a time as the write allows.
 */
export const assignNumbers: WriteStep = async (ctx) => {
  const numbered = ctx.rt.numbered;
  if (numbered.length === 0) return;
  const now = new Date();
  for (const nf of numbered) {
    const { params, missing } = scopeParams(nf, ctx.changes, now);
    if (missing.length) throw missingSources(ctx, nf, missing);
    const given = ctx.changes[nf.field.name];
    if (given === undefined || given === null) {
      delete ctx.changes[nf.field.name];
      drawAtCommit(ctx, nf, params);
    }
    else await checkGiven(ctx, nf, params, given);
  }
};

/** A number is the record's for good: a patch may repeat it (forms send whole records) but never change it. */
export const keepNumbers: WriteStep = async (ctx) => {
  const errors: FieldError[] = [];
  for (const nf of ctx.rt.numbered) {
    const name = nf.field.name;
    if (!(name in ctx.changes)) continue;
    if (ctx.changes[name] === ctx.before?.[name]) delete ctx.changes[name];
    else errors.push({ pointer: `${ctx.pointerPrefix}/${name}`, code: 'validation.read_only', message: `'${name}' is numbered automatically and never changes` });
  }
  if (errors.length) throw invalid(`${errors.length} numbered field(s) cannot be changed`, errors);
};
