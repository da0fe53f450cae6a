// How many points a purchase earns: the plan's points per yuan, times the multiplier of the reward rule that matches
// the member (type, tier, region), the amount and the date with the highest priority, plus that rule's bonus —
// rounded down to whole points. The explanation is stored with the purchase.
import { Decimal } from 'decimal.js';
import type { PluginDb } from '../../engine/src/plugins/plugin-api.js';

export type MemberRow = {
  readonly id: string;
  readonly status: string;
  readonly plan_id: string;
  readonly member_type: string;
  readonly tier: string;
  readonly region: string | null;
};

export interface Award {
  readonly points: number;
  readonly explanation: {
    readonly pointsPerYuan: string;
    readonly amount: string;
    readonly rule?: { readonly id: string; readonly name: string; readonly multiplier: string; readonly bonusPoints: number };
    readonly points: number;
  };
}

type RuleRow = { id: string; name: string; multiplier: string; bonus_points: number };

export async function awardPoints(db: PluginDb, member: MemberRow, amount: string, on: string): Promise<Award> {
  const [plan] = await db.query<{ points_per_yuan: string }>(
    'SELECT points_per_yuan::text AS points_per_yuan FROM member_plan WHERE id = $1',
    [member.plan_id],
  );
  const perYuan = new Decimal(plan?.points_per_yuan ?? '0');
  const [rule] = await db.query<RuleRow>(
    `SELECT id, name, multiplier::text AS multiplier, bonus_points FROM reward_rule
      WHERE deleted_at IS NULL AND active AND plan_id = $1
        AND (member_type IS NULL OR member_type = $2) AND (tier IS NULL OR tier = $3) AND (region IS NULL OR region = $4)
        AND min_amount <= $5::numeric AND (valid_from IS NULL OR valid_from <= $6::date) AND (valid_to IS NULL OR valid_to >= $6::date)
      ORDER BY priority DESC, multiplier DESC, bonus_points DESC LIMIT 1`,
    [member.plan_id, member.member_type, member.tier, member.region, amount, on],
  );
  const multiplier = new Decimal(rule?.multiplier ?? '1');
  const points = new Decimal(amount).times(perYuan).times(multiplier).floor().toNumber() + (rule?.bonus_points ?? 0);
  return {
    points,
    explanation: {
      pointsPerYuan: perYuan.toString(),
      amount,
      ...(rule ? { rule: { id: rule.id, name: rule.name, multiplier: rule.multiplier, bonusPoints: rule.bonus_points } } : {}),
      points,
    },
  };
}
