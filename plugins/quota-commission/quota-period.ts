// The first and last day of a quota's period (a year, a quarter or a month of a year), as ISO dates. Pure.
export interface QuotaPeriod {
  readonly start: string;
  readonly end: string;
}

function iso(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Days in a month of the Gregorian calendar (month 1-12). */
function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Undefined when the period is not fully given (the quota's validation rules report which part is missing). */
export function quotaPeriod(p: { year?: unknown; period_type?: unknown; quarter?: unknown; month?: unknown }): QuotaPeriod | undefined {
  const year = typeof p.year === 'number' ? p.year : undefined;
  if (year === undefined) return undefined;
  if (p.period_type === 'year') return { start: iso(year, 1, 1), end: iso(year, 12, 31) };
  if (p.period_type === 'quarter' && typeof p.quarter === 'number') {
    const last = p.quarter * 3;
    return { start: iso(year, last - 2, 1), end: iso(year, last, daysIn(year, last)) };
  }
  if (p.period_type === 'month' && typeof p.month === 'number')
    return { start: iso(year, p.month, 1), end: iso(year, p.month, daysIn(year, p.month)) };
  return undefined;
}
