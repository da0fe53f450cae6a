// Checks an expression (a field, a literal, a function of expressions, or `if`) and types it with operand
// types, for computed fields, scoring and comparisons between computed values. Called by parse-condition.ts,
// which owns the problem list and hands in its condition walker for the conditions inside `if`.
import type { OperandType } from '../metadata/field-kinds.js';
import { escapePointerToken } from '../shared/json-pointer.js';
import { unifyTypes } from './builtin-functions.js';
import type { ConditionNode, ExpressionNode } from './condition-tree.js';
import type { ConditionProblemCode } from './errors.js';
import { operandValues } from './operand-values.js';
import type { OperatorRegistry } from './operator-registry.js';
import type { OperandInfo, Scope, ScopeCollection } from './condition-scope.js';

export interface ExpressionParserDeps<V extends OperandInfo, C extends ScopeCollection<V, C>> {
  readonly registry: OperatorRegistry;
  readonly maxDepth: number;
  /** Volatile functions (today) read the clock: allowed in filters and checks, not in stored values. */
  readonly allowVolatile: boolean;
  report(code: ConditionProblemCode, pointer: string, message: string): void;
  lookup<T>(pointer: string, find: () => T): T | undefined;
  condition(node: unknown, pointer: string, depth: number, scope: Scope<V, C>): ConditionNode<V, C>;
}

type Literal = string | number | boolean | null;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The one operator of `{"op": args}`, or undefined when the value is not an operator object. */
export function operatorOf(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  return keys.length === 1 ? keys[0] : undefined;
}

/** Whether a comparison's argument is an expression (a var, a function or `if`) rather than a literal. */
export function isExpression(value: unknown, registry: OperatorRegistry): boolean {
  const op = operatorOf(value);
  return op === 'var' || op === 'if' || (op !== undefined && registry.has(op) && registry.get(op).kind === 'function');
}

/** "at least 1", "exactly 2", "1 to 2": how many arguments an operator takes, for messages. */
export function countText(min: number, max: number | null): string {
  return max === null ? `at least ${min}` : max === min ? `exactly ${min}` : `${min} to ${max}`;
}

const JS_TYPE: Readonly<Record<string, OperandType>> = { string: 'text', boolean: 'boolean' };

