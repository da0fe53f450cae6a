// Every ended period of a contract's active SLA metrics, in one statement: each metric's terms, each period's result
// (its measurements, excluded ones left out, aggregated as the metric says) and the settlement it already has, if
// any. A month is keyed like 2026-03, a quarter like 2026-Q1, a milestone by its name; a period has ended when its
// last day (a milestone: its acceptance) is on or before the date. Rows come per metric in period order, so the
// cumulative caps can be carried from one to the next. Also the measurements milestones give time-based metrics.
// Both read any number of contracts in one statement (a contract alone, or a scheduled run's batch) with the same
// SQL, so a batch settles exactly what each contract settled alone would.
import type { PluginDb } from '../../engine/src/plugins/plugin-api.js';
import type { Direction, PriceMode } from './settle-period.js';

export type PeriodRow = {
  readonly contract_id: string;
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
  /** What the contract invoiced in the period (the milestone's amount for a milestone). */
  readonly period_charge: string;
  readonly settlement_id: string | null;
  readonly status: string | null;
  readonly settled_actual: string | null;
  readonly settled_count: number | null;
  readonly penalty: string | null;
  readonly reward: string | null;
};

// Calendar periods come from the measurement dates; a milestone's period is the milestone, ended once accepted, with
// the measurements that name it. The period's charge is what the contract invoiced in it (billing plan and charge
// lines of issued invoices; for a milestone, the milestone's amount).
const SQL = `
  WITH m AS (
    SELECT * FROM sla_metric WHERE contract_id = ANY($1::uuid[]) AND active AND deleted_at IS NULL),
  cal AS (
    SELECT s.metric_id,
           to_char(s.measured_on, CASE m.period WHEN 'quarter' THEN 'YYYY-"Q"Q' ELSE 'YYYY-MM' END) AS key,
           date_trunc(CASE m.period WHEN 'quarter' THEN 'quarter' ELSE 'month' END, s.measured_on)::date AS start,
           (date_trunc(CASE m.period WHEN 'quarter' THEN 'quarter' ELSE 'month' END, s.measured_on)
             + CASE m.period WHEN 'quarter' THEN interval '3 months' ELSE interval '1 month' END - interval '1 day')::date AS "end",
           NULL::uuid AS milestone_id, s.actual, s.measured_on, s.created_at
      FROM sla_measurement s JOIN m ON m.id = s.metric_id
     WHERE s.deleted_at IS NULL AND NOT s.excluded AND m.period <> 'milestone'
    UNION ALL
    SELECT s.metric_id, mi.name || ' #' || left(mi.id::text, 8), mi.accepted_on, mi.accepted_on, mi.id,
           s.actual, s.measured_on, s.created_at
      FROM sla_measurement s JOIN m ON m.id = s.metric_id
      JOIN milestone mi ON mi.id = s.milestone_id AND mi.deleted_at IS NULL AND mi.status = 'accepted'
     WHERE s.deleted_at IS NULL AND NOT s.excluded AND m.period = 'milestone'
       AND (m.milestone_id IS NULL OR m.milestone_id = mi.id)),
  p AS (
    SELECT c.metric_id, c.key, c.start, c."end", c.milestone_id,
           CASE m.aggregate
             WHEN 'min' THEN min(c.actual) WHEN 'avg' THEN round(avg(c.actual), 4) WHEN 'sum' THEN sum(c.actual)
             WHEN 'last' THEN (array_agg(c.actual ORDER BY c.measured_on DESC, c.created_at DESC))[1]
             ELSE max(c.actual) END AS actual,
           count(*)::int AS count
      FROM cal c JOIN m ON m.id = c.metric_id
     GROUP BY c.metric_id, m.aggregate, c.key, c.start, c."end", c.milestone_id)
  SELECT m.contract_id, m.id AS metric_id, m.name, m.direction, m.target::text, m.buffer::text, m.step::text, m.penalty_mode,
         m.penalty_per_step::text, m.penalty_cap_period::text, m.penalty_cap_total::text, m.reward_level::text,
         m.reward_mode, m.reward_per_step::text, m.reward_cap_period::text, m.reward_cap_total::text,
         p.key, p."end"::text AS "end", p.actual::text AS actual, p.count,
         mi.amount::text AS milestone_amount,
         CASE WHEN p.milestone_id IS NOT NULL THEN mi.amount::text ELSE (
           SELECT coalesce(sum(l.amount), 0)::text FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id
            WHERE l.contract_id = m.contract_id AND l.deleted_at IS NULL AND i.deleted_at IS NULL AND i.stage = 'issued'
              AND l.kind IN ('billing', 'charge') AND i.issue_date BETWEEN p.start AND p."end") END AS period_charge,
         st.id AS settlement_id, st.status, st.actual::text AS settled_actual, st.measurements AS settled_count,
         st.penalty::text AS penalty, st.reward::text AS reward
    FROM m JOIN p ON p.metric_id = m.id AND p."end" <= $2::date
    LEFT JOIN milestone mi ON mi.id = p.milestone_id
    LEFT JOIN sla_settlement st ON st.metric_id = m.id AND st.period_key = p.key AND st.deleted_at IS NULL
   ORDER BY m.contract_id, m.name, m.id, p."end"`;

