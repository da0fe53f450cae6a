// The checked form of conditions and expressions that both evaluators walk (see parse-condition.ts).
import type { OperandType } from '../metadata/field-kinds.js';
import type {
  CompareLiteral,
  CompareOperatorDef,
  FunctionOperatorDef,
  LogicalOperatorDef,
  QuantifierOperatorDef,
} from './operator-registry.js';

/** A value computed from a record: a field, a literal, a function of values, or a choice by conditions. */
export type ExpressionNode<V, C> =
  | { readonly kind: 'var'; readonly type: OperandType; readonly path: string; readonly operand: V }
  | { readonly kind: 'literal'; readonly type: OperandType; readonly value: string | number | boolean | null }
  | { readonly kind: 'call'; readonly type: OperandType; readonly def: FunctionOperatorDef; readonly args: readonly ExpressionNode<V, C>[] }
  | {
      readonly kind: 'choose';
      readonly type: OperandType;
      readonly branches: readonly { readonly when: ConditionNode<V, C>; readonly then: ExpressionNode<V, C> }[];
      readonly otherwise: ExpressionNode<V, C>;
    };

/** What a comparison tests its left side against: a checked literal, or a value computed per record. */
export type CompareArg<V, C> = { readonly static: CompareLiteral } | { readonly dynamic: ExpressionNode<V, C> };

export type ConditionNode<V, C> =
  | { readonly kind: 'constant'; readonly value: boolean }
  | { readonly kind: 'logical'; readonly def: LogicalOperatorDef; readonly args: readonly ConditionNode<V, C>[] }
  | {
      readonly kind: 'compare';
      readonly def: CompareOperatorDef;
      readonly left: ExpressionNode<V, C>;
      /** The type both sides are compared as (a var's own, or the common type of computed sides). */
      readonly operand: OperandType;
      readonly args: readonly CompareArg<V, C>[];
    }
  | {
      readonly kind: 'quantifier';
      readonly def: QuantifierOperatorDef;
      readonly path: string;
      readonly collection: C;
      readonly inner: ConditionNode<V, C>;
    };

/** Whether a comparison's argument is computed per record. */
export function isDynamic<V, C>(arg: CompareArg<V, C>): arg is { readonly dynamic: ExpressionNode<V, C> } {
  return 'dynamic' in arg;
}
