// The billing run (job `billing:run`): every due, not yet invoiced billing line of a signed, active or completed
// contract becomes a line of an issued invoice — one invoice per customer and run, across its contracts — in one
// transaction of set-based statements. Idempotent: a line is taken only while no invoice line points at it (a
// unique index backs this), and runs queue on one advisory lock, so running twice invoices each line once.
import { Decimal } from 'decimal.js';
import type { BulkWork } from '../../engine/src/plugins/plugin-api.js';
import type { Model } from '../../engine/src/metadata/model.js';
import { table } from './physical.js';

/** Days between an invoice's issue and its due date. */
export const PAYMENT_DAYS = 30;
const BILLABLE_CONTRACTS = ['signed', 'active', 'completed'];
const RUN_LOCK = 'billing:run';

export interface BillingRunResult {
  readonly invoices: number;
  readonly lines: number;
  readonly amount: string;
}

export async function runBilling(model: Model, tx: BulkWork, asOf: string): Promise<BillingRunResult> {
  const bl = table(model, 'billing_line');
  const c = table(model, 'contract');
  const cu = table(model, 'customer');
  const inv = table(model, 'invoice');
  const il = table(model, 'invoice_line');
  await tx.db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [RUN_LOCK]);
  await tx.db.execute(
    `CREATE TEMP TABLE billing_due ON COMMIT DROP AS
     SELECT b.id AS line_id, b.${bl.col('contract')} AS contract_id, k.${c.col('customer')} AS customer_id,
            b.${bl.col('amount')} AS amount, k.${c.col('contract_no')} AS contract_no, b.${bl.col('description')} AS description
       FROM ${bl.table} b JOIN ${c.table} k ON k.id = b.${bl.col('contract')} AND k.deleted_at IS NULL
      WHERE b.deleted_at IS NULL AND b.${bl.col('invoice')} IS NULL AND b.${bl.col('due_on')} <= $1::date
        AND b.${bl.col('amount')} > 0 AND k.${c.col('status')} = ANY($2::text[])
        AND NOT EXISTS (SELECT 1 FROM ${il.table} x WHERE x.${il.col('billing_line')} = b.id)`,
    [asOf, BILLABLE_CONTRACTS],
  );
  const [due] = await tx.db.query<{ customers: number; lines: number; amount: string }>(
    `SELECT count(DISTINCT customer_id)::int AS customers, count(*)::int AS lines, coalesce(sum(amount), 0)::text AS amount FROM billing_due`,
  );
  if (!due || due.customers === 0) return { invoices: 0, lines: 0, amount: '0.00' };
  const numbers = await tx.drawNumbers('invoice', 'invoice_no', due.customers);
  await tx.db.execute(
    `CREATE TEMP TABLE billing_invoice ON COMMIT DROP AS
     SELECT gen_random_uuid() AS id, d.customer_id,
            $1 || lpad(($2::bigint + row_number() OVER (ORDER BY d.customer_id) - 1)::text, $3, '0') || $4 AS invoice_no
       FROM (SELECT DISTINCT customer_id FROM billing_due) d`,
    [numbers.head, numbers.first, numbers.width, numbers.tail],
  );
  await tx.db.execute(
    `INSERT INTO ${inv.table} (id, ${inv.col('invoice_no')}, ${inv.col('customer')}, ${inv.col('owner')}, ${inv.col('issue_date')},
            ${inv.col('due_date')}, ${inv.col('stage')})
     SELECT n.id, n.invoice_no, n.customer_id, k.${cu.col('owner')}, $1::date, $1::date + $2::int, 'issued'
       FROM billing_invoice n JOIN ${cu.table} k ON k.id = n.customer_id`,
    [asOf, PAYMENT_DAYS],
  );
  await tx.db.execute(
    `INSERT INTO ${il.table} (id, ${il.col('invoice')}, ${il.col('contract')}, ${il.col('billing_line')}, ${il.col('kind')},
            ${il.col('description')}, ${il.col('amount')})
     SELECT gen_random_uuid(), n.id, d.contract_id, d.line_id, 'billing', left(coalesce(d.contract_no || ' ', '') || d.description, 300), d.amount
       FROM billing_due d JOIN billing_invoice n ON n.customer_id = d.customer_id`,
  );
  await tx.db.execute(
    `UPDATE ${bl.table} b SET ${bl.col('invoice')} = n.id, version = b.version + 1, updated_at = now()
       FROM billing_due d JOIN billing_invoice n ON n.customer_id = d.customer_id WHERE b.id = d.line_id`,
  );
  // Billed amounts, then what reads them: invoice totals and statuses, the contracts' invoiced and receivable
  // figures, and the billing lines' status (recompute follows the readers, each table once).
  await tx.recompute('invoice_line');
  return { invoices: due.customers, lines: due.lines, amount: new Decimal(due.amount).toFixed(2) };
}
