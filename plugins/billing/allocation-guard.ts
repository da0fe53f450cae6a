// A receipt's allocation never takes more than the invoice (for that contract) still owes, nor more than the receipt
// has left. Both rows are locked (receipt, then invoice: one order, so two allocations cannot deadlock on them)
// before the sums are read, inside the allocation's own transaction: a concurrent allocation against the same
// invoice or receipt waits for this one to commit and then reads its amount, so concurrent receipts never overpay.
import { Decimal } from 'decimal.js';
import { PluginRejection, type PluginHost, type RecordEvent } from '../../engine/src/plugins/plugin-api.js';
import { table } from './physical.js';

const DECIMAL = /^-?\d{1,20}(\.\d{1,20})?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A record id, or undefined for anything else (the validator reports malformed ones). */
const str = (v: unknown): string | undefined => (typeof v === 'string' && UUID.test(v) ? v : undefined);

async function checkAllocation(e: RecordEvent): Promise<void> {
  const ra = table(e.model, 'receipt_allocation');
  const rc = table(e.model, 'receipt');
  const inv = table(e.model, 'invoice');
  const il = table(e.model, 'invoice_line');
  const value = (f: string) => (f in e.changes ? e.changes[f] : e.before?.[f]);
  const receiptId = str(value('receipt'));
  const invoiceId = str(value('invoice'));
  const amount = value('amount');
  // Missing or malformed values are the validator's to report (with their pointers), after the hooks.
  if (!receiptId || !invoiceId || (typeof amount !== 'string' && typeof amount !== 'number') || !DECIMAL.test(String(amount))) return;
  const own = str(e.before?.id) ?? null;
  const [receipt] = await e.db.query<{ customer: string; amount: string }>(
    `SELECT ${rc.col('customer')} AS customer, ${rc.col('amount')}::text AS amount FROM ${rc.table} WHERE id = $1 AND deleted_at IS NULL FOR UPDATE`,
    [receiptId],
  );
  const [invoice] = await e.db.query<{ customer: string; stage: string }>(
    `SELECT ${inv.col('customer')} AS customer, ${inv.col('stage')} AS stage FROM ${inv.table} WHERE id = $1 AND deleted_at IS NULL FOR UPDATE`,
    [invoiceId],
  );
  if (!receipt) throw new PluginRejection('no such receipt', '/receipt', 'billing.unknown_receipt');
  if (!invoice) throw new PluginRejection('no such invoice', '/invoice', 'billing.unknown_invoice');
  if (invoice.stage !== 'issued')
    throw new PluginRejection(`the invoice is ${invoice.stage}: only an issued invoice is paid`, '/invoice', 'billing.invoice_not_issued');
  if (invoice.customer !== receipt.customer) {
    throw new PluginRejection("the invoice is another customer's than the receipt", '/invoice', 'billing.other_customer');
  }
  // The contract part of the invoice this money settles: given, or the invoice's only contract.
  const contracts = await e.db.query<{ contract: string | null; billed: string }>(
    `SELECT ${il.col('contract')} AS contract, sum(${il.col('amount')})::text AS billed FROM ${il.table}
      WHERE ${il.col('invoice')} = $1 AND deleted_at IS NULL GROUP BY 1`,
    [invoiceId],
  );
  let contract = str(value('contract')) ?? null;
  if (contract === null && contracts.length === 1) contract = contracts[0]?.contract ?? null;
  if (contract === null && contracts.length > 1) {
    throw new PluginRejection(
      'the invoice bills several contracts: name the contract this money settles',
      '/contract',
      'billing.contract_required',
    );
  }
  const part = contracts.find((x) => x.contract === contract);
  if (!part) throw new PluginRejection('the invoice bills nothing of this contract', '/contract', 'billing.contract_not_on_invoice');
  if (contract !== null && contract !== str(e.changes.contract)) e.changes.contract = contract;
  const [taken] = await e.db.query<{ invoice_part: string; receipt_used: string }>(
    `SELECT coalesce(sum(a.${ra.col('amount')}) FILTER (WHERE a.${ra.col('invoice')} = $1 AND a.${ra.col('contract')} IS NOT DISTINCT FROM $2), 0)::text AS invoice_part,
            coalesce(sum(a.${ra.col('amount')}) FILTER (WHERE a.${ra.col('receipt')} = $3), 0)::text AS receipt_used
       FROM ${ra.table} a
      WHERE a.deleted_at IS NULL AND (a.${ra.col('invoice')} = $1 OR a.${ra.col('receipt')} = $3) AND a.id IS DISTINCT FROM $4`,
    [invoiceId, contract, receiptId, own],
  );
  const wanted = new Decimal(String(amount));
  const owed = new Decimal(part.billed).minus(taken?.invoice_part ?? '0');
  const left = new Decimal(receipt.amount).minus(taken?.receipt_used ?? '0');
  if (wanted.gt(owed)) {
    throw new PluginRejection(
      `the invoice still owes ${owed.toFixed(2)} for this contract; ${wanted.toFixed(2)} is more`,
      '/amount',
      'billing.over_invoice',
    );
  }
  if (wanted.gt(left)) {
    throw new PluginRejection(
      `the receipt has ${left.toFixed(2)} left to allocate; ${wanted.toFixed(2)} is more`,
      '/amount',
      'billing.over_receipt',
    );
  }
}

export function guardAllocations(host: PluginHost): void {
  host.before('record.beforeCreate', checkAllocation, { entities: ['receipt_allocation'] });
  host.before('record.beforeUpdate', checkAllocation, { entities: ['receipt_allocation'] });
}
