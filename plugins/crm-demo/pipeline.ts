// Leads in every status (some in the public pool), opportunities in every stage with realistic money, the
// opportunity teams of big deals, and activities about customers, opportunities and leads.
import type { SeedContext } from '../../engine/src/plugins/plugin-api.js';
import type { Physical } from './physical.js';
import { personName } from './customers.js';
import { below, daysAgo, hash, numberSql, Params, pick, uid } from './sql-bits.js';
import type { Volumes } from './volumes.js';
import * as W from './words.js';

export async function seedLeads(ctx: SeedContext, ph: Physical, v: Volumes): Promise<number> {
  const l = ph.entity('lead');
  const p = new Params();
  const drawn = await ctx.drawNumbers('lead', 'lead_no', v.leads);
  const no = numberSql(p, drawn, 'x.n');
  const syl = p.add(W.TRADE_NAME_SYLLABLES, 'text[]');
  const english = `(x.region = 'overseas' OR ${below('x.n', 114, 100)} < 10)`;
  const tradeZh = `${p.add(W.TRADES_ZH, 'text[]')}[1 + x.ind * 4 + ${below('x.n', 123, 4)}]`;
  const tradeEn = `${p.add(W.TRADES_EN, 'text[]')}[1 + x.ind * 4 + ${below('x.n', 123, 4)}]`;
  const company = `CASE WHEN ${english}
      THEN ${pick(p.add(W.EN_FIRST, 'text[]'), 'x.n', 124)} || ${pick(p.add(W.EN_SECOND, 'text[]'), 'x.n', 125)} || ' ' || ${tradeEn} || ' ' || ${pick(p.add(W.SUFFIXES_EN, 'text[]'), 'x.n', 127)}
      ELSE ct.city || ${pick(syl, 'x.n', 121)} || ${pick(syl, 'x.n', 122)} || ${tradeZh} || ${pick(p.add(W.SUFFIXES_ZH, 'text[]'), 'x.n', 126)} END`;
  // Qualified and converted leads scored high enough to get there (the qualify transition wants 40 points).
  const hot = `x.status IN ('qualified', 'converted')`;
  const pooled = `(x.status = 'new' AND ${below('x.n', 130, 3)} = 0)`;
  const keyAccounts = `(x.region = 'east' AND x.ind IN (${W.INDUSTRIES.indexOf('technology')}, ${W.INDUSTRIES.indexOf('finance')}))`;
  const cols = [
    'lead_no',
    'company_name',
    'contact_name',
    'contact_title',
    'mobile',
    'email',
    'source',
    'industry',
    'region',
    'size',
    'need',
    'status',
    'disqualify_reason',
    'status_changed_at',
    'owner',
    'org_unit',
    'last_activity_at',
    'converted_customer',
    'converted_contact',
    'converted_at',
  ].map((f) => l.col(f));
  return ctx.db.execute(
    `WITH x AS (
       SELECT n, ${pick(p.add(W.REGIONS, 'text[]'), 'n', 111)} AS region, ${below('n', 112, W.INDUSTRIES.length)} AS ind,
         ${pick(p.add(['new', 'new', 'new', 'new', 'new', 'new', 'contacted', 'contacted', 'contacted', 'contacted', 'contacted', 'qualified', 'qualified', 'qualified', 'converted', 'converted', 'disqualified', 'disqualified', 'disqualified', 'disqualified'], 'text[]'), 'n', 113)} AS status
       FROM generate_series(1::bigint, ${v.leads}) n)
     INSERT INTO ${l.table} (id, ${cols.join(', ')}, ${l.col('budget')}, ${l.col('budget', 1)}, created_at, updated_at)
     SELECT ${uid('ld', 'x.n')}, ${no}, ${company}, ${personName(p, 'x.n', 140, english)},
       ${p.add(W.TITLES_ZH, 'text[]')}[1 + ${below('x.n', 131, W.TITLES_ZH.length)}],
       CASE WHEN ${hot} OR ${below('x.n', 132, 5)} > 0 THEN '1' || ${pick(p.add(['38', '39', '58', '59', '86', '87', '35', '36'], 'text[]'), 'x.n', 133)} || lpad(${below('x.n', 134, 100000000)}::text, 8, '0') END,
       CASE WHEN ${hot} OR ${below('x.n', 135, 2)} = 0 THEN 'lead' || x.n || '@mail.example.cn' END,
       ${pick(p.add(['website', 'website', 'exhibition', 'referral', 'cold_call', 'campaign', 'partner', 'import', 'other'], 'text[]'), 'x.n', 136)},
       ${p.add(W.INDUSTRIES, 'text[]')}[1 + x.ind], x.region,
       CASE WHEN ${hot} THEN ${pick(p.add(['large', 'enterprise'], 'text[]'), 'x.n', 137)} ELSE ${pick(p.add(['micro', 'small', 'small', 'medium', 'medium', 'large', 'enterprise'], 'text[]'), 'x.n', 137)} END,
       CASE WHEN ${hot} OR ${below('x.n', 138, 5)} < 3 THEN ${pick(p.add(W.NEEDS, 'text[]'), 'x.n', 139)} END,
       x.status,
       CASE WHEN x.status = 'disqualified' THEN ${pick(p.add(W.DISQUALIFY_REASONS, 'text[]'), 'x.n', 150)} END,
       CASE WHEN x.status <> 'new' THEN ${daysAgo(below('x.n', 151, 60))} END,
       CASE WHEN NOT ${pooled} THEN rep.id END, CASE WHEN NOT ${pooled} THEN rep.unit END,
       ${daysAgo(below('x.n', 152, 45))},
       CASE WHEN x.status = 'converted' THEN ${uid('cu', `(1 + ${hash('x.n', 153)} % ${v.customers})`)} END,
       CASE WHEN x.status = 'converted' THEN ${uid('ct', `(1 + ${hash('x.n', 153)} % ${v.customers})`)} END,
       CASE WHEN x.status = 'converted' THEN ${daysAgo(below('x.n', 151, 60))} END,
       CASE WHEN ${hot} THEN (20 + ${below('x.n', 154, 180)}) * 10000 WHEN ${below('x.n', 155, 10)} < 7 THEN (1 + ${below('x.n', 156, 50)}) * 10000 END,
       CASE WHEN ${hot} OR ${below('x.n', 155, 10)} < 7 THEN 'CNY' END,
       ${daysAgo(`60 + ${below('x.n', 157, 90)}`)}, ${daysAgo(below('x.n', 152, 45))}
     FROM x
     JOIN demo_city ct ON ct.region = x.region AND ct.k = ${hash('x.n', 115)} % ct.cnt
     JOIN demo_staff rep ON rep.job = 'rep' AND rep.branch = ct.branch
       AND rep.k = CASE WHEN ${keyAccounts} THEN ${hash('x.n', 116)} % 2 ELSE ${hash('x.n', 116)} % rep.cnt END`,
    p.values,
  );
}

