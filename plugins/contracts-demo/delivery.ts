// Delivery of the signed sales contracts and statements of work: three milestones each (requirements 20 %,
// go-live 50 %, final acceptance 30 % of the contract value), accepted up to 8 days early or 20 days late once
// due — a few delivered and rejected — one billing line per milestone (100 % of it, due on its acceptance),
// and the material and labour cost of the contracts under way.
import type { SeedContext } from '../../engine/src/plugins/plugin-api.js';
import { SIGNED } from './contracts.js';
import { below, cid } from './sql-ids.js';

// A billing line's id is its milestone's with the billing-line kind code (sql-ids.ts).

/** The milestones: name, share of the contract value, days after the start it is due. */
const PLAN = [
  ['需求确认', '0.20', 45],
  ['系统上线', '0.50', 150],
  ['终验', '0.30', 300],
] as const;
/** The go-live milestone's number among a contract's (its SLA delay metric names it). */
export const GO_LIVE = 2;

export async function seedMilestones(ctx: SeedContext): Promise<number> {
  const values = PLAN.map(([name, share, days], i) => `(${i + 1}, '${name}', ${share}::numeric, ${days})`).join(', ');
  const mn = 'k.n * 4 + pl.j';
  return ctx.db.execute(
    `WITH v AS (SELECT contract_id, sum(line_total) AS value FROM contract_line GROUP BY contract_id),
     m AS (
       SELECT k.n, pl.j, ${mn} AS mn, pl.name, k.status,
         CASE WHEN pl.j = 3 THEN v.value - round(v.value * 0.2, 2) - round(v.value * 0.5, 2) ELSE round(v.value * pl.share, 2) END AS amount,
         k.start_date + pl.days AS due, ${below(mn, 560, 29)} - 8 AS delay
       FROM demo_k k JOIN v ON v.contract_id = ${cid('contract', 'k.n')}
       CROSS JOIN (VALUES ${values}) AS pl(j, name, share, days)
       WHERE k.status IN ${SIGNED} AND k.type IN ('sales', 'sow')),
     s AS (
       SELECT m.*, CASE
           WHEN m.due + m.delay < current_date AND ${below('m.mn', 561, 25)} = 0 THEN 'rejected'
           WHEN m.due + m.delay < current_date THEN 'accepted'
           WHEN m.due - 10 < current_date THEN 'delivered'
           ELSE 'planned' END AS st
       FROM m)
     INSERT INTO milestone (id, contract_id, name, amount, due_date, delivered_on, accepted_on, status, created_at, updated_at)
     SELECT ${cid('milestone', 's.mn')}, ${cid('contract', 's.n')}, s.name, s.amount, s.due,
       CASE WHEN s.st = 'delivered' THEN least(s.due - 2, current_date - 1) WHEN s.st <> 'planned' THEN s.due + s.delay - 2 END,
       CASE WHEN s.st = 'accepted' THEN s.due + s.delay END, s.st, s.due - 200, now()
     FROM s ORDER BY s.mn`,
  );
}

/** One billing line per milestone: 100 % of it when it is accepted. */
export async function seedBillingLines(ctx: SeedContext): Promise<number> {
  return ctx.db.execute(
    `INSERT INTO billing_line (id, contract_id, description, trigger, milestone_id, basis, percent, created_at, updated_at)
     SELECT overlay(m.id::text placing '0009' from 10 for 4)::uuid, m.contract_id, m.name || ' 验收款', 'milestone', m.id, 'milestone_percent', 100,
       m.created_at, m.created_at
     FROM milestone m WHERE m.id::text LIKE '0193e2a1-0008-%' ORDER BY m.id`,
  );
}

/** Material and labour of the contracts under way or done: a hashed share of their estimated cost. */
export async function seedCostEntries(ctx: SeedContext): Promise<number> {
  return ctx.db.execute(
    `WITH c AS (
       SELECT k.n, k.start_date, sum(l.estimated_cost) AS est FROM demo_k k JOIN contract_line l ON l.contract_id = ${cid('contract', 'k.n')}
       WHERE k.status IN ('active', 'completed', 'terminated', 'expired') GROUP BY k.n, k.start_date)
     INSERT INTO cost_entry (id, contract_id, kind, description, incurred_on, amount, created_at, updated_at)
     SELECT ${cid('cost_entry', 'c.n * 2 + e.j')}, ${cid('contract', 'c.n')}, e.kind, e.what,
       least(c.start_date + 20 + ${below('c.n * 2 + e.j', 570, 200)}, current_date - 1),
       round(c.est * (e.base + ${below('c.n * 2 + e.j', 571, 25)}) / 100, 2), c.start_date, c.start_date
     FROM c CROSS JOIN (VALUES (0, 'material', '设备与材料采购', 40), (1, 'labour', '实施人工', 20)) AS e(j, kind, what, base)
     ORDER BY c.n, e.j`,
  );
}
