// What the CRM pack needs beyond metadata: converting a qualified lead into a customer, a contact and an opportunity
// in one transaction (all or nothing), the lead linked to what it became; and the draft order a won opportunity
// gets (its `win` transition runs create_order in the same write); shipping a formal order and taking goods back,
// as stock movements of its catalogue lines (a shipment that would take a product below zero fails whole); posting
// a stock count (stock-count.ts). Every
// record is written through the engine's pipeline as the caller. Required by metadata/packs/crm.
import { PluginRejection, type TesseraPlugin } from '../../engine/src/plugins/plugin-api.js';
import { carriedValues as carried } from '../../engine/src/plugins/carried-values.js';
import { registerStockCount } from './stock-count.js';

const CONVERT_INPUT = {
  type: 'object',
  additionalProperties: false,
  properties: {
    customer: { type: 'string', format: 'uuid', description: 'Attach to this existing customer instead of creating one.' },
    createOpportunity: { type: 'boolean', default: true },
    opportunityName: { type: 'string', minLength: 1, maxLength: 200 },
  },
};

interface ConvertInput {
  readonly customer?: string;
  readonly createOpportunity?: boolean;
  readonly opportunityName?: string;
}

const plugin: TesseraPlugin = {
  name: 'crm',
  version: '0.1.0',
  setup(host) {
    host.action({
      entity: 'lead',
      name: 'convert',
      label: { en: 'Convert', 'zh-CN': '转化' },
      input: CONVERT_INPUT,
      async run({ id, record: lead, input, records }) {
        const options = input as ConvertInput;
        if (lead.status !== 'qualified') {
          throw new PluginRejection(
            `only a qualified lead can be converted; this one is ${String(lead.status)}`,
            '/status',
            'crm.lead_not_qualified',
          );
        }
        const owner = carried(lead, { owner: 'owner' });
        const customerId =
          options.customer ??
          (
            await records.create('customer', {
              name: lead.company_name,
              source: 'lead',
              ...carried(lead, { industry: 'industry', region: 'region', size: 'size', org_unit: 'org_unit' }),
              ...owner,
            })
          ).id;
        const contact = await records.create('contact', {
          customer: customerId,
          name: lead.contact_name,
          is_decision_maker: true,
          ...carried(lead, { contact_title: 'title', mobile: 'mobile', email: 'email' }),
          ...owner,
        });
        const opportunity =
          options.createOpportunity === false
            ? undefined
            : await records.create('opportunity', {
                name: options.opportunityName ?? `${String(lead.company_name)}`,
                customer: customerId,
                contact: contact.id,
                source_lead: id,
                description: lead.need ?? null,
                ...carried(lead, { budget: 'amount' }),
                ...owner,
              });
        await records.update('lead', id, { status: 'converted', converted_customer: customerId, converted_contact: contact.id });
        return { customer: customerId, contact: contact.id, opportunity: opportunity?.id ?? null };
      },
    });

    host.action({
      entity: 'opportunity',
      name: 'create_order',
      label: { en: 'Create the order', 'zh-CN': '生成订单' },
      input: { type: 'object', additionalProperties: false, properties: {} },
      async run({ id, record: opportunity, db, records }) {
        if (opportunity.stage !== 'won') {
          throw new PluginRejection('only a won opportunity gets an order', '/stage', 'crm.opportunity_not_won');
        }
        // One order per opportunity: running it again returns the order it made.
        const existing = await db.query<{ id: string }>(
          'SELECT id FROM sales_order WHERE opportunity_id = $1 AND deleted_at IS NULL LIMIT 1',
          [id],
        );
        if (existing[0]) return { order: existing[0].id, created: false };
        const order = await records.create('sales_order', {
          customer: opportunity.customer,
          opportunity: id,
          status: 'planned',
          ...(opportunity.owner ? { owner: opportunity.owner } : {}),
        });
        await records.create('order_line', {
          sales_order: order.id,
          description: opportunity.name,
          quantity: '1',
          unit_price: opportunity.amount_cny ?? '0',
        });
        return { order: order.id, created: true };
      },
    });

    host.action({
      entity: 'sales_order',
      name: 'ship',
      label: { en: 'Ship', 'zh-CN': '发货' },
      input: {
        type: 'object',
        additionalProperties: false,
        required: ['warehouse'],
        properties: { warehouse: { type: 'string', format: 'uuid' } },
      },
      async run({ id, input, db, records }) {
        // Read under the action's lock on the order: two ships sent at once see each other.
        const [order] = await db.query<{ status: string; shipped_on: string | null; order_no: string | null }>(
          'SELECT status, shipped_on::text AS shipped_on, order_no FROM sales_order WHERE id = $1',
          [id],
        );
        if (order?.status !== 'formal') throw new PluginRejection('only a formal order is shipped', '/status', 'crm.order_not_formal');
        if (order.shipped_on)
          throw new PluginRejection(`this order was shipped on ${order.shipped_on}`, '/shipped_on', 'crm.order_shipped');
        const lines = await db.query<{ product_id: string; quantity: string }>(
          'SELECT product_id, quantity::text AS quantity FROM order_line WHERE sales_order_id = $1 AND product_id IS NOT NULL AND deleted_at IS NULL ORDER BY id',
          [id],
        );
        const movedAt = new Date().toISOString();
        for (const line of lines) {
          await records.create('stock_movement', {
            product: line.product_id,
            warehouse: input.warehouse,
            kind: 'shipment',
            quantity: `-${line.quantity}`,
            sales_order: id,
            moved_at: movedAt,
            reference: order.order_no ?? id,
          });
        }
        await records.update('sales_order', id, { shipped_on: movedAt.slice(0, 10) });
        return { shipped: lines.length };
      },
    });

    host.action({
      entity: 'sales_order',
      name: 'return_goods',
      label: { en: 'Take goods back', 'zh-CN': '退货' },
      input: {
        type: 'object',
        additionalProperties: false,
        required: ['warehouse', 'product', 'quantity', 'reason'],
        properties: {
          warehouse: { type: 'string', format: 'uuid' },
          product: { type: 'string', format: 'uuid' },
          quantity: { type: 'string', pattern: '^[0-9]{1,11}(\\.[0-9]{1,3})?$' },
          reason: { type: 'string', minLength: 1, maxLength: 300 },
        },
      },
      async run({ id, record: order, input, db, records }) {
        if (!order.shipped_on) throw new PluginRejection('nothing of this order was shipped yet', '/shipped_on', 'crm.order_not_shipped');
        // At most what was shipped of the product on this order, less what came back already.
        const [net] = await db.query<{ shipped: string; returned: string }>(
          `SELECT coalesce(-sum(quantity) FILTER (WHERE kind = 'shipment'), 0)::text AS shipped,
                  coalesce(sum(quantity) FILTER (WHERE kind = 'return'), 0)::text AS returned
             FROM stock_movement WHERE sales_order_id = $1 AND product_id = $2 AND deleted_at IS NULL`,
          [id, input.product],
        );
        const open = await db.query<{ ok: boolean }>('SELECT $1::numeric <= $2::numeric - $3::numeric AS ok', [
          input.quantity,
          net?.shipped ?? '0',
          net?.returned ?? '0',
        ]);
        if (!open[0]?.ok)
          throw new PluginRejection('more than was shipped of this product on this order', '/quantity', 'crm.return_too_large');
        const movement = await records.create('stock_movement', {
          product: input.product,
          warehouse: input.warehouse,
          kind: 'return',
          quantity: input.quantity,
          sales_order: id,
          moved_at: new Date().toISOString(),
          reference: `${String(order.order_no ?? id)}: ${String(input.reason)}`.slice(0, 64),
        });
        return { movement: movement.id };
      },
    });
    registerStockCount(host);
  },
};

export default plugin;
