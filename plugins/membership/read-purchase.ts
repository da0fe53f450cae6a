// How many points a purchase earns: the plan's points per yuan, times the multiplier of the reward rule that matches
// the member (type, tier, region), the amount and the date with the highest priority, plus that rule's bonus —
// rounded down to whole points. The explanation is stored with the purchase. Everything a purchase needs to know is
// read in one statement (the POS calls this at a high rate).
import { Decimal } from 'decimal.js';
import type { PluginDb } from '../../engine/src/plugins/plugin-api.js';

export interface Award {
  readonly points: number;
  readonly explanation: {
    readonly pointsPerYuan: string;
    readonly amount: string;
    readonly rule?: { readonly id: string; readonly name: string; readonly multiplier: string; readonly bonusPoints: number };
    readonly points: number;
  };
}

/** A purchase of this receipt recorded before, for this or another member. */
export interface SeenPurchase {
  readonly id: string;
  readonly memberId: string;
  readonly points: number;
}

export type PurchaseContext =
  { readonly seen: SeenPurchase } | { readonly seen?: undefined; readonly active: boolean; readonly award: Award };

type Row = {
  seen_id: string | null;
  seen_member: string | null;
  seen_points: number | null;
  status: string;
  points_per_yuan: string | null;
  rule_id: string | null;
  rule_name: string | null;
  multiplier: string | null;
  bonus_points: number | null;
};

const READ = `
  SELECT s.id AS seen_id, s.member_id AS seen_member, s.points_awarded AS seen_points, m.status,
         p.points_per_yuan::text AS points_per_yuan, r.id AS rule_id, r.name AS rule_name,
         r.multiplier::text AS multiplier, r.bonus_points
    FROM member m
    LEFT JOIN member_plan p ON p.id = m.plan_id
    LEFT JOIN member_purchase s ON s.receipt_id = $2
    LEFT JOIN LATERAL (
      SELECT id, name, multiplier, bonus_points FROM reward_rule
       WHERE deleted_at IS NULL AND active AND plan_id = m.plan_id
         AND (member_type IS NULL OR member_type = m.member_type) AND (tier IS NULL OR tier = m.tier)
         AND (region IS NULL OR region = m.region) AND min_amount <= $3::numeric
         AND (valid_from IS NULL OR valid_from <= $4::date) AND (valid_to IS NULL OR valid_to >= $4::date)
       ORDER BY priority DESC, multiplier DESC, bonus_points DESC LIMIT 1) r ON TRUE
   WHERE m.id = $1`;

/** The receipt's earlier purchase if any; otherwise whether the member is active and what the purchase earns. */
export async function readPurchase(
  db: PluginDb,
  memberId: string,
  receiptId: string,
  amount: string,
  on: string,
): Promise<PurchaseContext> {
  const [row] = await db.query<Row>(READ, [memberId, receiptId, amount, on]);
  if (row?.seen_id) return { seen: { id: row.seen_id, memberId: row.seen_member ?? '', points: row.seen_points ?? 0 } };
  const perYuan = new Decimal(row?.points_per_yuan ?? '0');
  const multiplier = new Decimal(row?.multiplier ?? '1');
  const bonus = row?.bonus_points ?? 0;
  const points = new Decimal(amount).times(perYuan).times(multiplier).floor().toNumber() + bonus;
  const rule =
    row?.rule_id && row.rule_name !== null && row.multiplier !== null
      ? { id: row.rule_id, name: row.rule_name, multiplier: row.multiplier, bonusPoints: bonus }
      : undefined;
  return {
    active: row?.status === 'active',
    award: { points, explanation: { pointsPerYuan: perYuan.toString(), amount, ...(rule ? { rule } : {}), points } },
  };
}
