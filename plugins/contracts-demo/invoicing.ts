// Invoices of the accepted milestones' billing lines, one each (issued three days after acceptance; the most recent
// still drafts), with a travel charge on time-and-materials contracts and an early-payment credit now and then;
// a few charge invoices voided; then receipts: per customer one receipt settling every fully paid invoice — across
// its contracts, some with an advance left unallocated — and one partial receipt per partly paid invoice.
import type { SeedContext } from '../../engine/src/plugins/plugin-api.js';
import { below, cid, numberSql, Params } from './sql-ids.js';

export async function seedInvoices(ctx: SeedContext): Promise<{ invoices: number; lines: number }> {
  await ctx.db.execute(
    `CREATE TEMP TABLE demo_inv ON COMMIT DROP AS
     SELECT row_number() OVER (ORDER BY b.id) AS k, b.id AS billing_line, b.contract_id, c.customer_id, c.owner_id, c.pricing_model,
       c.contract_no, m.name, m.amount, m.accepted_on + 3 AS issue_date,
       CASE WHEN m.accepted_on + 3 >= current_date - 2 THEN 'draft' ELSE 'issued' END AS stage
     FROM billing_line b JOIN milestone m ON m.id = b.milestone_id AND m.status = 'accepted' JOIN contract c ON c.id = b.contract_id`,
  );
  await ctx.db.execute(
    `CREATE TEMP TABLE demo_void ON COMMIT DROP AS
     SELECT (SELECT count(*) FROM demo_inv) + row_number() OVER (ORDER BY i.k) AS k, i.contract_id, i.customer_id, i.owner_id, i.contract_no,
       i.amount, i.issue_date FROM demo_inv i
     WHERE i.pricing_model = 'time_and_materials' AND ${below('i.k', 580, 3)} = 0`,
  );
  const count =
    (await ctx.db.query<{ c: number }>('SELECT ((SELECT count(*) FROM demo_inv) + (SELECT count(*) FROM demo_void))::int AS c'))[0]?.c ?? 0;
  const p = new Params();
  const drawn = await ctx.drawNumbers('invoice', 'invoice_no', count);
  const invoices = await ctx.db.execute(
    `INSERT INTO invoice (id, invoice_no, customer_id, owner_id, issue_date, due_date, stage, created_at, updated_at)
     SELECT ${cid('invoice', 'x.k')}, ${numberSql(p, drawn, 'x.k')}, x.customer_id, x.owner_id, x.issue_date, x.issue_date + 30, x.stage, x.issue_date, x.issue_date
     FROM (SELECT k, customer_id, owner_id, issue_date, stage FROM demo_inv
           UNION ALL SELECT k, customer_id, owner_id, issue_date - 1, 'void' FROM demo_void) x ORDER BY x.k`,
    p.values,
  );
  const lines = await ctx.db.execute(
    `INSERT INTO invoice_line (id, invoice_id, contract_id, billing_line_id, kind, description, amount, created_at, updated_at)
     SELECT ${cid('invoice_line', 'x.ln')}, ${cid('invoice', 'x.k')}, x.contract_id, x.billing_line, x.kind, x.what, x.amount, x.issue_date, x.issue_date
     FROM (
       SELECT k * 4 + 1 AS ln, k, contract_id, billing_line, 'billing' AS kind, contract_no || ' ' || name || ' 验收款' AS what, amount, issue_date FROM demo_inv
       UNION ALL
       SELECT k * 4 + 2, k, contract_id, NULL, 'charge', contract_no || ' 差旅及住宿费', round(amount * 0.03, 2), issue_date FROM demo_inv
        WHERE pricing_model = 'time_and_materials'
       UNION ALL
       SELECT k * 4 + 3, k, contract_id, NULL, 'credit', contract_no || ' 提前付款折扣', -round(amount * 0.02, 2), issue_date FROM demo_inv
        WHERE ${below('k', 581, 12)} = 0
       UNION ALL
       SELECT k * 4 + 1, k, contract_id, NULL, 'charge', contract_no || ' 差旅费（开错作废）', round(amount * 0.03, 2), issue_date - 1 FROM demo_void) x
     ORDER BY x.ln`,
  );
  await ctx.db.execute(`UPDATE billing_line b SET invoice_id = ${cid('invoice', 'i.k')} FROM demo_inv i WHERE b.id = i.billing_line`);
  return { invoices, lines };
}

