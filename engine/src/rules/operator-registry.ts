// The operators of the condition language. Each is registered once with both halves: the memory half
// (installed into json-logic-js) and the SQL half (used by the compiler). The engine creates one registry,
// plugins add operators through the plugin host, then it is frozen before the Model is compiled.
import type { FieldKindRegistry } from '../metadata/field-kinds.js';
import { builtinOperators } from './builtin-operators.js';
import { builtinFunctions } from './builtin-functions.js';
import { conditionError, conditionProblem, ruleError } from './errors.js';
import type { OperatorDef } from './operator-defs.js';

export type {
  LiteralSlot,
  TypedLiteralSlot,
  CompareLiteral,
  CompareOperatorDef,
  LogicalOperatorDef,
  QuantifierOperatorDef,
  FunctionOperatorDef,
  OperatorDef,
} from './operator-defs.js';

export interface OperatorRegistry {
  /** Adds an operator; throws if the name is taken or the registry is frozen. */
  register(def: OperatorDef): void;
  freeze(): void;
  readonly isFrozen: boolean;
  has(name: string): boolean;
  /** Throws `filter.unknown_operator` (400): names usually come from user input. */
  get(name: string): OperatorDef;
  list(): readonly OperatorDef[];
}

// Symbolic names like `>=` or identifiers; `var` is json-logic-js's data access and ':' marks our aliases there.
const OPERATOR_NAME = /^(?:[!=<>]{1,3}|[-+*/]|[A-Za-z][A-Za-z0-9_]*)$/;

/**
 * The field kinds and operators a Model is checked, planned and served with: one set, built once from the
 * builtins and the loaded plugins (plugins/load-plugins.ts), and passed to whoever needs it.
 */
export interface KindsAndOperators {
  readonly kinds: FieldKindRegistry;
  readonly operators: OperatorRegistry;
}

export function createOperatorRegistry(): OperatorRegistry {
  const defs = new Map<string, OperatorDef>();
  let frozen = false;

  const registry: OperatorRegistry = {
    register(def) {
      if (frozen) throw ruleError('rules.registry_frozen', `Operator "${def.name}" registered after the registry was frozen`);
      if (!OPERATOR_NAME.test(def.name) || def.name === 'var') {
        throw ruleError('rules.invalid_operator', `"${def.name}" is not a valid operator name`);
      }
      if (defs.has(def.name)) throw ruleError('rules.operator_exists', `Operator "${def.name}" is already registered`);
      defs.set(def.name, def);
    },
    freeze() {
      frozen = true;
    },
    get isFrozen() {
      return frozen;
    },
    has: (name) => defs.has(name),
    get(name) {
      const def = defs.get(name);
      if (def === undefined) {
        throw conditionError([conditionProblem('filter.unknown_operator', '', `Unknown operator "${name}"`)]);
      }
      return def;
    },
    list: () => [...defs.values()],
  };
  for (const def of [...builtinOperators, ...builtinFunctions]) registry.register(def);
  return registry;
}
