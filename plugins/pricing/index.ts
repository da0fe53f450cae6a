// The pricing plugin: an order line with a catalogue product and no price of its own is priced by price-line.ts when
// it is written (and priced again when its product or quantity changes), with the explanation stored on the line; a
// product's `quote` action prices it for a customer and a quantity without writing anything.
import { PluginRejection, type PluginDb, type PluginRecord, type TesseraPlugin } from '../../engine/src/plugins/plugin-api.js';
import { priceLine, PricingError } from './price-line.js';

const today = () => new Date().toISOString().slice(0, 10);

async function customerOfOrder(db: PluginDb, order: unknown): Promise<string | null> {
  if (typeof order !== 'string') return null;
  const [row] = await db.query<{ customer_id: string }>('SELECT customer_id FROM sales_order WHERE id = $1', [order]);
  return row?.customer_id ?? null;
}

async function price(db: PluginDb, line: PluginRecord, changes: PluginRecord): Promise<void> {
  if (typeof line.product !== 'string') return;
  try {
    const explained = await priceLine(db, {
      product: line.product,
      customer: await customerOfOrder(db, line.sales_order),
      quantity: String(line.quantity ?? '1'),
      on: today(),
    });
    changes.unit_price = explained.unitPrice;
    changes.price_explanation = explained;
  } catch (err) {
    if (err instanceof PricingError) throw new PluginRejection(err.message, '/product', 'pricing.no_product');
    throw err;
  }
}

const plugin: TesseraPlugin = {
  name: 'pricing',
  version: '0.1.0',
  setup(host) {
    host.before(
      'record.beforeCreate',
      async ({ changes, db }) => {
        // A price given by the caller stands (a manual price); otherwise the catalogue and the rules set it.
        if (changes.unit_price === undefined || changes.unit_price === null) await price(db, changes, changes);
      },
      { entities: ['order_line'] },
    );
    host.before(
      'record.beforeUpdate',
      async ({ changes, before, db }) => {
        const repriced = 'product' in changes || 'quantity' in changes;
        if (!repriced || 'unit_price' in changes) return;
        await price(db, { ...before, ...changes }, changes);
      },
      { entities: ['order_line'] },
    );
    host.action({
      entity: 'product',
      name: 'quote',
      label: { en: 'Quote a price', 'zh-CN': '询价' },
      input: {
        type: 'object',
        additionalProperties: false,
        required: ['quantity'],
        properties: {
          customer: { type: 'string', format: 'uuid' },
          quantity: { type: 'string', pattern: '^[0-9]{1,11}(\\.[0-9]{1,3})?$' },
        },
      },
      async run({ id, input, db }) {
        const customer = typeof input.customer === 'string' ? input.customer : null;
        return priceLine(db, { product: id, customer, quantity: String(input.quantity), on: today() });
      },
    });
  },
};

export default plugin;
