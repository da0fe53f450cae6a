// Evaluates a condition on one record in memory with json-logic-js, the registry's memory halves installed
// in place of json-logic-js's own operators, so the answer is the one the compiled SQL gives for that row.
// Used by the server (rules, approvals) and the browser (field visibility): no Node APIs here.
import jsonLogicModule from 'json-logic-js';
import { ruleError } from './errors.js';
import { isOperandType } from './operand-values.js';
import type { CompareLiteral, OperatorDef, OperatorRegistry } from './operator-registry.js';
import { parseCondition, type CollectionInfo, type ConditionNode, type ConditionScope, type OperandInfo } from './parse-condition.js';

/** The part of json-logic-js we use, typed for our prepared form rather than for its standard operators. */
interface JsonLogicEngine {
  apply(logic: unknown, data: unknown): unknown;
  add_operation(name: string, code: (...args: unknown[]) => unknown): void;
}
const jsonLogic: JsonLogicEngine = jsonLogicModule;

type Prepared = boolean | string | number | null | readonly Prepared[] | { readonly [operator: string]: Prepared };

// json-logic-js evaluates these itself before it consults added operations (lazily, and with `var` rebound
// to each element for some/none), so our halves for them are installed under an alias.
const EVALUATED_BY_JSON_LOGIC = new Set(['if', '?:', 'and', 'or', 'filter', 'map', 'reduce', 'all', 'none', 'some']);

function jsonLogicName(name: string): string {
  return EVALUATED_BY_JSON_LOGIC.has(name) ? `tessera:${name}` : name;
}

/**
 * The form json-logic-js runs: a comparison gets its operand type as first argument (so `==` on decimals
 * compares numbers) and literals already checked; some/none map the element condition over the collection.
 */
function prepare(node: ConditionNode<OperandInfo, CollectionInfo>): Prepared {
  switch (node.kind) {
    case 'constant':
      return node.value;
    case 'compare':
      return {
        [jsonLogicName(node.def.name)]: [
          node.operand.operand,
          { var: node.path },
          ...node.literals.map((l) => (Array.isArray(l) ? [...l] : l)),
        ],
      };
    case 'logical':
      return { [jsonLogicName(node.def.name)]: node.args.map(prepare) };
    case 'quantifier':
      return { [jsonLogicName(node.def.name)]: [{ map: [{ var: node.path }, prepare(node.inner)] }] };
  }
}

function isCompareLiteral(value: unknown): value is CompareLiteral {
  const scalar = (v: unknown): boolean => v === null || ['string', 'number', 'boolean'].includes(typeof v);
  return scalar(value) || (Array.isArray(value) && value.every((v: unknown) => v !== null && scalar(v)));
}

const booleans = (values: readonly unknown[]): boolean[] => values.map((v) => v === true);

function adapter(def: OperatorDef): (...args: unknown[]) => boolean {
  switch (def.kind) {
    case 'compare':
      return (operand: unknown, value: unknown, ...literals: unknown[]) => {
        // The standard form ({"==": [a, b]}) is not ours to run: it would silently mean something else.
        if (!isOperandType(operand) || !literals.every(isCompareLiteral)) {
          throw ruleError('rules.invalid_operator', `"${def.name}" was applied to a condition that evaluateCondition did not prepare`);
        }
        return def.memory(value ?? null, literals, operand);
      };
    case 'logical':
      return (...results: unknown[]) => def.memory(booleans(results));
    case 'quantifier':
      return (results: unknown) => def.memory(Array.isArray(results) ? booleans(results) : []);
  }
}

// json-logic-js keeps one operation table per process; it holds the halves of the registry used last.
let installed: { registry: OperatorRegistry; count: number } | undefined;

function install(registry: OperatorRegistry): void {
  const defs = registry.list();
  if (installed !== undefined && installed.registry === registry && installed.count === defs.length) return;
  for (const def of defs) jsonLogic.add_operation(jsonLogicName(def.name), adapter(def));
  installed = { registry, count: defs.length };
}

export type ConditionPredicate = (record: unknown) => boolean;

/**
 * Checks the condition once (same errors as compileConditionSql) and returns a predicate for records:
 * nested objects, belongsTo relations as objects with an `id`, hasMany/manyToMany as arrays.
 */
export function compileConditionMemory(logic: unknown, scope: ConditionScope, registry: OperatorRegistry): ConditionPredicate {
  const prepared = prepare(parseCondition(logic, scope, registry));
  return (record) => {
    install(registry);
    return jsonLogic.apply(prepared, record) === true;
  };
}

export function evaluateCondition(logic: unknown, record: unknown, scope: ConditionScope, registry: OperatorRegistry): boolean {
  return compileConditionMemory(logic, scope, registry)(record);
}
