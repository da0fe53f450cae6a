// Demo quotes: one per opportunity (the first ones), in the status its deal suggests — won deals accepted (and
// linked to the contract made from the same opportunity), lost ones rejected, late-stage ones sent or approved,
// early ones draft or expired — with one to three lines from the demo catalogue at list price, a hashed discount
// and 13 % VAT. Their totals and margins are left to the engine's recompute.
import type { SeedContext } from '../../engine/src/plugins/plugin-api.js';
import { PRODUCTS } from './catalogue.js';
import { below, cid, crmUid, hash, numberSql, Params, pick } from './sql-ids.js';

export async function seedQuotes(ctx: SeedContext, count: number): Promise<number> {
  const plan = new Params();
  await ctx.db.execute(
    `CREATE TEMP TABLE demo_q ON COMMIT DROP AS
     SELECT q, o.id AS opportunity, o.name, o.customer_id, o.contact_id, o.owner_id, o.stage,
       CASE o.stage WHEN 'won' THEN 'accepted' WHEN 'lost' THEN 'rejected' WHEN 'negotiation' THEN 'sent'
         WHEN 'proposal' THEN ${pick(plan.add(['approved', 'in_approval', 'sent'], 'text[]'), 'q', 540)}
         ELSE ${pick(plan.add(['draft', 'draft', 'expired'], 'text[]'), 'q', 540)} END AS status,
       (current_date - 20 - ${below('q', 541, 200)}) AS made_on
     FROM generate_series(1::bigint, ${count}) q JOIN opportunity o ON o.id = ${crmUid('op', 'q')}`,
    plan.values,
  );
  const p = new Params();
  const drawn = await ctx.drawNumbers('quote', 'quote_no', count);
  return ctx.db.execute(
    `INSERT INTO quote (id, quote_no, title, customer_id, contact_id, opportunity_id, owner_id, revision, valid_until, status, sent_on, sent_via,
        responded_on, contract_id, notes, created_at, updated_at)
     SELECT ${cid('quote', 'x.q')}, ${numberSql(p, drawn, 'x.q')}, x.name || ' 报价', x.customer_id, x.contact_id, x.opportunity, x.owner_id, 1,
       CASE WHEN x.status = 'expired' THEN current_date - 1 - ${below('x.q', 542, 30)} ELSE x.made_on + 60 END, x.status,
       CASE WHEN x.status IN ('sent', 'accepted', 'rejected', 'expired') THEN x.made_on + 3 END,
       CASE WHEN x.status IN ('sent', 'accepted', 'rejected', 'expired') THEN ${pick(p.add(['email', 'email', 'in_person', 'post', 'portal'], 'text[]'), 'x.q', 543)} END,
       CASE WHEN x.status IN ('accepted', 'rejected') THEN x.made_on + 10 END,
       CASE WHEN x.status = 'accepted' AND k.n IS NOT NULL THEN ${cid('contract', 'k.n')} END,
       CASE WHEN ${below('x.q', 544, 4)} = 0 THEN '含首年维护服务' END, x.made_on, x.made_on + 10
     FROM demo_q x LEFT JOIN demo_k k ON k.opportunity = x.opportunity ORDER BY x.q`,
    p.values,
  );
}

export async function seedQuoteLines(ctx: SeedContext): Promise<number> {
  const p = new Params();
  const names = p.add(
    PRODUCTS.map((r) => r[0]),
    'text[]',
  );
  const line = 'x.q * 4 + j';
  return ctx.db.execute(
    `WITH l AS (
       SELECT x.q, ${line} AS ln, 1 + ${hash(line, 550)} % ${PRODUCTS.length} AS pk, x.made_on
       FROM demo_q x, generate_series(1, 1 + ${below('x.q', 551, 3)}) j)
     INSERT INTO quote_line (id, quote_id, product_id, description, quantity, unit_price, discount_pct, tax_rate, unit_cost, created_at, updated_at)
     SELECT ${cid('quote_line', 'l.ln')}, ${cid('quote', 'l.q')}, pr.id, ${names}[l.pk], 1 + ${below('l.ln', 552, 30)}, pr.list_price,
       ${pick(p.add([0, 0, 5, 10, 12, 15], 'numeric[]'), 'l.ln', 553)}, 13, pr.cost, l.made_on, l.made_on
     FROM l JOIN product pr ON pr.id = ${cid('product', 'l.pk')} ORDER BY l.ln`,
    p.values,
  );
}
