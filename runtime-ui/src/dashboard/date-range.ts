// A widget's relative period (this month, the last 30 days...) as dates, in UTC as the cubes bucket time: `from`
// inclusive and `to` exclusive for a drill-down filter, and Cube's inclusive [first day, last day] range. Pure.
import type { DateRangeName } from '../api/meta-types';

export interface Period {
  /** First day, YYYY-MM-DD. */
  from: string;
  /** The day after the last, YYYY-MM-DD. */
  to: string;
}

const day = (d: Date) => d.toISOString().slice(0, 10);
const utc = (y: number, m: number, d: number) => new Date(Date.UTC(y, m, d));

export function periodOf(name: DateRangeName, now: Date): Period {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  const tomorrow = utc(y, m, d + 1);
  switch (name) {
    case 'today':
      return { from: day(utc(y, m, d)), to: day(tomorrow) };
    case 'this_week': {
      // Weeks start on Monday (ISO), as Cube's week granularity does.
      const monday = d - ((now.getUTCDay() + 6) % 7);
      return { from: day(utc(y, m, monday)), to: day(utc(y, m, monday + 7)) };
    }
    case 'this_month':
      return { from: day(utc(y, m, 1)), to: day(utc(y, m + 1, 1)) };
    case 'this_quarter': {
      const q = m - (m % 3);
      return { from: day(utc(y, q, 1)), to: day(utc(y, q + 3, 1)) };
    }
    case 'this_year':
      return { from: day(utc(y, 0, 1)), to: day(utc(y + 1, 0, 1)) };
    case 'last_7_days':
      return { from: day(utc(y, m, d - 6)), to: day(tomorrow) };
    case 'last_30_days':
      return { from: day(utc(y, m, d - 29)), to: day(tomorrow) };
    case 'last_12_months':
      return { from: day(utc(y, m - 11, 1)), to: day(utc(y, m + 1, 1)) };
  }
}

/** Cube's dateRange: both ends inclusive days. */
export function cubeDateRange(period: Period): [string, string] {
  const last = new Date(`${period.to}T00:00:00Z`);
  last.setUTCDate(last.getUTCDate() - 1);
  return [period.from, day(last)];
}