export async function seedOpportunities(ctx: SeedContext, ph: Physical, v: Volumes): Promise<number> {
  const o = ph.entity('opportunity');
  const cu = ph.entity('customer');
  const p = new Params();
  const drawn = await ctx.drawNumbers('opportunity', 'opportunity_no', v.opportunities);
  const no = numberSql(p, drawn, 'x.n');
  // Customers in pairs: the first gets per + d opportunities, the second per - d (0 <= d <= per), so counts run
  // from none to 2 x per and add up exactly. Opportunity n's customer follows from n (pair p holds numbers
  // 2·per·(p-1)+1 to 2·per·p), so they are written in customer order, and the customers' rollups read each
  // one's opportunities from neighbouring pages, with no sort of 2,000,000 rows and no set-returning lateral.
  const per = v.opportunities / v.customers;
  const pair = `((n - 1) / ${2 * per} + 1)`;
  if (!Number.isInteger(per)) throw new Error('crm-demo: opportunities must be a whole multiple of customers');
  const closed = `x.stage IN ('won', 'lost')`;
  // The derived values are written as the rules compute them (confidence by stage, CNY, weighted, profit,
  // margin, ROI), so the recompute that follows finds nothing to change and writes no row of the biggest table.
  const cols = [
    'opportunity_no',
    'name',
    'customer',
    'contact',
    'owner',
    'department',
    'stage',
    'priority',
    'exchange_rate',
    'expected_close',
    'closed_on',
    'budget',
    'expenses',
    'cost_of_sale',
    'competitors',
    'value_proposition',
    'influencers',
    'next_step',
    'bid_required',
    'bid_due',
    'bid_status',
    'lost_reason',
    'deal_approved',
    'confidence',
    'amount_cny',
    'weighted_amount',
    'expected_profit',
    'margin_pct',
    'roi_pct',
  ].map((f) => o.col(f));
  const competitors = p.add(W.COMPETITORS, 'text[]');
  return ctx.db.execute(
    `WITH x AS (
       SELECT g.n, c.id AS customer, c.${cu.col('short_name')} AS short_name, c.${cu.col('owner')} AS owner, c.${cu.col('org_unit')} AS unit, g.cn,
         CASE WHEN c.${cu.col('blacklisted')} THEN 'lost'
           ELSE ${pick(p.add(['qualification', 'qualification', 'qualification', 'qualification', 'needs_analysis', 'needs_analysis', 'needs_analysis', 'proposal', 'proposal', 'proposal', 'negotiation', 'negotiation', 'won', 'won', 'won', 'won', 'won', 'lost', 'lost', 'lost'], 'text[]'), 'g.n', 201)} END AS stage,
         ((${below('g.n', 202, 400)} + 1) * 5000 * (1 + ${below('g.n', 203, 4)}))::numeric AS amount,
         CASE WHEN c.${cu.col('region')} = 'overseas' THEN 7.12::numeric END AS rate
       FROM (
         SELECT n, CASE WHEN (n - 1) % ${2 * per} < ${per} + ${hash(pair, 200)} % ${per + 1} THEN 2 * ${pair} - 1 ELSE 2 * ${pair} END AS cn
         FROM generate_series(1::bigint, ${v.opportunities}) n) g
       JOIN ${cu.table} c ON c.id = ${uid('cu', 'g.cn')}),
     y AS (
       SELECT x.*, round(x.amount * coalesce(x.rate, 1), 2) AS cny,
         CASE x.stage WHEN 'qualification' THEN 10 WHEN 'needs_analysis' THEN 25 WHEN 'proposal' THEN 50 WHEN 'negotiation' THEN 75 WHEN 'won' THEN 100 ELSE 0 END AS confidence
       FROM x),
     z AS (
       SELECT y.*, round(y.cny * (5 + ${below('y.n', 207, 10)}) / 100, 2) AS budget, round(y.cny * (1 + ${below('y.n', 208, 5)}) / 100, 2) AS expenses,
         round(y.cny * (45 + ${below('y.n', 209, 30)}) / 100, 2) AS cost
       FROM y)
     INSERT INTO ${o.table} (id, ${cols.join(', ')}, ${o.col('amount')}, ${o.col('amount', 1)}, created_at, updated_at)
     SELECT ${uid('op', 'x.n')}, ${no}, x.short_name || ' ' || ${pick(p.add(W.PRODUCTS, 'text[]'), 'x.n', 204)}, x.customer, ${uid('ct', 'x.cn')},
       x.owner, x.unit, x.stage, ${pick(p.add(['high', 'normal', 'normal', 'low'], 'text[]'), 'x.n', 205)}, x.rate,
       CASE WHEN ${closed} THEN current_date - ${below('x.n', 206, 300)} ELSE current_date + ${below('x.n', 206, 150)} - 20 END,
       CASE WHEN ${closed} THEN current_date - ${below('x.n', 206, 300)} END,
       x.budget, x.expenses, x.cost,
       ${pick(competitors, 'x.n', 210)} || '、' || ${pick(competitors, 'x.n', 211)},
       ${pick(p.add(W.VALUE_PROPOSITIONS, 'text[]'), 'x.n', 212)},
       CASE WHEN ${below('x.n', 213, 2)} = 0 THEN '财务总监、信息技术经理' END,
       CASE WHEN NOT ${closed} THEN ${pick(p.add(W.NEXT_STEPS, 'text[]'), 'x.n', 214)} END,
       ${below('x.n', 215, 5)} = 0,
       CASE WHEN ${below('x.n', 215, 5)} = 0 THEN current_date + ${below('x.n', 206, 150)} - 50 END,
       CASE WHEN ${below('x.n', 215, 5)} = 0 THEN CASE x.stage WHEN 'won' THEN 'won' WHEN 'lost' THEN 'lost' WHEN 'negotiation' THEN 'submitted' ELSE 'preparing' END END,
       CASE WHEN x.stage = 'lost' THEN ${pick(p.add(W.LOST_REASONS, 'text[]'), 'x.n', 216)} END,
       -- Deals of 500,000 CNY and more were won through the large-deal approval.
       x.stage = 'won' AND x.cny >= 500000,
       x.confidence, x.cny, round(x.cny * x.confidence / 100, 2), x.cny - (x.cost + x.expenses),
       CASE WHEN x.cny > 0 THEN round((x.cny - (x.cost + x.expenses)) * 100 / x.cny, 2) END,
       CASE WHEN x.budget + x.expenses > 0 THEN round((x.cny - (x.cost + x.expenses)) * 100 / (x.budget + x.expenses), 2) END,
       x.amount, CASE WHEN x.rate IS NULL THEN 'CNY' ELSE 'USD' END,
       ${daysAgo(`20 + ${below('x.n', 217, 400)}`)}, ${daysAgo(below('x.n', 218, 20))}
     FROM z x`,
    p.values,
  );
}