export async function seedReceipts(ctx: SeedContext): Promise<{ receipts: number; allocations: number }> {
  // Issued invoices not yet due are mostly unpaid; due ones mostly paid, some partly.
  await ctx.db.execute(
    `CREATE TEMP TABLE demo_pay ON COMMIT DROP AS
     SELECT i.k, i.customer_id, i.owner_id, i.contract_id, i.issue_date, t.total,
       CASE WHEN ${below('i.k', 582, 10)} < CASE WHEN i.issue_date + 30 > current_date THEN 6 ELSE 2 END THEN 'none'
            WHEN ${below('i.k', 582, 10)} < CASE WHEN i.issue_date + 30 > current_date THEN 7 ELSE 4 END THEN 'partial'
            ELSE 'full' END AS class
     FROM demo_inv i JOIN (SELECT invoice_id, sum(amount) AS total FROM invoice_line GROUP BY invoice_id) t ON t.invoice_id = ${cid('invoice', 'i.k')}
     WHERE i.stage = 'issued'`,
  );
  await ctx.db.execute(
    `CREATE TEMP TABLE demo_rc ON COMMIT DROP AS
     WITH f AS (
       SELECT customer_id, min(k) AS key, min(owner_id::text)::uuid AS owner_id, sum(total) AS amount, max(issue_date) AS last
       FROM demo_pay WHERE class = 'full' GROUP BY customer_id),
     u AS (
       SELECT 'full' AS kind, key, customer_id, owner_id,
         amount + CASE WHEN ${below('key', 583, 5)} = 0 THEN 5000 ELSE 0 END AS amount, least(last + 15, current_date - 1) AS received_on FROM f
       UNION ALL
       SELECT 'partial', k, customer_id, owner_id, round(total * 0.4, 2), least(issue_date + 20, current_date - 1) FROM demo_pay WHERE class = 'partial')
     SELECT row_number() OVER (ORDER BY kind, key) AS r, u.* FROM u`,
  );
  const count = (await ctx.db.query<{ c: number }>('SELECT count(*)::int AS c FROM demo_rc'))[0]?.c ?? 0;
  const p = new Params();
  const drawn = await ctx.drawNumbers('receipt', 'receipt_no', count);
  const methods = p.add(['bank_transfer', 'bank_transfer', 'bank_transfer', 'cheque', 'other'], 'text[]');
  const receipts = await ctx.db.execute(
    `INSERT INTO receipt (id, receipt_no, customer_id, owner_id, received_on, amount, method, reference, created_at, updated_at)
     SELECT ${cid('receipt', 'r')}, ${numberSql(p, drawn, 'r')}, customer_id, owner_id, received_on, amount,
       ${methods}[1 + ${below('r', 584, 5)}], 'BANK-' || lpad(r::text, 8, '0'), received_on, received_on
     FROM demo_rc ORDER BY r`,
    p.values,
  );
  const allocations = await ctx.db.execute(
    `INSERT INTO receipt_allocation (id, receipt_id, invoice_id, contract_id, amount, created_at, updated_at)
     SELECT ${cid('allocation', 'row_number() OVER (ORDER BY a.r, a.k)')}, ${cid('receipt', 'a.r')}, ${cid('invoice', 'a.k')}, a.contract_id, a.amount, a.at, a.at
     FROM (
       SELECT rc.r, pay.k, pay.contract_id, pay.total AS amount, rc.received_on AS at FROM demo_pay pay
         JOIN demo_rc rc ON rc.kind = 'full' AND rc.customer_id = pay.customer_id WHERE pay.class = 'full'
       UNION ALL
       SELECT rc.r, rc.key, pay.contract_id, rc.amount, rc.received_on FROM demo_rc rc JOIN demo_pay pay ON pay.k = rc.key
         WHERE rc.kind = 'partial') a
     ORDER BY a.r, a.k`,
  );
  return { receipts, allocations };
}
