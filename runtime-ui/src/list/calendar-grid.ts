// A calendar view's month: six weeks of days from the Monday on or before the 1st, the list filter selecting the
// records dated within them, and the records placed on their day (in the user's time zone). Pure.

/** YYYY-MM-DD of a local date. */
export function dayKey(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export interface CalendarDay {
  key: string;
  day: number;
  inMonth: boolean;
}

/** 42 days (six weeks, Monday first) covering `month` (0-11) of `year`. */
export function monthGrid(year: number, month: number): CalendarDay[] {
  const first = new Date(year, month, 1);
  const start = new Date(year, month, 1 - ((first.getDay() + 6) % 7));
  return Array.from({ length: 42 }, (_, i) => {
    const d = new Date(start.getFullYear(), start.getMonth(), start.getDate() + i);
    return { key: dayKey(d), day: d.getDate(), inMonth: d.getMonth() === month };
  });
}

/** The records dated within the grid: from its first day's local midnight to the day after its last. */
export function gridFilter(field: string, grid: readonly CalendarDay[], dateOnly: boolean): unknown {
  const first = grid[0]?.key ?? '';
  const last = grid[grid.length - 1]?.key ?? '';
  const [y, m, d] = last.split('-').map(Number);
  const after = dayKey(new Date(y ?? 0, (m ?? 1) - 1, (d ?? 1) + 1));
  const bound = (key: string) => (dateOnly ? key : new Date(`${key}T00:00:00`).toISOString());
  return { and: [{ '>=': [{ var: field }, bound(first)] }, { '<': [{ var: field }, bound(after)] }] };
}

/** Records by the local day of their date (a date field's value is its day). */
export function byDay<T extends Record<string, unknown>>(records: readonly T[], field: string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of records) {
    const v = r[field];
    if (typeof v !== 'string') continue;
    const key = v.length === 10 ? v : dayKey(new Date(v));
    out.set(key, [...(out.get(key) ?? []), r]);
  }
  return out;
}
