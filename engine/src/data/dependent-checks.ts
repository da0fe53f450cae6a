// A write that moves other records' derived values (a child's write changes its parent's rollup) must leave those
// records valid too: the validation rules of theirs that read their derived fields are checked again on them, in
// the same transaction, and a broken one refuses the write — e.g. a shipment that would take an item's stock on
// hand below zero. Called by derived-cascade.ts for each entity it recomputes.
import { EngineError } from '../shared/engine-error.js';
import { failedAssertion, requireSql } from '../db/sql-assertions.js';
import { q } from '../sql/q.js';
import type { Transaction } from '../db/transaction.js';
import type { EntityRuntime } from './entity-runtime.js';

const CODE = 'dependent_rules';

/**
 * Defers the check of `target`'s derived-reading validation rules on the rows `rowsSql` selects (from `params`).
 * A failure points at `pointer` (the writer's link to that record, or its whole body) with the rule's message.
 */
export function deferDependentChecks(tx: Transaction, target: EntityRuntime, rowsSql: string, params: unknown[], pointer: string): void {
  const rules = target.rules.validations.filter((v) => v.readsDerived);
  if (rules.length === 0) return;
  const tests = rules.map((v, i) => `CASE WHEN (${v.sql}) IS NOT TRUE THEN '${i}' END`);
  const text =
    `SELECT ${requireSql('f.failed IS NULL', CODE, 'f.failed')} FROM ` +
    `(SELECT NULLIF(concat_ws(',', ${tests.join(', ')}), '') AS failed FROM ${q(target.entity.table)} t WHERE ${rowsSql}) f`;
  tx.defer(tx.statement(text, params), (err) => {
    const failed = failedAssertion(err);
    if (failed?.code !== CODE) return err;
    const broken = failed.detail.split(',').flatMap((i) => rules[Number(i)]?.rule ?? []);
    const label = target.entity.label.en;
    return new EngineError(
      'validation.failed',
      422,
      `this write would break ${broken.length} rule(s) of a ${label} it changes: ${broken.map((r) => r.name).join(', ')}`,
      { fieldErrors: broken.map((r) => ({ pointer, code: 'validation.rule', message: `${label}: ${r.message.en}` })) },
    );
  });
}
