// Evaluates a condition on one record in memory with json-logic-js, the registry's memory halves installed
// in place of json-logic-js's own operators, so the answer is the one the compiled SQL gives for that row.
// Used by the server (rules, approvals) and the browser (field visibility): no Node APIs here.
import jsonLogicModule from 'json-logic-js';
import { ruleError } from './errors.js';
import { isOperandType } from './operand-values.js';
import type { OperandType } from '../metadata/field-kinds.js';
import { isDynamic } from './condition-tree.js';
import type { CompareLiteral, CompareOperatorDef, OperatorDef, OperatorRegistry } from './operator-registry.js';
import {
  parseCondition,
  parseExpression,
  type CollectionInfo,
  type ConditionNode,
  type ConditionScope,
  type ExpressionNode,
  type OperandInfo,
  type ParseOptions,
} from './parse-condition.js';

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

type MemoryNode = ConditionNode<OperandInfo, CollectionInfo>;
type MemoryExpression = ExpressionNode<OperandInfo, CollectionInfo>;

const DYNAMIC = 'tessera:dyn:';
const FUNCTION = 'tessera:fn:';
const CHOOSE = 'tessera:choose';

function prepareExpression(node: MemoryExpression): Prepared {
  switch (node.kind) {
    case 'var':
      return { var: node.path };
    case 'literal':
      return node.value;
    case 'call':
      // The argument types go first, as a list json-logic-js leaves as it is.
      return { [FUNCTION + node.def.name]: [node.args.map((a) => a.type), ...node.args.map(prepareExpression)] };
    case 'choose':
      return {
        [CHOOSE]: [...node.branches.flatMap((b) => [prepare(b.when), prepareExpression(b.then)]), prepareExpression(node.otherwise)],
      };
  }
}

/**
 * The form json-logic-js runs: a comparison gets its operand type as first argument (so `==` on decimals
 * compares numbers) and literals already checked; some/none map the element condition over the collection.
 * A comparison with computed arguments runs under its own name, which makes it false when one has no value.
 */
function prepare(node: MemoryNode): Prepared {
  switch (node.kind) {
    case 'constant':
      return node.value;
    case 'compare': {
      const dynamic = node.args.some(isDynamic);
      const args = node.args.map((a) => (isDynamic(a) ? prepareExpression(a.dynamic) : Array.isArray(a.static) ? [...a.static] : a.static));
      return { [dynamic ? DYNAMIC + node.def.name : jsonLogicName(node.def.name)]: [node.operand, prepareExpression(node.left), ...args] };
    }
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

function compareAdapter(def: CompareOperatorDef, dynamic: boolean): (...args: unknown[]) => boolean {
  return (operand: unknown, value: unknown, ...literals: unknown[]) => {
    // The standard form ({"==": [a, b]}) is not ours to run: it would silently mean something else.
    if (!isOperandType(operand) || !literals.every(isCompareLiteral)) {
      throw ruleError('rules.invalid_operator', `"${def.name}" was applied to a condition that evaluateCondition did not prepare`);
    }
    if (dynamic && literals.some((l) => l === null)) return false;
    return def.memory(value ?? null, literals, operand);
  };
}

/** Each operator under the names prepare() gives it in json-logic-js's table. */
function adapters(def: OperatorDef): Array<[string, (...args: unknown[]) => unknown]> {
  switch (def.kind) {
    case 'compare':
      return [
        [jsonLogicName(def.name), compareAdapter(def, false)],
        [DYNAMIC + def.name, compareAdapter(def, true)],
      ];
    case 'logical':
      return [[jsonLogicName(def.name), (...results: unknown[]) => def.memory(booleans(results))]];
    case 'quantifier':
      return [[jsonLogicName(def.name), (results: unknown) => def.memory(Array.isArray(results) ? booleans(results) : [])]];
    case 'function':
      return [
        [
          FUNCTION + def.name,
          (types: unknown, ...args: unknown[]) => {
            if (!Array.isArray(types) || !types.every(isOperandType)) {
              throw ruleError('rules.invalid_operator', `"${def.name}" was applied to an expression that was not prepared`);
            }
            return def.memory(
              args.map((a) => a ?? null),
              types,
            );
          },
        ],
      ];
  }
}

/** `if` as prepared: condition/value pairs, then the value otherwise (json-logic-js's own `if` is lazy and loose). */
function choose(...args: unknown[]): unknown {
  for (let i = 0; i + 1 < args.length; i += 2) if (args[i] === true) return args[i + 1] ?? null;
  return args[args.length - 1] ?? null;
}

// json-logic-js keeps one operation table per process; it holds the halves of the registry used last.
let installed: { registry: OperatorRegistry; count: number } | undefined;

function install(registry: OperatorRegistry): void {
  const defs = registry.list();
  if (installed !== undefined && installed.registry === registry && installed.count === defs.length) return;
  for (const def of defs) for (const [name, fn] of adapters(def)) jsonLogic.add_operation(name, fn);
  jsonLogic.add_operation(CHOOSE, choose);
  installed = { registry, count: defs.length };
}

export type ConditionPredicate = (record: unknown) => boolean;

/**
 * Checks the condition once (same errors as compileConditionSql) and returns a predicate for records:
 * nested objects, belongsTo relations as objects with an `id`, hasMany/manyToMany as arrays.
 */
export function compileConditionMemory(
  logic: unknown,
  scope: ConditionScope,
  registry: OperatorRegistry,
  options?: ParseOptions,
): ConditionPredicate {
  const prepared = prepare(parseCondition(logic, scope, registry, options));
  return (record) => {
    install(registry);
    return jsonLogic.apply(prepared, record) === true;
  };
}

/** What an expression gives for a record: decimals as exact strings, null for no value. */
export type ExpressionFunction = (record: unknown) => unknown;

/** Checks and types a value expression once (same errors as compileExpressionSql); returns its evaluator and type. */
export function compileExpressionMemory(
  logic: unknown,
  scope: ConditionScope,
  registry: OperatorRegistry,
  options?: ParseOptions,
): { readonly evaluate: ExpressionFunction; readonly type: OperandType } {
  const node = parseExpression(logic, scope, registry, options);
  const prepared = prepareExpression(node);
  return {
    type: node.type,
    evaluate(record) {
      install(registry);
      return jsonLogic.apply(prepared, record) ?? null;
    },
  };
}

export function evaluateCondition(logic: unknown, record: unknown, scope: ConditionScope, registry: OperatorRegistry): boolean {
  return compileConditionMemory(logic, scope, registry)(record);
}
