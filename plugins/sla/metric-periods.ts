// The periods of one SLA metric that have ended by a date, each with its result: the metric's measurements (excluded
// ones left out) aggregated as the metric says. A month or quarter is keyed like 2026-03 or 2026-Q1 and has ended when
// its last day is on or before the date.
import type { PluginDb } from '../../engine/src/plugins/plugin-api.js';

export interface MetricPeriod {
  readonly key: string;
  /** ISO date of the period's last day. */
  readonly end: string;
  readonly actual: string;
  readonly count: number;
  /** The milestone's amount, for a metric settled per milestone. */
  readonly milestoneAmount: string | null;
}

const AGGREGATES: Record<string, string> = {
  max: 'max(actual)',
  min: 'min(actual)',
  avg: 'round(avg(actual), 4)',
  sum: 'sum(actual)',
  last: '(array_agg(actual ORDER BY measured_on DESC, created_at DESC))[1]',
};

const CALENDAR: Record<string, { key: string; unit: string; length: string }> = {
  month: { key: 'YYYY-MM', unit: 'month', length: '1 month' },
  quarter: { key: 'YYYY-"Q"Q', unit: 'quarter', length: '3 months' },
};

export async function metricPeriods(
  db: PluginDb,
  metric: { readonly id: string; readonly period: string; readonly aggregate: string },
  through: string,
): Promise<MetricPeriod[]> {
  const aggregate = AGGREGATES[metric.aggregate];
  const calendar = CALENDAR[metric.period];
  if (aggregate === undefined || calendar === undefined)
    throw new Error(`unknown SLA period ${metric.period} or aggregate ${metric.aggregate}`);
  const rows = await db.query<{ key: string; end: string; actual: string; count: number }>(
    `SELECT key, "end"::text AS "end", actual::text AS actual, count FROM (
       SELECT to_char(measured_on, '${calendar.key}') AS key,
              (date_trunc('${calendar.unit}', measured_on) + interval '${calendar.length}' - interval '1 day')::date AS "end",
              ${aggregate} AS actual, count(*)::int AS count
         FROM sla_measurement
        WHERE metric_id = $1 AND deleted_at IS NULL AND NOT excluded
        GROUP BY 1, 2) p
      WHERE "end" <= $2::date ORDER BY "end"`,
    [metric.id, through],
  );
  return rows.map((r) => ({ ...r, milestoneAmount: null }));
}
