// Applying a confirmed settlement: its net goes on a new draft invoice to the contract's customer as one line — a
// penalty (a negative amount the customer is credited) or a charge (a reward the customer pays) — and the settlement
// keeps the line it became. Run by the settlement's `apply` transition, in the same write: all or nothing.
import { Decimal } from 'decimal.js';
import { PluginRejection, type ActionDef } from '../../engine/src/plugins/plugin-api.js';

export const applySettlement: ActionDef = {
  entity: 'sla_settlement',
  name: 'apply_settlement',
  label: { en: 'Apply to the next invoice', 'zh-CN': '计入下一张发票' },
  input: { type: 'object', additionalProperties: false, properties: {} },
  async run({ id, record, db, records }) {
    if (record.invoice_line) throw new PluginRejection('this settlement is on an invoice already', '/invoice_line', 'sla.applied');
    const net = new Decimal(String(record.net ?? '0'));
    if (net.isZero()) throw new PluginRejection('a settlement of zero has nothing to apply', '/net', 'sla.nothing_to_apply');
    const [row] = await db.query<{ customer_id: string; owner_id: string | null; contract_no: string | null; metric: string }>(
      `SELECT c.customer_id, c.owner_id, c.contract_no, m.name AS metric FROM sla_settlement s
         JOIN contract c ON c.id = s.contract_id JOIN sla_metric m ON m.id = s.metric_id WHERE s.id = $1`,
      [id],
    );
    if (!row) throw new PluginRejection('the settlement has no contract', '/contract', 'sla.no_contract');
    const invoice = await records.create('invoice', { customer: row.customer_id, ...(row.owner_id ? { owner: row.owner_id } : {}) });
    const line = await records.create('invoice_line', {
      invoice: invoice.id,
      contract: record.contract,
      kind: net.isNegative() ? 'penalty' : 'charge',
      description: `SLA ${row.metric} ${String(record.period_key)}${row.contract_no ? ` (${row.contract_no})` : ''}`.slice(0, 300),
      amount: net.toFixed(2),
    });
    await records.update('sla_settlement', id, { invoice_line: line.id });
    return { invoice: invoice.id, invoiceLine: line.id };
  },
};
