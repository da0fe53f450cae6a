// What a POS purchase earns and costs. Reward rules match the member (plan, type, tier, region), the products bought,
// the amount and the date; per kind of reward the matching rule with the highest priority applies: a discount (a
// share of the amount), a coupon redeemed (its value, up to what is left to pay), points on what is paid (the plan's
// points per yuan times the points rule's multiplier, rounded down, plus its bonus), a new coupon to issue and a gift.
// Everything is read in one statement (the POS calls this at a high rate); the explanation is stored with the purchase.
import { Decimal } from 'decimal.js';
import type { PluginDb } from '../../engine/src/plugins/plugin-api.js';

export interface PurchaseInput {
  readonly memberId: string;
  readonly receiptId: string;
  readonly amount: string;
  readonly on: string;
  readonly products: readonly string[];
  readonly couponNo?: string;
}

interface Rule {
  readonly id: string;
  readonly name: string;
}

export interface Award {
  readonly points: number;
  readonly discount: string;
  readonly couponAmount: string;
  readonly coupon?: { readonly id: string; readonly no: string };
  readonly issue?: { readonly rule: Rule; readonly value: string; readonly expiresOn: string };
  readonly gift?: { readonly rule: Rule; readonly product: string; readonly quantity: number };
  readonly explanation: Record<string, unknown>;
}

/** A purchase of this receipt recorded before, for this or another member. */
export interface SeenPurchase {
  readonly id: string;
  readonly memberId: string;
  readonly points: number;
}

/** A refusal names the input it concerns, as a PluginRejection does. */
export interface Refusal {
  readonly pointer: string;
  readonly code: string;
  readonly message: string;
}

/** The receipt seen before, a refusal, or what the purchase earns: exactly one. */
export type PurchaseContext = { readonly seen: SeenPurchase } | { readonly refusal: Refusal } | { readonly award: Award };

type Row = Record<string, string | number | null>;

const best = (kind: string, alias: string, columns: string) => `
    LEFT JOIN LATERAL (
      SELECT ${columns} FROM reward_rule r
       WHERE r.deleted_at IS NULL AND r.active AND r.reward_type = '${kind}' AND r.plan_id = m.plan_id
         AND (r.member_type IS NULL OR r.member_type = m.member_type) AND (r.tier IS NULL OR r.tier = m.tier)
         AND (r.region IS NULL OR r.region = m.region) AND (r.product_id IS NULL OR r.product_id = ANY($5::uuid[]))
         AND r.min_amount <= $3::numeric AND (r.valid_from IS NULL OR r.valid_from <= $4::date)
         AND (r.valid_to IS NULL OR r.valid_to >= $4::date)
       ORDER BY r.priority DESC, r.id LIMIT 1) ${alias} ON TRUE`;

const READ = `
  SELECT s.id AS seen_id, s.member_id AS seen_member, s.points_awarded AS seen_points, m.status,
         p.points_per_yuan::text AS points_per_yuan,
         pr.id AS points_rule, pr.name AS points_name, pr.multiplier::text AS multiplier, pr.bonus_points,
         dr.id AS discount_rule, dr.name AS discount_name, dr.discount_pct::text AS discount_pct,
         cr.id AS coupon_rule, cr.name AS coupon_name, cr.coupon_value::text AS coupon_value,
         ($4::date + cr.coupon_valid_days)::text AS coupon_expires,
         gr.id AS gift_rule, gr.name AS gift_name, gr.gift_product_id AS gift_product, gr.gift_quantity,
         c.id AS coupon_id, c.coupon_no, c.member_id AS coupon_member, c.status AS coupon_status,
         c.value::text AS coupon_face, c.expires_on < $4::date AS coupon_expired
    FROM member m
    LEFT JOIN member_plan p ON p.id = m.plan_id
    LEFT JOIN member_purchase s ON s.receipt_id = $2
    LEFT JOIN member_coupon c ON c.coupon_no = $6 AND c.deleted_at IS NULL
    ${best('points', 'pr', 'r.id, r.name, r.multiplier, r.bonus_points')}
    ${best('discount', 'dr', 'r.id, r.name, r.discount_pct')}
    ${best('coupon', 'cr', 'r.id, r.name, r.coupon_value, r.coupon_valid_days')}
    ${best('gift', 'gr', 'r.id, r.name, r.gift_product_id, r.gift_quantity')}
   WHERE m.id = $1`;

