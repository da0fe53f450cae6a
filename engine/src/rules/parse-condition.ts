// Checks a JSON Logic condition against the operand types of its vars and turns it into the tree both
// evaluators walk. Both go through this one function, so memory and SQL accept and reject the same
// conditions. Conditions are user input (URL filters): every problem is collected, then thrown once.
import { isEngineError, type FieldError, problemsOf } from '../shared/engine-error.js';
import { escapePointerToken } from '../shared/json-pointer.js';
import { conditionError, conditionProblem, type ConditionProblemCode } from './errors.js';
import { operandValues, type LiteralValue } from './operand-values.js';
import type { CompareLiteral, CompareOperatorDef, LiteralSlot, OperatorRegistry } from './operator-registry.js';
import type { CompareArg, ConditionNode, ExpressionNode } from './condition-tree.js';
import { countText, createExpressionParser, isExpression } from './parse-expression.js';
import { unifyTypes } from './builtin-functions.js';
import type { OperandInfo, Scope, ScopeCollection } from './condition-scope.js';

export const MAX_DEPTH = 32;
export const MAX_LIST_LENGTH = 1000;
/** Beyond this many problems the rest add noise, not help. */
const MAX_PROBLEMS = 50;

export type { CollectionInfo, ConditionScope, OperandInfo, Scope, ScopeCollection } from './condition-scope.js';

export type { CompareArg, ConditionNode, ExpressionNode } from './condition-tree.js';

export interface ParseOptions {
  /** Allow functions that read the clock (today); stored values and index conditions may not. */
  readonly allowVolatile?: boolean;
}

interface Arg {
  readonly value: unknown;
  readonly pointer: string;
}

