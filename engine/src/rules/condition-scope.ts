// Where a condition's or an expression's vars are looked up (parse-condition.ts, parse-expression.ts): the memory
// evaluator's scope, the SQL compiler's, the metadata checks'.
import type { OperandType } from '../metadata/field-kinds.js';

/** What a var stands for: its operand type, the operators its field allows, and its canonical path. */
export interface OperandInfo {
  readonly operand: OperandType;
  readonly operators: readonly string[];
  readonly path: string;
}

/** Where vars are looked up; nested scopes serve `some`/`none`. The SQL context is one of these. */
export interface Scope<V extends OperandInfo, C extends ScopeCollection<V, C>> {
  /** Throws an EngineError for unknown paths. */
  resolveVar(path: string, pointer: string): V;
  resolveCollection(path: string, pointer: string): C;
}

export interface ScopeCollection<V extends OperandInfo, C extends ScopeCollection<V, C>> {
  readonly path: string;
  readonly context: Scope<V, C>;
}

/** The least a scope must say; enough for the memory evaluator. */
export interface CollectionInfo {
  readonly path: string;
  readonly context: ConditionScope;
}
export type ConditionScope = Scope<OperandInfo, CollectionInfo>;
