// How a line's unit price is found: the product's base price (cost plus markup, or list price minus its standard
// discount: a computed field of the product), then the price rule that matches the customer's type, the quantity,
// the product (or its type) and the date, with the highest priority (among equals, the lowest price). The result
// carries its explanation, stored on the line so that anyone can see why a price is what it is.
import { Decimal } from 'decimal.js';
import type { PluginDb } from '../../engine/src/plugins/plugin-api.js';

export interface PriceQuery {
  readonly product: string;
  /** The buying customer, for its type; none: rules for any customer type only. */
  readonly customer?: string | null;
  readonly quantity: string;
  /** ISO date the rules must be valid on. */
  readonly on: string;
}

export interface PriceExplanation {
  readonly unitPrice: string;
  readonly base: { readonly method: string; readonly price: string };
  readonly rule?: {
    readonly id: string;
    readonly name: string;
    readonly priority: number;
    readonly discountPct?: string;
    readonly fixedPrice?: string;
  };
  readonly customerType?: string;
  readonly quantity: string;
}

type RuleRow = {
  id: string;
  name: string;
  priority: number;
  discount_pct: string | null;
  fixed_price: string | null;
};

export class PricingError extends Error {}

export async function priceLine(db: PluginDb, q: PriceQuery): Promise<PriceExplanation> {
  const [product] = await db.query<{ base_price: string | null; pricing_method: string; product_type: string }>(
    'SELECT base_price::text AS base_price, pricing_method, product_type FROM product WHERE id = $1 AND deleted_at IS NULL',
    [q.product],
  );
  if (!product) throw new PricingError('no such product');
  const base = new Decimal(product.base_price ?? '0');
  const [customer] = q.customer
    ? await db.query<{ customer_type: string | null }>('SELECT customer_type FROM customer WHERE id = $1', [q.customer])
    : [];
  const customerType = customer?.customer_type ?? undefined;
  const rules = await db.query<RuleRow>(
    `SELECT id, name, priority, discount_pct::text AS discount_pct, fixed_price::text AS fixed_price FROM price_rule
      WHERE deleted_at IS NULL AND active
        AND (product_id IS NULL OR product_id = $1) AND (product_type IS NULL OR product_type = $2)
        AND (customer_type IS NULL OR customer_type = $3) AND min_quantity <= $4::numeric
        AND (valid_from IS NULL OR valid_from <= $5::date) AND (valid_to IS NULL OR valid_to >= $5::date)
      ORDER BY priority DESC`,
    [q.product, product.product_type, customerType ?? null, q.quantity, q.on],
  );
  const priceOf = (r: RuleRow): Decimal =>
    r.fixed_price !== null
      ? new Decimal(r.fixed_price)
      : base
          .times(new Decimal(100).minus(r.discount_pct ?? '0'))
          .dividedBy(100)
          .toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  const top = rules.filter((r) => r.priority === rules[0]?.priority);
  const best = top.reduce<RuleRow | undefined>((a, r) => (a === undefined || priceOf(r).lessThan(priceOf(a)) ? r : a), undefined);
  return {
    unitPrice: (best ? priceOf(best) : base).toFixed(2),
    base: { method: product.pricing_method, price: base.toFixed(2) },
    ...(best
      ? {
          rule: {
            id: best.id,
            name: best.name,
            priority: best.priority,
            ...(best.discount_pct !== null ? { discountPct: best.discount_pct } : {}),
            ...(best.fixed_price !== null ? { fixedPrice: best.fixed_price } : {}),
          },
        }
      : {}),
    ...(customerType ? { customerType } : {}),
    quantity: q.quantity,
  };
}
