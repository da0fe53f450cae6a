// Commissions accrued on a signed contract or a confirmed order: one per active plan that applies (its basis, the
// contract's type, its validity on the signing or order date, its minimum), for the record's owner, in the month of
// that date. Running it again adds only what a plan added since; the unique indexes keep one per plan and record.
import type { PluginDb, PluginRecords } from '../../engine/src/plugins/plugin-api.js';

export interface Accruable {
  readonly kind: 'contract' | 'sales_order';
  readonly id: string;
  readonly owner: string;
  /** The signing or order date (ISO). */
  readonly on: string;
  readonly amount: string;
  readonly contractType: string | null;
}

type PlanRow = { id: string; rate_pct: string };

export async function accrueCommissions(db: PluginDb, records: PluginRecords, r: Accruable): Promise<{ accrued: number }> {
  const basis = r.kind === 'contract' ? 'contract_value' : 'order_total';
  const link = r.kind === 'contract' ? 'contract_id' : 'sales_order_id';
  const plans = await db.query<PlanRow>(
    `SELECT p.id, p.rate_pct::text AS rate_pct FROM commission_plan p
      WHERE p.deleted_at IS NULL AND p.active AND p.basis = $1
        AND (p.contract_type IS NULL OR p.contract_type = $2)
        AND (p.valid_from IS NULL OR p.valid_from <= $3::date) AND (p.valid_to IS NULL OR p.valid_to >= $3::date)
        AND (p.min_amount IS NULL OR p.min_amount <= $4::numeric)
        AND NOT EXISTS (SELECT 1 FROM commission c WHERE c.plan_id = p.id AND c.${link} = $5 AND c.deleted_at IS NULL)
      ORDER BY p.name`,
    [basis, r.contractType, r.on, r.amount, r.id],
  );
  for (const plan of plans) {
    await records.create('commission', {
      owner: r.owner,
      [r.kind]: r.id,
      plan: plan.id,
      period: r.on.slice(0, 7),
      basis_amount: r.amount,
      rate_pct: plan.rate_pct,
    });
  }
  return { accrued: plans.length };
}
