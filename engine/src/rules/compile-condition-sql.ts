// Compiles a condition to a parameterised PostgreSQL boolean expression, for lists, scopes, Cube and
// partial indexes. The context resolves vars to SQL (joins are its business) and binds the values.
import { parseCondition, type ConditionNode, type OperandInfo } from './parse-condition.js';
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
 * matches", e.g. open `EXISTS (SELECT 1 FROM contact c1 WHERE c1.customer_id = t.id AND `, close `)`.
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

function emit(node: ConditionNode<SqlOperand, SqlCollection>, ctx: SqlCompileContext): string {
  switch (node.kind) {
    case 'constant':
      return node.value ? 'TRUE' : 'FALSE';
    case 'logical':
      return node.def.sql(node.args.map((arg) => emit(arg, ctx)));
    case 'quantifier':
      return node.def.sql(node.collection.open, emit(node.inner, node.collection.context), node.collection.close);
    case 'compare': {
      const operandType = operandValues[node.operand.operand].sqlType;
      const placeholders = node.literals.map((literal, i) => {
        if (literal === null) return null;
        const slot = node.def.literals[i];
        const type = typeof slot === 'object' ? operandValues[slot.type].sqlType : operandType;
        // Every value is cast, so the statement types the same in PostgreSQL 15 and PGlite whatever the column is.
        return Array.isArray(literal) ? `${ctx.param([...literal])}::${type}[]` : `${ctx.param(literal)}::${type}`;
      });
      return `(${node.def.sql(node.operand.sql, placeholders, node.operand.operand)})`;
    }
  }
}

/**
 * Throws EngineError 400 (`filter.*`, with JSON pointers into `logic`) for conditions that are not valid
 * for the context's fields; nothing from `logic` reaches the SQL text except through `ctx.param`.
 */
export function compileConditionSql(logic: unknown, ctx: SqlCompileContext, registry: OperatorRegistry): string {
  return emit(parseCondition<SqlOperand, SqlCollection>(logic, ctx, registry), ctx);
}
