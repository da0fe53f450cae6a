// Every ended period of a contract's active SLA metrics, in one statement: each metric's terms, each period's result
// (its measurements, excluded ones left out, aggregated as the metric says) and the settlement it already has, if
// any. A month is keyed like 2026-03, a quarter like 2026-Q1; a period has ended when its last day is on or before
// the date. Rows come per metric in period order, so the cumulative caps can be carried from one to the next.
import type { PluginDb } from '../../engine/src/plugins/plugin-api.js';
import type { Direction, PriceMode } from './settle-period.js';

export type PeriodRow = {
  readonly metric_id: string;
  readonly name: string;
  readonly direction: Direction;
  readonly target: string;
  readonly buffer: string;
  readonly step: string;
  readonly penalty_mode: PriceMode;
  readonly penalty_per_step: string;
  readonly penalty_cap_period: string | null;
  readonly penalty_cap_total: string | null;
  readonly reward_level: string | null;
  readonly reward_mode: PriceMode;
  readonly reward_per_step: string | null;
  readonly reward_cap_period: string | null;
  readonly reward_cap_total: string | null;
  readonly key: string;
  /** ISO date of the period's last day. */
  readonly end: string;
  readonly actual: string;
  readonly count: number;
  /** The milestone's amount, for a metric settled per milestone. */
  readonly milestone_amount: string | null;
  readonly settlement_id: string | null;
  readonly status: string | null;
  readonly settled_actual: string | null;
  readonly settled_count: number | null;
  readonly penalty: string | null;
  readonly reward: string | null;
};

const SQL = `
  WITH m AS (
    SELECT * FROM sla_metric WHERE contract_id = $1 AND active AND deleted_at IS NULL),
  p AS (
    SELECT s.metric_id,
           to_char(s.measured_on, CASE m.period WHEN 'quarter' THEN 'YYYY-"Q"Q' ELSE 'YYYY-MM' END) AS key,
           (date_trunc(CASE m.period WHEN 'quarter' THEN 'quarter' ELSE 'month' END, s.measured_on)
             + CASE m.period WHEN 'quarter' THEN interval '3 months' ELSE interval '1 month' END - interval '1 day')::date AS "end",
           CASE m.aggregate
             WHEN 'min' THEN min(s.actual) WHEN 'avg' THEN round(avg(s.actual), 4) WHEN 'sum' THEN sum(s.actual)
             WHEN 'last' THEN (array_agg(s.actual ORDER BY s.measured_on DESC, s.created_at DESC))[1]
             ELSE max(s.actual) END AS actual,
           count(*)::int AS count
      FROM sla_measurement s JOIN m ON m.id = s.metric_id
     WHERE s.deleted_at IS NULL AND NOT s.excluded
     GROUP BY s.metric_id, m.period, m.aggregate, 2, 3)
  SELECT m.id AS metric_id, m.name, m.direction, m.target::text, m.buffer::text, m.step::text, m.penalty_mode,
         m.penalty_per_step::text, m.penalty_cap_period::text, m.penalty_cap_total::text, m.reward_level::text,
         m.reward_mode, m.reward_per_step::text, m.reward_cap_period::text, m.reward_cap_total::text,
         p.key, p."end"::text AS "end", p.actual::text AS actual, p.count, NULL::text AS milestone_amount,
         st.id AS settlement_id, st.status, st.actual::text AS settled_actual, st.measurements AS settled_count,
         st.penalty::text AS penalty, st.reward::text AS reward
    FROM m JOIN p ON p.metric_id = m.id AND p."end" <= $2::date
    LEFT JOIN sla_settlement st ON st.metric_id = m.id AND st.period_key = p.key AND st.deleted_at IS NULL
   ORDER BY m.name, m.id, p."end"`;

export async function contractPeriods(db: PluginDb, contractId: string, through: string): Promise<PeriodRow[]> {
  return db.query<PeriodRow>(SQL, [contractId, through]);
}