const text = (v: string | number | null | undefined) => (v === null || v === undefined ? undefined : String(v));

function couponRefusal(row: Row, memberId: string): Refusal | undefined {
  const bad = (message: string) => ({ pointer: '/couponNo', code: 'membership.coupon_invalid', message });
  if (!row.coupon_id) return bad('there is no such coupon');
  if (row.coupon_member !== memberId) return bad('this coupon belongs to another member');
  if (row.coupon_status !== 'issued') return bad(`this coupon is ${String(row.coupon_status)}`);
  if (String(row.coupon_expired) === 'true') return bad('this coupon has expired');
  return undefined;
}

/** The receipt's earlier purchase if any; otherwise what this purchase pays and earns, or why it is refused. */
export async function readPurchase(db: PluginDb, input: PurchaseInput): Promise<PurchaseContext> {
  const [row] = await db.query<Row>(READ, [
    input.memberId,
    input.receiptId,
    input.amount,
    input.on,
    input.products,
    input.couponNo ?? null,
  ]);
  if (!row) return { refusal: { pointer: '', code: 'membership.not_active', message: 'no such member' } };
  if (row.seen_id) return { seen: { id: String(row.seen_id), memberId: String(row.seen_member), points: Number(row.seen_points ?? 0) } };
  if (row.status !== 'active')
    return { refusal: { pointer: '/status', code: 'membership.not_active', message: 'only an active member buys with rewards' } };
  if (input.couponNo !== undefined) {
    const refusal = couponRefusal(row, input.memberId);
    if (refusal) return { refusal };
  }
  const amount = new Decimal(input.amount);
  const discount = row.discount_pct
    ? amount.times(String(row.discount_pct)).dividedBy(100).toDecimalPlaces(2, Decimal.ROUND_HALF_UP)
    : new Decimal(0);
  const couponAmount =
    input.couponNo !== undefined ? Decimal.min(new Decimal(String(row.coupon_face)), amount.minus(discount)) : new Decimal(0);
  const paid = amount.minus(discount).minus(couponAmount);
  const perYuan = new Decimal(text(row.points_per_yuan) ?? '0');
  const multiplier = new Decimal(text(row.multiplier) ?? '1');
  const bonus = Number(row.bonus_points ?? 0);
  const points = paid.times(perYuan).times(multiplier).floor().toNumber() + bonus;
  const rule = (id: unknown, name: unknown): Rule => ({ id: String(id), name: String(name) });
  const award: Award = {
    points,
    discount: discount.toFixed(2),
    couponAmount: couponAmount.toFixed(2),
    ...(input.couponNo !== undefined ? { coupon: { id: String(row.coupon_id), no: input.couponNo } } : {}),
    ...(row.coupon_rule
      ? { issue: { rule: rule(row.coupon_rule, row.coupon_name), value: String(row.coupon_value), expiresOn: String(row.coupon_expires) } }
      : {}),
    ...(row.gift_rule
      ? { gift: { rule: rule(row.gift_rule, row.gift_name), product: String(row.gift_product), quantity: Number(row.gift_quantity ?? 1) } }
      : {}),
    explanation: {
      amount: amount.toFixed(2),
      ...(row.discount_rule
        ? { discount: { rule: rule(row.discount_rule, row.discount_name), pct: text(row.discount_pct), amount: discount.toFixed(2) } }
        : {}),
      ...(input.couponNo !== undefined ? { coupon: { no: input.couponNo, amount: couponAmount.toFixed(2) } } : {}),
      paid: paid.toFixed(2),
      pointsPerYuan: perYuan.toString(),
      ...(row.points_rule
        ? { rule: { ...rule(row.points_rule, row.points_name), multiplier: text(row.multiplier), bonusPoints: bonus } }
        : {}),
      points,
      ...(row.coupon_rule ? { couponIssued: { rule: rule(row.coupon_rule, row.coupon_name), value: text(row.coupon_value) } } : {}),
      ...(row.gift_rule
        ? { gift: { rule: rule(row.gift_rule, row.gift_name), product: text(row.gift_product), quantity: Number(row.gift_quantity ?? 1) } }
        : {}),
    },
  };
  return { award };
}
