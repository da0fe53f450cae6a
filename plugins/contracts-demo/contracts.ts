// The demo contracts: a plan of every contract (temporary table demo_k: its customer, type, status, dates, how
// many lines, whether a change request made a version 2), then the contracts as their version 1 said, and their
// lines from the demo catalogue. Sales contracts take the won opportunities in turn (customer, contact and the
// opportunity filled in, as create_contract does); the others a hashed demo customer. Every 20 contracts hold
// a master agreement and a statement of work under it, for the same customer.
import type { SeedContext } from '../../engine/src/plugins/plugin-api.js';
import { PRODUCTS } from './catalogue.js';
import { below, cid, crmUid, hash, numberSql, Params, pick } from './sql-ids.js';

/** Statuses that have been approved, so hold version 1. */
export const APPROVED = `('approved', 'signing', 'signed', 'active', 'completed', 'terminated', 'expired')`;
/** Statuses past signing. */
export const SIGNED = `('signed', 'active', 'completed', 'terminated', 'expired')`;

const STATUSES = [
  'draft',
  'draft',
  'in_approval',
  'approved',
  'signing',
  'signed',
  'signed',
  'active',
  'active',
  'active',
  'active',
  'active',
  'active',
  'active',
  'active',
  'completed',
  'completed',
  'terminated',
  'expired',
  'expired',
];

export async function planContracts(ctx: SeedContext, count: number, customers: number): Promise<void> {
  await ctx.db.execute(
    `CREATE TEMP TABLE demo_won ON COMMIT DROP AS
       SELECT row_number() OVER (ORDER BY id) AS k, id, customer_id, contact_id FROM opportunity WHERE stage = 'won' AND deleted_at IS NULL`,
  );
  const p = new Params();
  // A statement of work shares the hash input of the master agreement before it, so it gets the same customer.
  await ctx.db.execute(
    `CREATE TEMP TABLE demo_k ON COMMIT DROP AS
     WITH x AS (
       SELECT n, CASE WHEN n % 20 = 10 THEN n - 1 ELSE n END AS m,
         CASE n % 20 WHEN 9 THEN 'master' WHEN 10 THEN 'sow' WHEN 4 THEN 'purchase' WHEN 14 THEN 'purchase'
           WHEN 7 THEN 'nda' WHEN 17 THEN 'nda' ELSE 'sales' END AS type,
         ${pick(p.add(STATUSES, 'text[]'), 'n', 501)} AS status
       FROM generate_series(1::bigint, ${count}) n),
     y AS (
       SELECT x.*, w.id AS opportunity, coalesce(w.customer_id, ${crmUid('cu', `(1 + ${hash('x.m', 502)} % ${customers})`)}) AS customer,
         coalesce(w.contact_id, ${crmUid('ct', `(1 + ${hash('x.m', 502)} % ${customers})`)}) AS contact,
         CASE
           WHEN x.status IN ('draft', 'in_approval', 'approved', 'signing') THEN current_date + 10 + ${below('x.n', 503, 60)}
           WHEN x.status = 'signed' THEN current_date + ${below('x.n', 503, 30)}
           WHEN x.status = 'active' THEN current_date - 30 - ${below('x.n', 503, 300)}
           ELSE current_date - 400 - ${below('x.n', 503, 300)} END AS start_date
       FROM x LEFT JOIN demo_won w ON x.type = 'sales' AND w.k = x.n)
     SELECT y.n, y.type, y.status, y.opportunity, y.customer, ct.id AS contact, cu.owner_id AS owner, cu.short_name, y.start_date,
       (y.start_date + CASE WHEN y.type IN ('master', 'nda') THEN interval '24 months' ELSE interval '12 months' END - interval '1 day')::date AS end_date,
       CASE WHEN y.status IN ${SIGNED} THEN least(y.start_date - 5 - ${below('y.n', 504, 20)}, current_date - 1 - ${below('y.n', 504, 5)}) END AS signed_on,
       CASE WHEN y.type = 'sow' OR (y.type = 'sales' AND ${below('y.n', 505, 5)} = 0) THEN 'time_and_materials' ELSE 'fixed_price' END AS pricing,
       CASE WHEN y.type = 'nda' THEN 0 ELSE 1 + ${below('y.n', 506, 4)} END AS lines,
       -- Signed or later, with lines: a third changed through an approved change request (version 2).
       y.status IN ('signed', 'active', 'completed') AND y.type <> 'nda' AND ${below('y.n', 507, 3)} = 0 AS changed
     FROM y JOIN customer cu ON cu.id = y.customer LEFT JOIN contact ct ON ct.id = y.contact AND ct.customer_id = y.customer`,
    p.values,
  );
  await ctx.db.execute('ALTER TABLE demo_k ADD PRIMARY KEY (n)');
  await ctx.db.execute('ANALYZE demo_k');
}

