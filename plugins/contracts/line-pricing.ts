// Quote and contract lines with a catalogue product are priced like order lines (the pricing plugin's price-line.ts:
// base price, then the best price rule for the customer's type, the quantity and the date), with the explanation
// kept on the line; their description and estimated unit cost default to the product's. What the caller gives stands,
// and so does the price agreed on a contract line whose quantity changes.
import { PluginRejection, type PluginDb, type PluginHost, type PluginRecord } from '../../engine/src/plugins/plugin-api.js';
import { priceLine, PricingError, type PriceExplanation } from '../pricing/price-line.js';

/** Each priced line entity, with the parent whose customer the price is for. */
const PARENTS: Readonly<Record<string, { readonly field: string; readonly table: string }>> = {
  quote_line: { field: 'quote', table: 'quote' },
  contract_line: { field: 'contract', table: 'contract' },
};

const today = () => new Date().toISOString().slice(0, 10);

async function customerOf(db: PluginDb, entity: string, line: PluginRecord): Promise<string | null> {
  const parent = PARENTS[entity];
  const id = parent && line[parent.field];
  if (!parent || typeof id !== 'string') return null;
  const [row] = await db.query<{ customer_id: string | null }>(`SELECT customer_id FROM ${parent.table} WHERE id = $1`, [id]);
  return row?.customer_id ?? null;
}

async function priced(db: PluginDb, entity: string, line: PluginRecord & { product: string }): Promise<PriceExplanation> {
  try {
    return await priceLine(db, {
      product: line.product,
      customer: await customerOf(db, entity, line),
      quantity: String(line.quantity ?? '1'),
      on: today(),
    });
  } catch (err) {
    if (err instanceof PricingError) throw new PluginRejection(err.message, '/product', 'pricing.no_product');
    throw err;
  }
}

const isSet = (v: unknown) => v !== undefined && v !== null;

export function registerLinePricing(host: PluginHost): void {
  const entities = Object.keys(PARENTS);
  host.before(
    'record.beforeCreate',
    async ({ entity, changes, db }) => {
      const product = changes.product;
      if (typeof product !== 'string') return;
      if (!isSet(changes.unit_price)) {
        const explained = await priced(db, entity, { ...changes, product });
        changes.unit_price = explained.unitPrice;
        changes.price_explanation = explained;
      }
      const [row] = await db.query<{ unit_cost: string | null; name: string }>(
        'SELECT unit_cost::text AS unit_cost, name FROM product WHERE id = $1',
        [product],
      );
      if (!isSet(changes.unit_cost) && row?.unit_cost) changes.unit_cost = row.unit_cost;
      if (!isSet(changes.description) && row) changes.description = row.name;
    },
    { entities },
  );
  host.before(
    'record.beforeUpdate',
    async ({ entity, changes, before, db }) => {
      // A new product is priced again, unless the same write sets the price; so is a quote line's new quantity
      // (quantity breaks), while a contract line keeps the price agreed for it when only its quantity changes.
      const repriced = 'product' in changes || (entity === 'quote_line' && 'quantity' in changes);
      if (!repriced || 'unit_price' in changes) return;
      const line = { ...before, ...changes };
      if (typeof line.product !== 'string') return;
      const explained = await priced(db, entity, { ...line, product: line.product });
      changes.unit_price = explained.unitPrice;
      changes.price_explanation = explained;
    },
    { entities },
  );
}
