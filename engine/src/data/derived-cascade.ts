// Keeps derived values current after a write, in the write's transaction: the row's own computed and score
// fields, then every record whose derived values read what changed (children through belongsTo paths,
// parents through rollups), set-based, following only rows whose values did change. Parents are locked
// before their rollups are recomputed, so concurrent child writes queue there and none is lost.
import { EngineError } from '../shared/engine-error.js';
import { failedAssertion } from '../db/sql-assertions.js';
import { q } from '../sql/q.js';
import type { Transaction } from '../db/transaction.js';
import { DERIVED_OUT_OF_RANGE } from '../record-rules/derived-cast.js';
import { ROWS_OF_IDS } from '../record-rules/recompute-sql.js';
import type { DependentEdge } from '../record-rules/compile-record-rules.js';
import type { ModelRuntime } from './entity-runtime.js';
import { deferDependentChecks } from './dependent-checks.js';

/** Which fields of the source rows changed; 'all' for rows created, deleted or restored. */
export type Changed = ReadonlySet<string> | 'all';

/** The database's refusal of a derived value that does not fit its column, as a 422 naming the field. */
export function derivedError(err: unknown): unknown {
  const failed = failedAssertion(err);
  if (failed?.code !== DERIVED_OUT_OF_RANGE) return err;
  const [entity = '', field = ''] = failed.detail.split('.');
  return new EngineError('validation.failed', 422, `the computed value of ${failed.detail} does not fit the field`, {
    fieldErrors: [{ pointer: `/${field}`, code: 'validation.computed_out_of_range', message: `the value computed for ${entity}.${field} is out of its range` }],
  });
}

const triggered = (edge: DependentEdge, changed: Changed): boolean => changed === 'all' || [...edge.when].some((f) => changed.has(f));

/** Locks rows of `table` in id order (the order every writer takes them in, so no two deadlock). */
export function lockRows(tx: Transaction, table: string, ids: readonly string[], mode: 'SHARE' | 'NO KEY UPDATE'): void {
  if (ids.length === 0) return;
  tx.defer(tx.statement(`SELECT 1 FROM ${q(table)} WHERE id = ANY($1::uuid[]) ORDER BY id FOR ${mode}`, [[...ids].sort()]));
}

export interface CascadeInput {
  readonly tx: Transaction;
  readonly runtime: ModelRuntime;
  readonly entity: string;
  readonly ids: readonly string[];
  readonly changed: Changed;
  /**
   * For one written row: the parents it is linked to before and after the write, by link field (a moved
   * child changes both), so they need not be looked up.
   */
  readonly parents?: Readonly<Record<string, readonly string[]>>;
  /** Where the write's body sits in the request ('' or '/data/3'), for errors about the records it changes. */
  readonly pointerPrefix?: string;
  /** How many cascade steps led here. */
  readonly depth?: number;
}

/**
 * The rules are acyclic field by field, but the data need not be: records that read each other's derived values in a
 * ring (a part that is, through others, a component of itself) would keep changing one another. A cascade that runs
 * this deep is taken for such a ring and refused.
 */
const MAX_CASCADE_DEPTH = 40;

/** Recomputes everything that depends on the changed rows, depth first along the (acyclic) dependency edges. */
export async function cascadeDerived(input: CascadeInput): Promise<void> {
  const { tx, runtime } = input;
  const depth = input.depth ?? 0;
  if (depth >= MAX_CASCADE_DEPTH) {
    throw new EngineError(
      'validation.derived_cycle',
      422,
      `this write changes derived values that never settle: ${input.entity} records read each other's derived values in a ring`,
      { fieldErrors: [{ pointer: input.pointerPrefix ?? '', code: 'validation.derived_cycle', message: 'the records this write links read each other in a ring' }] },
    );
  }
  const rules = runtime.entity(input.entity).rules;
  for (const edge of rules.dependents) {
    if (!triggered(edge, input.changed)) continue;
    const target = runtime.entity(edge.entity);
    const recompute = target.rules.recomputeFrom.get(input.entity) ?? target.rules.recompute;
    if (recompute === undefined) continue;
    let rows = `t.id IN (${edge.idsSql})`;
    let params: unknown[] = [input.ids];
    if (edge.kind === 'parents') {
      const known = edge.linkField === undefined ? undefined : input.parents?.[edge.linkField];
      const parents = known
        ? [...new Set(known)]
        : (await tx.query<{ id: string }>(tx.statement(`SELECT DISTINCT x.id FROM (${edge.idsSql}) x(id)`, [input.ids]))).rows.map((r) => r.id);
      if (parents.length === 0) continue;
      // A written row's parents were locked before it was written (lockParents); others are locked here.
      if (!known) lockRows(tx, target.entity.table, parents, 'NO KEY UPDATE');
      rows = ROWS_OF_IDS;
      params = [parents];
    }
    const text = recompute(rows, 't.id');
    const pointer = `${input.pointerPrefix ?? ''}${edge.kind === 'parents' && edge.linkField !== undefined ? `/${edge.linkField}` : ''}`;
    // Nothing reads the target's derived values: its recompute rides along with the write's next statement.
    if (target.rules.dependents.length === 0) {
      tx.defer(tx.statement(text, params), derivedError);
      deferDependentChecks(tx, target, rows, params, pointer);
      continue;
    }
    let changedIds: string[];
    try {
      changedIds = (await tx.query<{ id: string }>(tx.statement(text, params))).rows.map((r) => r.id);
    } catch (err) {
      throw derivedError(err);
    }
    if (changedIds.length === 0) continue;
    deferDependentChecks(tx, target, ROWS_OF_IDS, [changedIds], pointer);
    await cascadeDerived({
      tx,
      runtime,
      entity: edge.entity,
      ids: changedIds,
      changed: target.rules.derived,
      pointerPrefix: input.pointerPrefix ?? '',
      depth: depth + 1,
    });
  }
}
