// The four shapes an operator of the condition language takes (compare, logical, quantifier, function), each with
// its memory half and its SQL half; the registry (operator-registry.ts) holds them, the builtins and plugins make them.
import type { OperandType } from '../metadata/field-kinds.js';
import type { LiteralValue } from './operand-values.js';

/**
 * What follows the var in a comparison: one value, one value or null (`==` null is IS NULL), or a list.
 * Values are checked against the var's operand type (see operand-values.ts).
 */
export type LiteralSlot = 'value' | 'valueOrNull' | 'list' | TypedLiteralSlot;

/** A literal of a fixed type, whatever the var's type (e.g. a length on a text field). */
export interface TypedLiteralSlot {
  readonly type: OperandType;
}

/** A checked literal as the halves receive it. */
export type CompareLiteral = LiteralValue | null | readonly LiteralValue[];

/** `{"op": [{"var": "path"}, literal...]}`: tests one value of a record. Plugins add this kind. */
export interface CompareOperatorDef {
  readonly kind: 'compare';
  readonly name: string;
  /** Operand types the operator means something for; a field kind may allow it on fewer. */
  readonly operands: readonly OperandType[];
  readonly literals: readonly LiteralSlot[];
  /**
   * Memory half: the record's value (null when missing) and the checked literals. It must answer
   * exactly when the SQL half is TRUE (SQL NULL is false here). Runs in browsers: no Node APIs.
   */
  memory(value: unknown, literals: readonly CompareLiteral[], operand: OperandType): boolean;
  /**
   * SQL half: the operand's SQL expression and the literals as cast placeholders (`$2::numeric`,
   * `$3::text[]` for a list, null for a null literal). Returns a boolean expression. It must be a pure
   * function of its arguments: compiled statements are cached and reused, so read the clock in SQL (now()).
   */
  sql(operand: string, literals: readonly (string | null)[], operandType: OperandType): string;
}

/** Combines whole conditions: `!`, `and`, `or`. */
export interface LogicalOperatorDef {
  readonly kind: 'logical';
  readonly name: string;
  readonly minArgs: number;
  /** null: no upper bound. */
  readonly maxArgs: number | null;
  memory(results: readonly boolean[]): boolean;
  sql(parts: readonly string[]): string;
}

/** `{"some": [{"var": "contacts"}, condition]}`: a condition over the elements of a hasMany/manyToMany path. */
export interface QuantifierOperatorDef {
  readonly kind: 'quantifier';
  readonly name: string;
  /** The condition's result for each element (an empty or missing collection gives none). */
  memory(results: readonly boolean[]): boolean;
  /** `open` and `close` come from the context (see SqlCollection) and surround the element condition `inner`. */
  sql(open: string, inner: string, close: string): string;
}

/**
 * `{"+": [a, b]}`: computes a value from values (vars, literals, other functions). Arguments and result are
 * typed with operand types; a NULL argument gives NULL unless the function says otherwise, in both halves.
 */
export interface FunctionOperatorDef {
  readonly kind: 'function';
  readonly name: string;
  readonly minArgs: number;
  /** null: no upper bound. */
  readonly maxArgs: number | null;
  /** Reads the clock (today): such a value cannot be stored or indexed, it would go stale. */
  readonly volatile?: boolean;
  /**
   * How a literal argument is read (`"1.5"` as a decimal, `"2024-01-31"` as a date), given the types of the
   * other arguments; undefined: as the value the function itself is expected to give.
   */
  literalType(index: number, others: readonly OperandType[]): OperandType | undefined;
  /** The result type for these argument types, or why they do not fit. */
  signature(args: readonly OperandType[]): { readonly type: OperandType } | { readonly error: string };
  /**
   * Memory half: argument values (decimals as strings or numbers, dates as 'YYYY-MM-DD', null for no value).
   * Decimal results are exact decimal strings. Runs in browsers: no Node APIs.
   */
  memory(args: readonly unknown[], types: readonly OperandType[]): unknown;
  /** SQL half: argument expressions (parenthesised) of the given types; returns an expression of the result type. */
  sql(args: readonly string[], types: readonly OperandType[]): string;
}

export type OperatorDef = CompareOperatorDef | LogicalOperatorDef | QuantifierOperatorDef | FunctionOperatorDef;
