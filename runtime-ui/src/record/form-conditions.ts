// Conditions of /api/meta (field rules, validation rules) judged on the record as the form holds it, with the
// engine's own in-memory evaluator and operators (engine/src/rules, kept browser-safe), so the browser and the
// server answer alike. The browser knows only the record in the form: a condition that reads a related record,
// a collection, a calculated value or an operator a plugin added cannot be judged here and is left to the server.
import { compileConditionMemory, type ConditionPredicate } from '../../../engine/src/rules/evaluate-condition.js';
import { createOperatorRegistry, type OperatorRegistry } from '../../../engine/src/rules/operator-registry.js';
import type { ConditionScope, OperandInfo } from '../../../engine/src/rules/parse-condition.js';
import type { OperandType } from '../../../engine/src/metadata/field-kinds.js';
import { EngineError } from '../../../engine/src/shared/engine-error.js';
import type { FieldMeta } from '../api/meta-types.js';

let registry: OperatorRegistry | undefined;
const operators = (): OperatorRegistry => (registry ??= createOperatorRegistry());

/** Whether the form's value of a field is the one the server will judge (a calculated one is recomputed on save). */
const isDerived = (f: FieldMeta): boolean => f.computed !== undefined || f.rollup !== undefined || f.scoring !== undefined;

/** The paths a form condition may read: the record's own stored fields (money by part), as /api/meta types them. */
export function formOperands(fields: readonly FieldMeta[]): Map<string, OperandInfo> {
  const out = new Map<string, OperandInfo>();
  for (const f of fields) {
    if (isDerived(f) || f.cardinality === 'manyToMany' || f.operand === undefined) continue;
    if (typeof f.operand === 'string') {
      const ops = Array.isArray(f.operators) ? f.operators : [];
      out.set(f.name, { operand: f.operand as OperandType, operators: ops, path: f.name });
      continue;
    }
    const byPart = Array.isArray(f.operators) ? {} : f.operators;
    for (const [path, operand] of Object.entries(f.operand))
      out.set(path, { operand: operand as OperandType, operators: byPart[path] ?? [], path });
  }
  return out;
}

function formScope(operands: ReadonlyMap<string, OperandInfo>, reads: Set<string>): ConditionScope {
  const beyond = (path: string, pointer: string) =>
    new EngineError('filter.unknown_field', 400, `'${path}' is not on the form`, {
      fieldErrors: [{ pointer, code: 'filter.unknown_field', message: `'${path}' is not on the form` }],
    });
  return {
    resolveVar(path, pointer) {
      const info = operands.get(path);
      if (!info) throw beyond(path, pointer);
      reads.add(path.split('.')[0] ?? path);
      return info;
    },
    resolveCollection(path, pointer) {
      throw beyond(path, pointer);
    },
  };
}

export interface FormCondition {
  /** True when the condition holds for the record. */
  readonly test: ConditionPredicate;
  /** The fields it reads. */
  readonly reads: readonly string[];
}

/** The condition ready to judge form records, or undefined when the browser cannot judge it (see above). */
export function compileFormCondition(logic: unknown, operands: ReadonlyMap<string, OperandInfo>): FormCondition | undefined {
  const reads = new Set<string>();
  try {
    const predicate = compileConditionMemory(logic, formScope(operands, reads), operators(), { allowVolatile: true });
    return { test: (record) => predicate(asStored(record)), reads: [...reads] };
  } catch {
    return undefined;
  }
}

/** The form's values as the server stores them: an emptied input is no value, nested parts alike. */
function asStored(record: unknown): unknown {
  if (record === '' || record === undefined) return null;
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return record;
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, asStored(v)]));
}
