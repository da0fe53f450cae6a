// Which operators a field kind allows: its own list plus every plugin compare operator declared for its
// operand type. The API's filters, the OpenAPI document and partial-index conditions all ask this one function.
import { builtinOperators } from './builtin-operators.js';
import type { CompareOperatorDef, KindsAndOperators } from './operator-registry.js';

/** Operators allowed per kind name. */
export function kindOperators(rules: KindsAndOperators): ReadonlyMap<string, readonly string[]> {
  const builtin = new Set(builtinOperators.map((o) => o.name));
  const pluginCompare = rules.operators.list().filter((o): o is CompareOperatorDef => o.kind === 'compare' && !builtin.has(o.name));
  const allowed = new Map<string, readonly string[]>();
  for (const kind of rules.kinds.values()) {
    allowed.set(kind.name, [...kind.operators, ...pluginCompare.filter((o) => o.operands.includes(kind.operand)).map((o) => o.name)]);
  }
  return allowed;
}
