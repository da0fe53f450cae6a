// A migration plan: ordered steps, each with the SQL it runs and, when it can lose or block data,
// the query that counts the rows it touches.

export type StepOp =
  | 'createTable'
  | 'renameTable'
  | 'addColumn'
  | 'renameColumn'
  | 'alterColumnType'
  | 'setDefault'
  | 'setNotNull'
  | 'dropNotNull'
  | 'addForeignKey'
  | 'dropForeignKey'
  | 'addIndex'
  | 'dropIndex'
  | 'renameIndex'
  | 'renameConstraint'
  | 'dropColumn'
  | 'finishRename'
  | 'dropTable'
  | 'setComment'
  | 'checkValues';

/**
 * destructive: refused unless --allow-destructive, whatever the count;
 * destructiveIfRows: refused only when the count is above zero;
 * blockedIfRows: cannot be applied at all while the count is above zero (e.g. NULLs and no default to fill them);
 * rewritesRows: changes the counted rows as the pack says (a default, a valueMap); shown, never refused.
 */
export type RiskKind = 'destructive' | 'destructiveIfRows' | 'blockedIfRows' | 'rewritesRows';

export interface StepRisk {
  readonly kind: RiskKind;
  readonly reason: string;
  /** SELECT returning one row with a `count` column. */
  readonly countSql: string;
}

export interface PlanStep {
  readonly op: StepOp;
  readonly table: string;
  /** One line for people: what changes and why. */
  readonly summary: string;
  readonly sql: readonly string[];
  readonly risk?: StepRisk;
}

export interface SchemaPlan {
  readonly modelHash: string;
  readonly steps: readonly PlanStep[];
}

/** A plan with the live row counts of its risky steps. */
export interface AssessedStep extends PlanStep {
  readonly rows?: number;
  readonly refused?: 'destructive' | 'blocked';
}

export interface AssessedPlan {
  readonly modelHash: string;
  readonly steps: readonly AssessedStep[];
}