const FAILED = { kind: 'constant', value: false } as const;

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** The parts both parse functions share: one problem list, one condition walker, one expression parser. */
function createParser<V extends OperandInfo, C extends ScopeCollection<V, C>>(registry: OperatorRegistry, options: ParseOptions) {
  const problems: FieldError[] = [];
  const report = (code: ConditionProblemCode, pointer: string, message: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(conditionProblem(code, pointer, message));
  };

  /** Runs a scope lookup; its EngineError (say, an unknown field) becomes one more problem. */
  function lookup<T>(pointer: string, find: () => T): T | undefined {
    try {
      return find();
    } catch (error) {
      if (!isEngineError(error)) throw error;
      const found = problemsOf(error, pointer);
      for (const problem of found) if (problems.length < MAX_PROBLEMS) problems.push(problem);
      return undefined;
    }
  }

  function argsOf(value: unknown, pointer: string, name: string, allowBare: boolean): Arg[] | undefined {
    if (Array.isArray(value)) return value.map((v: unknown, i) => ({ value: v, pointer: `${pointer}/${i}` }));
    if (allowBare) return [{ value, pointer }];
    report('filter.malformed', pointer, `"${name}" expects a list of arguments`);
    return undefined;
  }

  function varPath(arg: Arg, name: string): string | undefined {
    const entries = isObject(arg.value) && !Array.isArray(arg.value) ? Object.entries(arg.value) : [];
    const [key, target] = entries.length === 1 && entries[0] !== undefined ? entries[0] : [undefined, undefined];
    if (key !== 'var') {
      report('filter.malformed', arg.pointer, `The first argument of "${name}" must be a var, like {"var": "amount"}`);
      return undefined;
    }
    const path: unknown = Array.isArray(target) && target.length === 1 ? target[0] : target;
    if (typeof path !== 'string' || path === '') {
      report('filter.malformed', arg.pointer, 'A var must name a field path, like {"var": "company.name"}');
      return undefined;
    }
    return path;
  }

  function literal(slot: LiteralSlot, arg: Arg, operand: OperandInfo, name: string): CompareLiteral | undefined {
    if (typeof slot === 'object') {
      const check = isObject(arg.value) || arg.value === null ? undefined : operandValues[slot.type].literal(arg.value);
      if (check?.ok) return check.value;
      report('filter.invalid_value', arg.pointer, `"${name}" needs a ${slot.type} value here${check ? `: ${check.reason}` : ''}`);
      return undefined;
    }
    const describe = `field "${operand.path}" (${operand.operand})`;
    const scalarAt = (value: unknown, pointer: string): LiteralValue | undefined => {
      const check = operandValues[operand.operand].literal(value);
      if (check.ok) return check.value;
      report('filter.invalid_value', pointer, `Invalid value for ${describe}: ${check.reason}`);
      return undefined;
    };
    if (slot === 'list') {
      if (!Array.isArray(arg.value)) {
        report('filter.malformed', arg.pointer, `"${name}" expects a list of values, like {"${name}": [{"var": "x"}, ["a", "b"]]}`);
        return undefined;
      }
      if (arg.value.length > MAX_LIST_LENGTH) {
        report('filter.too_many_values', arg.pointer, `A list may hold at most ${MAX_LIST_LENGTH} values`);
        return undefined;
      }
      const values: LiteralValue[] = [];
      arg.value.forEach((v: unknown, i) => {
        if (v === null) {
          // As in SQL, NULL IN (...) is never true: a null in the list would silently match nothing.
          report(
            'filter.invalid_value',
            `${arg.pointer}/${i}`,
            `"${name}" lists cannot hold null; to match no value too, use {"or": [{"${name}": [{"var": "${operand.path}"}, [...]]}, {"isNull": [{"var": "${operand.path}"}]}]}`,
          );
          return;
        }
        const checked = scalarAt(v, `${arg.pointer}/${i}`);
        if (checked !== undefined) values.push(checked);
      });
      return values.length === arg.value.length ? values : undefined;
    }
    if (arg.value === null) {
      if (slot === 'valueOrNull') return null;
      report('filter.invalid_value', arg.pointer, `"${name}" needs a value for ${describe}; use isNull to test for no value`);
      return undefined;
    }
    if (isObject(arg.value)) {
      report('filter.malformed', arg.pointer, `"${name}" compares a var with a literal value, not with an expression or list`);
      return undefined;
    }
    return scalarAt(arg.value, arg.pointer);
  }

  const expressions = createExpressionParser<V, C>({
    registry,
    maxDepth: MAX_DEPTH,
    allowVolatile: options.allowVolatile ?? true,
    report,
    lookup,
    condition: (node, pointer, depth, scope) => walk(node, pointer, depth, scope),
  });

  /** The left side: a var (its field's operators apply) or an expression (any operator for its type). */
  function left(
    arg: Arg,
    name: string,
    depth: number,
    scope: Scope<V, C>,
  ): { node: ExpressionNode<V, C>; operators?: readonly string[] } | undefined {
    if (isExpression(arg.value, registry) && !(isObject(arg.value) && 'var' in arg.value)) {
      const node = expressions.expression(arg.value, arg.pointer, depth + 1, scope);
      return { node };
    }
    const path = varPath(arg, name);
    if (path === undefined) return undefined;
    const operand = lookup(arg.pointer, () => scope.resolveVar(path, arg.pointer));
    if (operand === undefined) return undefined;
    return { node: { kind: 'var', type: operand.operand, path, operand }, operators: operand.operators };
  }

  function compare(def: CompareOperatorDef, args: Arg[], at: string, depth: number, scope: Scope<V, C>): ConditionNode<V, C> {
    const [first, ...rest] = args;
    if (first === undefined || rest.length !== def.literals.length) {
      report('filter.malformed', at, `"${def.name}" takes a var and ${def.literals.length} value(s)`);
      return FAILED;
    }
    const side = left(first, def.name, depth, scope);
    if (side === undefined) return FAILED;
    const dynamic = rest.map((arg, i) => {
      const slot = def.literals[i];
      return slot !== 'list' && isExpression(arg.value, registry)
        ? expressions.expression(arg.value, arg.pointer, depth + 1, scope)
        : undefined;
    });
    if (expressions.isFailed(side.node) || dynamic.some((d) => d !== undefined && expressions.isFailed(d))) return FAILED;
    const computed = side.node.kind !== 'var' || dynamic.some((d) => d !== undefined);
    // Computed sides compare as their common type; integers and decimals meet as decimals, exactly.
    let operand = side.node.type;
    if (computed) {
      const types = [
        side.node.type,
        ...dynamic.flatMap((d, i) => (d === undefined || typeof def.literals[i] === 'object' ? [] : [d.type])),
      ];
      const common = unifyTypes(types);
      if (common === undefined) {
        report('filter.type_mismatch', at, `"${def.name}" cannot compare ${types.join(' with ')}`);
        return FAILED;
      }
      operand = common === 'integer' ? 'decimal' : common;
    }
    const path = side.node.kind === 'var' ? side.node.path : `(${def.name})`;
    if ((side.operators !== undefined && !side.operators.includes(def.name)) || !def.operands.includes(operand)) {
      report(
        'filter.operator_not_allowed',
        first.pointer,
        `Operator "${def.name}" is not allowed on ${side.node.kind === 'var' ? `field "${path}"` : `a ${operand} value`}`,
      );
      return FAILED;
    }
    const info: OperandInfo = { operand, operators: side.operators ?? [def.name], path };
    const checked: CompareArg<V, C>[] = [];
    rest.forEach((arg, i) => {
      const slot = def.literals[i];
      const computedArg = dynamic[i];
      if (computedArg !== undefined) {
        const want = typeof slot === 'object' ? slot.type : operand;
        if (unifyTypes([want, computedArg.type]) === undefined) {
          report('filter.type_mismatch', arg.pointer, `"${def.name}" needs a ${want} value here, not ${computedArg.type}`);
          return;
        }
        checked.push({ dynamic: computedArg });
        return;
      }
      const value = slot === undefined ? undefined : literal(slot, arg, info, def.name);
      if (value !== undefined) checked.push({ static: value });
    });
    if (checked.length !== rest.length) return FAILED;
    return { kind: 'compare', def, left: side.node, operand, args: checked };
  }

  function walk(node: unknown, pointer: string, depth: number, scope: Scope<V, C>): ConditionNode<V, C> {
    if (depth > MAX_DEPTH) {
      report('filter.too_deep', pointer, `Conditions may be nested at most ${MAX_DEPTH} levels deep`);
      return FAILED;
    }
    if (typeof node === 'boolean') return { kind: 'constant', value: node };
    const entries = isObject(node) && !Array.isArray(node) ? Object.entries(node) : [];
    const entry = entries.length === 1 ? entries[0] : undefined;
    if (entry === undefined) {
      report(
        'filter.malformed',
        pointer,
        'Expected true, false or an object with exactly one operator, like {"==": [{"var": "status"}, "open"]}',
      );
      return FAILED;
    }
    const [name, value] = entry;
    const at = `${pointer}/${escapePointerToken(name)}`;
    if (name === 'var') {
      // json-logic-js treats a bare var as "the value is truthy"; here a condition compares, so say how.
      report('filter.malformed', pointer, `A var alone is not a condition; compare it, like {"==": [${JSON.stringify(node)}, true]}`);
      return FAILED;
    }
    if (!registry.has(name)) {
      report('filter.unknown_operator', at, `Unknown operator "${name}"`);
      return FAILED;
    }
    const def = registry.get(name);
    switch (def.kind) {
      case 'compare': {
        const args = argsOf(value, at, name, def.literals.length === 0);
        return args === undefined ? FAILED : compare(def, args, at, depth, scope);
      }
      case 'logical': {
        const args = argsOf(value, at, name, def.maxArgs === 1);
        if (args === undefined) return FAILED;
        if (args.length < def.minArgs || (def.maxArgs !== null && args.length > def.maxArgs)) {
          report('filter.malformed', at, `"${name}" takes ${countText(def.minArgs, def.maxArgs)} condition(s)`);
          return FAILED;
        }
        return { kind: 'logical', def, args: args.map((a) => walk(a.value, a.pointer, depth + 1, scope)) };
      }
      case 'quantifier': {
        const args = argsOf(value, at, name, false);
        if (args === undefined) return FAILED;
        const [first, second] = args;
        if (first === undefined || second === undefined || args.length !== 2) {
          report('filter.malformed', at, `"${name}" takes a var naming a collection and a condition`);
          return FAILED;
        }
        const path = varPath(first, name);
        const collection = path === undefined ? undefined : lookup(first.pointer, () => scope.resolveCollection(path, first.pointer));
        if (path === undefined || collection === undefined) return FAILED;
        const inner = walk(second.value, second.pointer, depth + 1, collection.context);
        return { kind: 'quantifier', def, path, collection, inner };
      }
      case 'function':
        report('filter.malformed', at, `"${name}" computes a value; compare it, like {">": [{"${name}": [...]}, 0]}`);
        return FAILED;
    }
  }

  /** Throws every problem found so far as one error. */
  function finish<T>(result: T): T {
    if (problems.length > 0) throw conditionError(problems);
    return result;
  }

  return { walk, expressions, finish };
}

export function parseCondition<V extends OperandInfo, C extends ScopeCollection<V, C>>(
  logic: unknown,
  rootScope: Scope<V, C>,
  registry: OperatorRegistry,
  options: ParseOptions = {},
): ConditionNode<V, C> {
  const parser = createParser<V, C>(registry, options);
  return parser.finish(parser.walk(logic, '', 1, rootScope));
}

/** Checks and types a value expression (a computed field's formula); literals alone are allowed. */
export function parseExpression<V extends OperandInfo, C extends ScopeCollection<V, C>>(
  logic: unknown,
  rootScope: Scope<V, C>,
  registry: OperatorRegistry,
  options: ParseOptions = {},
): ExpressionNode<V, C> {
  const parser = createParser<V, C>(registry, options);
  return parser.finish(parser.expressions.value(logic, '', 1, rootScope, 'decimal'));
}
