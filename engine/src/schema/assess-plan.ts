// Counts the rows each risky step would touch and decides which steps are refused.
import type { Knex } from 'knex';
import type { AssessedPlan, AssessedStep, SchemaPlan } from './plan.js';

export async function assessPlan(db: Knex | Knex.Transaction, plan: SchemaPlan, allowDestructive: boolean): Promise<AssessedPlan> {
  const steps: AssessedStep[] = [];
  for (const step of plan.steps) {
    if (!step.risk) {
      steps.push(step);
      continue;
    }
    const result = await db.raw<{ rows: Array<{ count: string | number }> }>(step.risk.countSql);
    const rows = Number(result.rows[0]?.count ?? 0);
    let refused: AssessedStep['refused'];
    if (step.risk.kind === 'blockedIfRows' && rows > 0) refused = 'blocked';
    else if (!allowDestructive && (step.risk.kind === 'destructive' || (step.risk.kind === 'destructiveIfRows' && rows > 0)))
      refused = 'destructive';
    steps.push({ ...step, rows, ...(refused ? { refused } : {}) });
  }
  return { modelHash: plan.modelHash, steps };
}

export function refusedSteps(plan: AssessedPlan): AssessedStep[] {
  return plan.steps.filter((s) => s.refused);
}
