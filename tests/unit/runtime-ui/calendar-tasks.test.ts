// The calendar view's month grid and range filter, records placed on their day, and My tasks' groups.
import { describe, expect, it } from 'vitest';
import { byDay, gridFilter, monthGrid } from '../../../runtime-ui/src/list/calendar-grid.js';
import { dueOf, groupTasks } from '../../../runtime-ui/src/views/task-groups.js';

describe('the calendar month', () => {
  const grid = monthGrid(2026, 11); // December 2026 starts on a Tuesday
  it('is six Monday-first weeks around the month', () => {
    expect(grid).toHaveLength(42);
    expect(grid[0]).toEqual({ key: '2026-11-30', day: 30, inMonth: false });
    expect(grid[1]).toEqual({ key: '2026-12-01', day: 1, inMonth: true });
    expect(grid[41]?.key).toBe('2027-01-10');
  });
  it('selects the records dated within it', () => {
    expect(gridFilter('visit_on', grid, true)).toEqual({
      and: [{ '>=': [{ var: 'visit_on' }, '2026-11-30'] }, { '<': [{ var: 'visit_on' }, '2027-01-11'] }],
    });
    const instant = gridFilter('scheduled_at', grid, false) as { and: { '>=': [unknown, string] }[] };
    expect(new Date(instant.and[0]?.['>='][1] ?? '').getTime()).toBe(new Date(2026, 10, 30).getTime());
  });
  it('places records on their day', () => {
    const days = byDay(
      [
        { id: 'a', on: '2026-12-03' },
        { id: 'b', on: '2026-12-03' },
        { id: 'c', on: null },
      ],
      'on',
    );
    expect(days.get('2026-12-03')?.map((r) => r.id)).toEqual(['a', 'b']);
    expect(days.size).toBe(1);
  });
});

describe('my tasks', () => {
  it('date a record by the first of its dates it has', () => {
    expect(dueOf({ due_on: null, scheduled_at: '2026-12-09T02:00:00Z' }, ['due_on', 'scheduled_at'])).toBe('2026-12-09T02:00:00Z');
    expect(dueOf({}, ['due_on'])).toBeNull();
  });
  it('group tasks as overdue, today, upcoming and undated, soonest first', () => {
    const now = new Date(2026, 11, 6, 15, 0);
    const task = (id: string, due: string | null) => ({ id, entity: 'task', title: id, due });
    const g = groupTasks(
      [
        task('late', '2026-12-01'),
        task('later', '2026-12-20'),
        task('now', '2026-12-06'),
        task('soon', '2026-12-07'),
        task('none', null),
        task('older', '2026-11-02'),
      ],
      now,
    );
    expect(g.overdue.map((t) => t.id)).toEqual(['older', 'late']);
    expect(g.today.map((t) => t.id)).toEqual(['now']);
    expect(g.upcoming.map((t) => t.id)).toEqual(['soon', 'later']);
    expect(g.noDate.map((t) => t.id)).toEqual(['none']);
  });
});
