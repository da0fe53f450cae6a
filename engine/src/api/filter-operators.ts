// What a filter may do with each field, for the API's descriptions of itself (/api/meta, OpenAPI).
import type { ModelRuntime } from '../data/entity-runtime.js';
import type { OperandType } from '../metadata/field-kinds.js';
import type { FieldDef } from '../metadata/model.js';

/**
 * What a filter may do with a field, as the path resolver allows it: the operators of a plain field; per part
 * (`amount.amount`, `amount.currency`) for a kind with parts, whose bare name filters nothing; `some`/`none`
 * for a collection.
 */
export function filterOperators(f: FieldDef, runtime: ModelRuntime): readonly string[] | Record<string, readonly string[]> {
  const parts = runtime.kinds.get(f.kind)?.subPaths;
  if (parts)
    return Object.fromEntries(
      Object.entries(parts).map(([part, sp]) => [`${f.name}.${part}`, [...(sp.operators ?? runtime.operatorsFor(f.kind))]]),
    );
  if (f.cardinality === 'manyToMany') return ['some', 'none'];
  return [...runtime.operatorsFor(f.kind)];
}

/**
 * The operand type a condition reads the field as (per part for a kind with parts), so a browser can judge the
 * conditions of /api/meta with the engine's evaluator; none for a collection.
 */
export function filterOperand(f: FieldDef, runtime: ModelRuntime): OperandType | Record<string, OperandType> | undefined {
  const kind = runtime.kinds.get(f.kind);
  if (!kind || f.cardinality === 'manyToMany') return undefined;
  if (kind.subPaths) return Object.fromEntries(Object.entries(kind.subPaths).map(([part, sp]) => [`${f.name}.${part}`, sp.operand]));
  return kind.operand;
}