export function createExpressionParser<V extends OperandInfo, C extends ScopeCollection<V, C>>(deps: ExpressionParserDeps<V, C>) {
  const { registry, report } = deps;
  const FAILED: ExpressionNode<V, C> = { kind: 'literal', type: 'text', value: null };

  /** A literal read as `hint` when it can be one, else as what its JSON type says. */
  function literal(value: Literal, pointer: string, hint: OperandType): ExpressionNode<V, C> {
    if (value === null) return { kind: 'literal', type: hint, value: null };
    const numeric = hint === 'integer' || hint === 'decimal';
    if (typeof value === 'number') {
      const check = operandValues.decimal.literal(value);
      if (!check.ok) {
        report('filter.invalid_value', pointer, check.reason);
        return FAILED;
      }
      return { kind: 'literal', type: Number.isSafeInteger(value) ? 'integer' : 'decimal', value: check.value };
    }
    const typed = numeric ? 'decimal' : hint;
    const check = operandValues[typed].sqlType === null ? undefined : operandValues[typed].literal(value);
    if (check?.ok) return { kind: 'literal', type: typed === 'enum' || typed === 'multienum' ? 'text' : typed, value: check.value };
    const fallback = JS_TYPE[typeof value] ?? 'text';
    return { kind: 'literal', type: fallback, value };
  }

  function argsOf(value: unknown, pointer: string): Array<{ value: unknown; pointer: string }> {
    return Array.isArray(value) ? value.map((v: unknown, i) => ({ value: v, pointer: `${pointer}/${i}` })) : [{ value, pointer }];
  }

  function choose(value: unknown, at: string, depth: number, scope: Scope<V, C>, outer: OperandType): ExpressionNode<V, C> {
    const args = argsOf(value, at);
    if (!Array.isArray(value) || args.length < 3 || args.length % 2 === 0) {
      report('filter.malformed', at, '"if" takes a condition, a value, then more condition/value pairs, then the value otherwise');
      return FAILED;
    }
    const values = args.filter((_, i) => i % 2 === 1 || i === args.length - 1);
    const computed = values.map((a) =>
      a.value === null || typeof a.value !== 'object' ? undefined : expression(a.value, a.pointer, depth + 1, scope, outer),
    );
    const known = computed.flatMap((n) => (n === undefined ? [] : [n.type]));
    const hint = unifyTypes(known) ?? outer;
    const nodes = values.map((a, i) => computed[i] ?? literal(a.value as Literal, a.pointer, hint));
    if (nodes.includes(FAILED)) return FAILED;
    const type =
      unifyTypes(nodes.filter((n) => !(n.kind === 'literal' && n.value === null)).map((n) => n.type)) ??
      (known.length === 0 ? hint : undefined);
    if (type === undefined) {
      report('filter.type_mismatch', at, `The values of "if" must be of one type, not ${nodes.map((n) => n.type).join(', ')}`);
      return FAILED;
    }
    const branches: Array<{ when: ConditionNode<V, C>; then: ExpressionNode<V, C> }> = [];
    for (let i = 0; i + 1 < args.length; i += 2) {
      const when = args[i];
      const then = nodes[i / 2];
      if (when === undefined || then === undefined) continue;
      branches.push({ when: deps.condition(when.value, when.pointer, depth + 1, scope), then });
    }
    const otherwise = nodes[nodes.length - 1] ?? FAILED;
    return { kind: 'choose', type, branches, otherwise };
  }

  function call(name: string, value: unknown, at: string, depth: number, scope: Scope<V, C>, outer: OperandType): ExpressionNode<V, C> {
    const def = registry.get(name);
    if (def.kind !== 'function') {
      report('filter.malformed', at, `"${name}" is a condition, not a value; use it inside "if"`);
      return FAILED;
    }
    if (def.volatile && !deps.allowVolatile) {
      report(
        'filter.volatile',
        at,
        `"${name}" changes with the clock, so it cannot be used in an indexed value, nor in a stored one unless its entity declares a recomputeSchedule`,
      );
      return FAILED;
    }
    const args = Array.isArray(value) ? argsOf(value, at) : value === undefined ? [] : argsOf(value, at);
    if (args.length < def.minArgs || (def.maxArgs !== null && args.length > def.maxArgs)) {
      report('filter.malformed', at, `"${name}" takes ${countText(def.minArgs, def.maxArgs)} argument(s)`);
      return FAILED;
    }
    const computed = args.map((a, i) =>
      a.value !== null && typeof a.value === 'object'
        ? expression(a.value, a.pointer, depth + 1, scope, def.literalType(i, []) ?? outer)
        : undefined,
    );
    const others = computed.flatMap((n) => (n === undefined ? [] : [n.type]));
    const nodes = args.map((a, i) => computed[i] ?? literal(a.value as Literal, a.pointer, def.literalType(i, others) ?? outer));
    // An argument that failed has been reported; its stand-in type would only add a confusing second problem.
    if (nodes.includes(FAILED)) return FAILED;
    const signature = def.signature(nodes.map((n) => n.type));
    if ('error' in signature) {
      report('filter.type_mismatch', at, `${signature.error}, not ${nodes.map((n) => n.type).join(', ') || 'nothing'}`);
      return FAILED;
    }
    return { kind: 'call', type: signature.type, def, args: nodes };
  }

  /** An expression object: `{"var": path}`, `{"if": [...]}` or `{"<function>": args}`. */
  function expression(
    node: unknown,
    pointer: string,
    depth: number,
    scope: Scope<V, C>,
    outer: OperandType = 'decimal',
  ): ExpressionNode<V, C> {
    if (depth > deps.maxDepth) {
      report('filter.too_deep', pointer, `Expressions may be nested at most ${deps.maxDepth} levels deep`);
      return FAILED;
    }
    const name = operatorOf(node);
    if (name === undefined || !isObject(node)) {
      report(
        'filter.malformed',
        pointer,
        'Expected a value: a literal, {"var": "field"} or a function like {"*": [{"var": "quantity"}, 2]}',
      );
      return FAILED;
    }
    const value = node[name];
    const at = `${pointer}/${escapePointerToken(name)}`;
    if (name === 'var') {
      const target: unknown = Array.isArray(value) && value.length === 1 ? value[0] : value;
      if (typeof target !== 'string' || target === '') {
        report('filter.malformed', pointer, 'A var must name a field path, like {"var": "company.name"}');
        return FAILED;
      }
      const operand = deps.lookup(pointer, () => scope.resolveVar(target, pointer));
      return operand === undefined ? FAILED : { kind: 'var', type: operand.operand, path: target, operand };
    }
    if (name === 'if') return choose(value, at, depth, scope, outer);
    if (!registry.has(name)) {
      report('filter.unknown_operator', at, `Unknown function "${name}"`);
      return FAILED;
    }
    return call(name, value, at, depth, scope, outer);
  }

  /** A value in a position that may hold a literal: literals are read as `hint`. */
  function value(node: unknown, pointer: string, depth: number, scope: Scope<V, C>, hint: OperandType): ExpressionNode<V, C> {
    if (node !== null && typeof node === 'object') return expression(node, pointer, depth, scope, hint);
    return literal(node as Literal, pointer, hint);
  }

  /** Whether the node stands for an expression that failed (and was reported). */
  const isFailed = (node: ExpressionNode<V, C>): boolean => node === FAILED;

  return { expression, value, isFailed };
}
