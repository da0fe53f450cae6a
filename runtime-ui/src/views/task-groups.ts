// The "My tasks" page's groups: each open record by the first of its dates it has — overdue (before today), today,
// upcoming, or undated — soonest first within each. Pure.
import { dayKey } from '../list/calendar-grid';
import type { RecordButton } from '../record/record-buttons';

export type TaskGroup = 'overdue' | 'today' | 'upcoming' | 'noDate';
export const TASK_GROUPS: readonly TaskGroup[] = ['overdue', 'today', 'upcoming', 'noDate'];

export interface Task {
  id: string;
  entity: string;
  title: string;
  /** The date or instant it is due, or null. */
  due: string | null;
  /** How the caller completes it here (task-done.ts), with the record version the write names. */
  done?: RecordButton;
  version?: unknown;
}

export function dueOf(record: Readonly<Record<string, unknown>>, dates: readonly string[]): string | null {
  for (const d of dates) {
    const v = record[d];
    if (typeof v === 'string' && v) return v;
  }
  return null;
}

const localDay = (due: string) => (due.length === 10 ? due : dayKey(new Date(due)));

export function groupTasks(tasks: readonly Task[], now: Date): Record<TaskGroup, Task[]> {
  const today = dayKey(now);
  const groups: Record<TaskGroup, Task[]> = { overdue: [], today: [], upcoming: [], noDate: [] };
  for (const t of tasks) {
    if (!t.due) groups.noDate.push(t);
    else {
      const day = localDay(t.due);
      groups[day < today ? 'overdue' : day === today ? 'today' : 'upcoming'].push(t);
    }
  }
  for (const g of TASK_GROUPS) groups[g].sort((a, b) => (a.due ?? '').localeCompare(b.due ?? ''));
  return groups;
}
