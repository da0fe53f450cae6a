// What people track around the contracts: issues raised before or after signing with the actions taken, the
// commissions the plans accrue on signed sales contracts and statements of work, and each rep's quarterly quotas of
// this year with what they achieved, worked out by the quota plugin's own attainment statement.
import type { SeedContext } from '../../engine/src/plugins/plugin-api.js';
import { attainment } from '../quota-commission/attainment.js';
import { below, cid, cidOf, Params, pick } from './sql-ids.js';

export async function seedIssues(ctx: SeedContext): Promise<{ issues: number; actions: number }> {
  const p = new Params();
  const issues = await ctx.db.execute(
    `INSERT INTO contract_issue (id, contract_id, title, description, phase, category, priority, owner_id, due_date, status, resolved_on, created_at, updated_at)
     SELECT ${cid('issue', 'k.n')}, ${cid('contract', 'k.n')}, x.title, x.title || '，需与客户确认处理方案。',
       CASE WHEN k.status IN ('draft', 'in_approval', 'approved', 'signing') THEN 'before_signing' ELSE 'after_signing' END,
       x.category, ${pick(p.add(['low', 'normal', 'normal', 'high'], 'text[]'), 'k.n', 601)}, k.owner, current_date - 20 + ${below('k.n', 602, 40)},
       x.status, CASE WHEN x.status IN ('resolved', 'closed') THEN current_date - 1 - ${below('k.n', 603, 10)} END,
       now() - interval '30 days', now() - (${below('k.n', 603, 10)}) * interval '1 day'
     FROM demo_k k
     CROSS JOIN LATERAL (SELECT
       ${pick(p.add(['付款条款需修订', '交付延期风险', '验收标准争议', '发票信息有误', '设备到货破损'], 'text[]'), 'k.n', 604)} AS title,
       ${pick(p.add(['terms', 'delivery', 'quality', 'payment', 'other'], 'text[]'), 'k.n', 604)} AS category,
       ${pick(p.add(['open', 'in_progress', 'resolved', 'closed'], 'text[]'), 'k.n', 605)} AS status) x
     WHERE k.owner IS NOT NULL AND ${below('k.n', 600, 6)} = 0 ORDER BY k.n`,
    p.values,
  );
  // Resolving takes a logged action: resolved and closed issues have two, those in progress one.
  const actions = await ctx.db.execute(
    `INSERT INTO contract_issue_action (id, issue_id, taken_on, taken_by_id, summary, created_at, updated_at)
     SELECT ${cid('issue_action', "('x' || substr(i.id::text, 25))::bit(48)::bigint * 2 + a.j")}, i.id, current_date - 12 + a.j * 5, i.owner_id, a.what, now(), now()
     FROM contract_issue i
     CROSS JOIN (VALUES (0, '与客户电话沟通，确认问题范围'), (1, '提交处理方案并获客户确认')) AS a(j, what)
     WHERE i.id::text LIKE '0193e2a1-0013-%' AND (i.status IN ('resolved', 'closed') OR (i.status = 'in_progress' AND a.j = 0))`,
  );
  return { issues, actions };
}

export async function seedCommissions(ctx: SeedContext): Promise<number> {
  return ctx.db.execute(
    `WITH v AS (SELECT contract_id, sum(line_total) AS value FROM contract_line GROUP BY contract_id)
     INSERT INTO commission (id, owner_id, contract_id, plan_id, period, basis_amount, rate_pct, status, created_at, updated_at)
     SELECT ${cid('commission', 'k.n')}, k.owner, ${cid('contract', 'k.n')}, pl.id, to_char(k.signed_on, 'YYYY-MM'), v.value, pl.rate_pct,
       CASE WHEN k.signed_on < current_date - 90 THEN 'paid' WHEN k.signed_on < current_date - 30 THEN 'approved' ELSE 'accrued' END,
       k.signed_on, k.signed_on
     FROM demo_k k JOIN v ON v.contract_id = ${cid('contract', 'k.n')}
     JOIN commission_plan pl ON pl.id IN (${cid('commission_plan', '1')}, ${cid('commission_plan', '2')}) AND pl.contract_type = k.type
     WHERE k.status IN ('signed', 'active', 'completed') AND k.owner IS NOT NULL AND v.value >= coalesce(pl.min_amount, 0)
     ORDER BY k.n`,
  );
}

/** A quota per rep who owns demo contracts and quarter of this year, its achievement as refresh_attainment finds it. */
export async function seedQuotas(ctx: SeedContext): Promise<number> {
  const reps = await ctx.db.query<{ id: string; name: string; target: string }>(
    `SELECT u.id::text AS id, u.display_name AS name, (count(*) * 100000)::text AS target
     FROM demo_k k JOIN app_user u ON u.id = k.owner GROUP BY u.id, u.display_name ORDER BY u.id`,
  );
  const [now] = await ctx.db.query<{ year: number }>(`SELECT extract(year FROM current_date)::int AS year`);
  const year = now?.year ?? new Date().getFullYear();
  const rows = reps.flatMap((rep) =>
    [1, 2, 3, 4].map((quarter) => {
      const start = `${year}-${String(quarter * 3 - 2).padStart(2, '0')}-01`;
      const end = new Date(Date.UTC(year, quarter * 3, 0)).toISOString().slice(0, 10);
      return { rep, quarter, start, end };
    }),
  );
  const achieved = [];
  for (const r of rows)
    achieved.push(
      (await attainment(ctx.db, { basis: 'signed_contracts', rep: r.rep.id, orgUnit: null, start: r.start, end: r.end })).achieved,
    );
  return ctx.db.execute(
    `INSERT INTO sales_quota (id, name, year, period_type, quarter, rep_id, basis, target, period_start, period_end, achieved, refreshed_at)
     SELECT id, name, ${year}, 'quarter', quarter, rep, 'signed_contracts', target, start, "end", achieved, now()
     FROM unnest($1::uuid[], $2::text[], $3::int[], $4::uuid[], $5::numeric[], $6::date[], $7::date[], $8::numeric[])
       AS s(id, name, quarter, rep, target, start, "end", achieved)`,
    [
      rows.map((_, i) => cidOf('quota', i + 1)),
      rows.map((r) => `${r.rep.name} ${year} Q${r.quarter}`),
      rows.map((r) => r.quarter),
      rows.map((r) => r.rep.id),
      rows.map((r) => r.rep.target),
      rows.map((r) => r.start),
      rows.map((r) => r.end),
      achieved,
    ],
  );
}
