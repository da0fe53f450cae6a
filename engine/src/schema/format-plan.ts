// The plan as people read it in the CLI: numbered steps, risks with row counts, optionally the SQL.
import type { AssessedPlan } from './plan.js';

export function formatPlan(plan: AssessedPlan, options: { sql?: boolean } = {}): string {
  if (plan.steps.length === 0) return 'No changes: the database already matches the packs.';
  const lines = [`${plan.steps.length} step(s):`];
  plan.steps.forEach((step, i) => {
    lines.push(`${String(i + 1).padStart(3)}. ${step.summary}`);
    if (step.risk) {
      const rows = step.rows === undefined ? '' : ` (${step.rows.toLocaleString('en')} row(s))`;
      const verdict =
        step.refused === 'blocked'
          ? ' - BLOCKED: cannot be applied'
          : step.refused === 'destructive'
            ? ' - refused without --allow-destructive'
            : '';
      lines.push(`       ! ${step.risk.kind}: ${step.risk.reason}${rows}${verdict}`);
    }
    if (options.sql)
      for (const s of step.sql)
        lines.push(
          s
            .split('\n')
            .map((l) => `         ${l}`)
            .join('\n') + ';',
        );
  });
  return lines.join('\n');
}
