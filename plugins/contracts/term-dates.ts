// Contract terms in calendar months: a term of n months from a start date ends the day before the same day n
// months later (31 January + 1 month ends on 28 or 29 February). Pure; templates and renewals use it.

/** The day a term of `months` starting on `start` (YYYY-MM-DD) ends. */
export function termEnd(start: string, months: number): string {
  const [y, m, d] = start.split('-').map(Number) as [number, number, number];
  const monthIndex = m - 1 + months;
  const year = y + Math.floor(monthIndex / 12);
  const month = ((monthIndex % 12) + 12) % 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const same = new Date(Date.UTC(year, month, Math.min(d, last)));
  // Clamped to a shorter month, the term runs to its last day; otherwise to the day before the same date.
  if (d > last) return same.toISOString().slice(0, 10);
  same.setUTCDate(same.getUTCDate() - 1);
  return same.toISOString().slice(0, 10);
}

/** The day after `date`. */
export function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * The day a job runs for: the `asOf` day it is given, else the day of the occurrence the schedule queued it for
 * (`scheduledFor`), else today (UTC).
 */
export function jobDay(payload: unknown): string {
  const given = (payload ?? {}) as { asOf?: unknown; scheduledFor?: unknown };
  if (typeof given.asOf === 'string') return given.asOf;
  if (typeof given.scheduledFor === 'string') return given.scheduledFor.slice(0, 10);
  return new Date().toISOString().slice(0, 10);
}