/** Big deals share their opportunity with the customer's account manager. */
export async function seedOpportunityTeams(ctx: SeedContext, ph: Physical): Promise<number> {
  const o = ph.entity('opportunity');
  const cu = ph.entity('customer');
  const team = o.junction('team');
  return ctx.db.execute(
    `INSERT INTO ${team.table} (${team.source}, ${team.target})
     SELECT o.id, c.${cu.col('account_manager')} FROM ${o.table} o JOIN ${cu.table} c ON c.id = o.${o.col('customer')}
     WHERE c.${cu.col('account_manager')} IS NOT NULL AND o.${o.col('amount')} >= 1000000`,
  );
}

type About = 'customer' | 'opportunity' | 'lead';

/** Activities about one kind of record: `count` of them, each about a hashed pick of `of` such records. */
export async function seedActivities(ctx: SeedContext, ph: Physical, about: About, count: number, of: number): Promise<number> {
  const a = ph.entity('activity');
  const target = ph.entity(about);
  const p = new Params();
  const kinds = p.add(W.ACTIVITY_KINDS, 'text[]');
  const subjects = p.add(
    W.ACTIVITY_KINDS.flatMap((k) => W.ACTIVITY_SUBJECTS[k] ?? []),
    'text[]',
  );
  const kind = `${below('m', 301, W.ACTIVITY_KINDS.length)}`;
  const offset = `(${below('m', 302, 400)} - 370)`;
  const at = `(date_trunc('day', now()) + ${offset} * interval '1 day' + (9 + ${below('m', 303, 9)}) * interval '1 hour')`;
  const status = `CASE WHEN ${offset} >= 0 THEN 'planned' WHEN ${below('m', 304, 20)} = 0 THEN 'cancelled' WHEN ${below('m', 304, 20)} = 1 THEN 'planned' ELSE 'done' END`;
  const prefix = { customer: 'ac-c', opportunity: 'ac-o', lead: 'ac-l' }[about];
  const kindOfTarget = { customer: 'cu', opportunity: 'op', lead: 'ld' }[about];
  const refs =
    about === 'customer'
      ? { customer: 't.id', lead: 'NULL::uuid', opportunity: 'NULL::uuid', contact: uid('ct', 't_n'), stage: 'NULL' }
      : about === 'opportunity'
        ? {
            customer: `t.${target.col('customer')}`,
            lead: 'NULL::uuid',
            opportunity: 't.id',
            contact: `t.${target.col('contact')}`,
            stage: `t.${target.col('stage')}`,
          }
        : { customer: 'NULL::uuid', lead: 't.id', opportunity: 'NULL::uuid', contact: 'NULL::uuid', stage: 'NULL' };
  const cols = [
    'kind',
    'subject',
    'purpose',
    'customer',
    'lead',
    'opportunity',
    'contact',
    'sales_stage',
    'status',
    'scheduled_at',
    'due_on',
    'done_at',
    'decision_makers',
    'result',
    'next_step',
    'owner',
  ].map((f) => a.col(f));
  return ctx.db.execute(
    `INSERT INTO ${a.table} (id, ${cols.join(', ')}, created_at, updated_at)
     SELECT ${uid(prefix, 'm')}, ${kinds}[1 + ${kind}], ${subjects}[1 + ${kind} * 4 + ${below('m', 305, 4)}],
       ${pick(p.add(W.PURPOSES, 'text[]'), 'm', 306)}, ${refs.customer}, ${refs.lead}, ${refs.opportunity}, ${refs.contact}, ${refs.stage},
       ${status}, ${at}, CASE WHEN ${kind} = ${W.ACTIVITY_KINDS.indexOf('task')} THEN (${at})::date + 7 END,
       CASE WHEN ${status} = 'done' THEN ${at} + interval '1 hour' END,
       CASE WHEN ${kind} IN (${W.ACTIVITY_KINDS.indexOf('meeting')}, ${W.ACTIVITY_KINDS.indexOf('visit')}) THEN '总经理、采购经理' END,
       CASE WHEN ${status} = 'done' THEN ${pick(p.add(W.RESULTS, 'text[]'), 'm', 307)} END,
       CASE WHEN ${status} = 'done' THEN ${pick(p.add(W.NEXT_STEPS, 'text[]'), 'm', 308)} END,
       t.${target.col('owner')}, ${at} - interval '3 days', ${at} - interval '3 days'
     FROM (SELECT m, 1 + ${hash('m', 300)} % ${of} AS t_n FROM generate_series(1::bigint, ${count}) m) g
     JOIN ${target.table} t ON t.id = ${uid(kindOfTarget, 'g.t_n')}`,
    p.values,
  );
}
