// Compiles a condition to a parameterised PostgreSQL boolean expression, for lists, scopes, Cube and
// partial indexes. The context resolves vars to SQL (joins are its business) and binds the values.
import type { OperandType } from '../metadata/field-kinds.js';
import { isDynamic } from './condition-tree.js';
import {
  parseCondition,
  parseExpression,
  type ConditionNode,
  type ExpressionNode,
  type OperandInfo,
  type ParseOptions,
} from './parse-condition.js';
import { operandValues } from './operand-values.js';
import type { OperatorRegistry } from './operator-registry.js';

// The two ways to fill `param`, offered next to the compiler that needs one of them.

/** A var resolved to SQL. `sql` must bind tighter than any operator: a column reference or parenthesised. */
export interface SqlOperand extends OperandInfo {
  readonly sql: string;
}

/**
 * A hasMany or manyToMany path, for some/none. `some` compiles to `<open>(<condition>)<close>` and `none`
 * to `NOT (<open>(<condition>)<close>)`, so together they must make a never-NULL test for "an element
 * matches", e.g. open `EXISTS (SELECT 1 FROM child c1 WHERE c1.parent_id = t.id AND `, close `)`.
 */
export interface SqlCollection {
  readonly open: string;
  readonly close: string;
  /** Resolves the element's vars (aliases its table as `open` does). */
  readonly context: SqlCompileContext;
  readonly path: string;
}

export interface SqlCompileContext {
  /** Throws an EngineError (with the pointer) for unknown paths. */
  resolveVar(path: string, pointer: string): SqlOperand;
  resolveCollection(path: string, pointer: string): SqlCollection;
  /** Registers a bound parameter and returns its placeholder (SqlParams.add), or for DDL an inlined literal (sqlLiteral). */
  param(value: unknown): string;
}

type SqlNode = ConditionNode<SqlOperand, SqlCollection>;
type SqlExpression = ExpressionNode<SqlOperand, SqlCollection>;

/** The SQL type a value of this operand type is written as (text for enums, numeric for integers in arithmetic). */
function sqlTypeOf(type: OperandType): string {
  return operandValues[type].sqlType ?? 'jsonb';
}

function emitExpression(node: SqlExpression, ctx: SqlCompileContext): string {
  switch (node.kind) {
    case 'var':
      return node.operand.sql;
    case 'literal':
      return node.value === null ? `NULL::${sqlTypeOf(node.type)}` : `${ctx.param(node.value)}::${sqlTypeOf(node.type)}`;
    case 'call':
      return node.def.sql(
        node.args.map((arg) => `(${emitExpression(arg, ctx)})`),
        node.args.map((arg) => arg.type),
      );
    case 'choose': {
      // Every branch is cast to the one result type, so CASE never has to reconcile text with numeric.
      const cast = (value: SqlExpression): string => `(${emitExpression(value, ctx)})::${sqlTypeOf(node.type)}`;
      const whens = node.branches.map((b) => `WHEN ${emit(b.when, ctx)} THEN ${cast(b.then)}`).join(' ');
      return `(CASE ${whens} ELSE ${cast(node.otherwise)} END)`;
    }
  }
}

function emit(node: SqlNode, ctx: SqlCompileContext): string {
  switch (node.kind) {
    case 'constant':
      return node.value ? 'TRUE' : 'FALSE';
    case 'logical':
      return node.def.sql(node.args.map((arg) => emit(arg, ctx)));
    case 'quantifier':
      return node.def.sql(node.collection.open, emit(node.inner, node.collection.context), node.collection.close);
    case 'compare': {
      const operandType = sqlTypeOf(node.operand);
      const computed: string[] = [];
      const placeholders = node.args.map((arg, i) => {
        const slot = node.def.literals[i];
        const type = typeof slot === 'object' ? sqlTypeOf(slot.type) : operandType;
        if (isDynamic(arg)) {
          const sql = `(${emitExpression(arg.dynamic, ctx)})::${type}`;
          computed.push(sql);
          return sql;
        }
        const literal = arg.static;
        if (literal === null) return null;
        // Every value is cast, so the statement types the same whatever the column is.
        return Array.isArray(literal) ? `${ctx.param([...literal])}::${type}[]` : `${ctx.param(literal)}::${type}`;
      });
      const left = node.left.kind === 'var' ? node.left.operand.sql : `(${emitExpression(node.left, ctx)})::${operandType}`;
      const test = `(${node.def.sql(left, placeholders, node.operand)})`;
      // A comparison with a computed value that has none is false, as in memory (see evaluate-condition.ts).
      return computed.length === 0 ? test : `(${[...computed.map((c) => `${c} IS NOT NULL`), test].join(' AND ')})`;
    }
  }
}

/**
 * Throws EngineError 400 (`filter.*`, with JSON pointers into `logic`) for conditions that are not valid
 * for the context's fields; nothing from `logic` reaches the SQL text except through `ctx.param`.
 */
export function compileConditionSql(logic: unknown, ctx: SqlCompileContext, registry: OperatorRegistry, options?: ParseOptions): string {
  return emit(parseCondition<SqlOperand, SqlCollection>(logic, ctx, registry, options), ctx);
}

/** A value expression as SQL of its type (see parseExpression), with its type. */
export function compileExpressionSql(
  logic: unknown,
  ctx: SqlCompileContext,
  registry: OperatorRegistry,
  options?: ParseOptions,
): { readonly sql: string; readonly type: OperandType } {
  const node = parseExpression<SqlOperand, SqlCollection>(logic, ctx, registry, options);
  return { sql: emitExpression(node, ctx), type: node.type };
}