/**
 * Measurements a time-based metric settled per milestone takes from the milestone itself: its days late when it was
 * accepted. Each (metric, milestone) pair that has none yet, or whose accepted milestone moved, is listed with the
 * value it should hold.
 */
const MILESTONE_MEASUREMENTS = `
  SELECT m.contract_id, m.id AS metric_id, mi.id AS milestone_id, mi.accepted_on::text AS measured_on, mi.days_late::text AS actual,
         s.id AS measurement_id
    FROM sla_metric m
    JOIN sla_metric_type ty ON ty.id = m.metric_type_id AND ty.category = 'time'
    JOIN milestone mi ON mi.contract_id = m.contract_id AND mi.deleted_at IS NULL AND mi.status = 'accepted'
                     AND mi.days_late IS NOT NULL AND (m.milestone_id IS NULL OR m.milestone_id = mi.id)
    LEFT JOIN sla_measurement s ON s.metric_id = m.id AND s.milestone_id = mi.id AND s.source = 'milestone' AND s.deleted_at IS NULL
   WHERE m.contract_id = ANY($1::uuid[]) AND m.active AND m.deleted_at IS NULL AND m.period = 'milestone'
     AND (s.id IS NULL OR s.actual <> mi.days_late OR s.measured_on <> mi.accepted_on)
   ORDER BY m.contract_id, m.id, mi.id`;

export type MilestoneMeasurement = {
  readonly contract_id: string;
  readonly metric_id: string;
  readonly milestone_id: string;
  readonly measured_on: string;
  readonly actual: string;
  readonly measurement_id: string | null;
};

/** Rows listed per contract (by lower-case id), each contract's in the order its statement gave them. */
function byContract<R extends { readonly contract_id: string }>(contractIds: readonly string[], rows: readonly R[]): Map<string, R[]> {
  const out = new Map<string, R[]>(contractIds.map((id) => [id.toLowerCase(), []]));
  for (const row of rows) out.get(row.contract_id.toLowerCase())?.push(row);
  return out;
}

/** The milestone measurements to write, per contract: one statement for any number of contracts. */
export async function milestoneMeasurements(db: PluginDb, contractIds: readonly string[]): Promise<Map<string, MilestoneMeasurement[]>> {
  return byContract(contractIds, await db.query<MilestoneMeasurement>(MILESTONE_MEASUREMENTS, [contractIds]));
}

/** The ended periods per contract: one statement for any number of contracts. */
export async function contractPeriods(db: PluginDb, contractIds: readonly string[], through: string): Promise<Map<string, PeriodRow[]>> {
  return byContract(contractIds, await db.query<PeriodRow>(SQL, [contractIds, through]));
}