const TYPE_NAMES = `jsonb_build_object('sales', '销售合同', 'purchase', '采购合同', 'master', '框架协议', 'nda', '保密协议', 'sow', '工作说明书')`;

export async function seedContractRows(ctx: SeedContext, count: number): Promise<number> {
  const p = new Params();
  const drawn = await ctx.drawNumbers('contract', 'contract_no', count);
  const no = numberSql(p, drawn, 'k.n');
  // Changed contracts ran six months shorter before their change request (version 1's end date).
  return ctx.db.execute(
    `INSERT INTO contract (id, contract_no, title, contract_type, pricing_model, master_agreement_id, customer_id, contact_id, opportunity_id,
        owner_id, signed_on, start_date, end_date, payment_terms, status, clauses, renewal_mode, renewal_notice_days, renewal_term_months,
        notify_customer_on_renewal, created_at, updated_at)
     SELECT ${cid('contract', 'k.n')}, ${no}, k.short_name || ' ' || (${TYPE_NAMES} ->> k.type) || ' ' || extract(year FROM k.start_date),
       k.type, k.pricing, CASE WHEN k.type = 'sow' THEN ${cid('contract', 'k.n - 1')} END, k.customer, k.contact, k.opportunity, k.owner,
       k.signed_on, k.start_date, CASE WHEN k.changed THEN (k.end_date - interval '6 months')::date ELSE k.end_date END,
       ${pick(p.add(['合同签订后30日内支付30%，验收后支付70%', '按里程碑验收分期付款，发票开具后30日内付清', '每季度末结算，发票开具后45日内付款'], 'text[]'), 'k.n', 510)},
       k.status, '双方应对本合同内容保密；因不可抗力导致的延误不视为违约。',
       ${pick(p.add(['none', 'remind', 'remind', 'auto'], 'text[]'), 'k.n', 511)}, ${pick(p.add([30, 60, 90], 'int[]'), 'k.n', 512)}, 12,
       ${below('k.n', 513, 4)} = 0,
       k.start_date - 30, now() - (${below('k.n', 514, 30)}) * interval '1 day'
     FROM demo_k k ORDER BY k.n`,
    p.values,
  );
}

/** A line's fields from the catalogue: quantity by kind of product, the list price, a hashed discount, the cost. */
export async function seedContractLines(ctx: SeedContext): Promise<number> {
  const p = new Params();
  const names = p.add(
    PRODUCTS.map((r) => r[0]),
    'text[]',
  );
  const types = p.add(
    PRODUCTS.map((r) => r[1]),
    'text[]',
  );
  const line = 'k.n * 8 + j';
  return ctx.db.execute(
    `WITH l AS (
       SELECT k.n, j, ${line} AS ln, 1 + ${hash(line, 520)} % ${PRODUCTS.length} AS pk, k.start_date FROM demo_k k, generate_series(1, k.lines) j),
     v AS (
       SELECT l.*, pr.list_price, pr.cost, ${types}[l.pk] AS ptype, ${names}[l.pk] AS pname,
         (CASE ${types}[l.pk] WHEN 'service' THEN 40 + ${below('l.ln', 521, 400)} WHEN 'software' THEN 5 + ${below('l.ln', 521, 100)} ELSE 1 + ${below('l.ln', 521, 20)} END)::numeric AS qty,
         ${pick(p.add([0, 0, 0, 5, 8, 10], 'numeric[]'), 'l.ln', 522)} AS discount
       FROM l JOIN product pr ON pr.id = ${cid('product', 'l.pk')})
     INSERT INTO contract_line (id, contract_id, product_id, description, quantity, unit_price, discount_pct, unit_cost, line_total, estimated_cost, created_at, updated_at)
     SELECT ${cid('contract_line', 'v.ln')}, ${cid('contract', 'v.n')}, ${cid('product', 'v.pk')}, v.pname, v.qty, v.list_price, v.discount, v.cost,
       round(v.qty * v.list_price * (1 - v.discount / 100), 2), round(v.qty * v.cost, 2), v.start_date - 30, v.start_date - 30
     FROM v ORDER BY v.ln`,
    p.values,
  );
}
