// Dashboard widgets in the UI: relative periods as dates, the Cube query completed with the period and the user,
// Cube's rows keyed by column, the drill-down filter of a number, a bar and a time bucket, and the chart options.
import { describe, expect, it } from 'vitest';
import type { WidgetMeta } from '../../../runtime-ui/src/api/meta-types.js';
import { chartOption } from '../../../runtime-ui/src/dashboard/chart-option.js';
import { cubeDateRange, periodOf } from '../../../runtime-ui/src/dashboard/date-range.js';
import { formatBucket, formatMeasure } from '../../../runtime-ui/src/dashboard/widget-format.js';
import {
  recordIdOf,
  reportRows,
  rolledUp,
  shownDimensions,
  widgetDrill,
  widgetQuery,
  widgetRows,
} from '../../../runtime-ui/src/dashboard/widget-query.js';

const now = new Date('2026-12-06T14:30:00Z'); // a Sunday
const ctx = { userId: 'u-1', now };

describe('periodOf', () => {
  it.each([
    ['today', '2026-12-06', '2026-12-07'],
    ['this_week', '2026-11-30', '2026-12-07'],
    ['this_month', '2026-12-01', '2027-01-01'],
    ['this_quarter', '2026-10-01', '2027-01-01'],
    ['this_year', '2026-01-01', '2027-01-01'],
    ['last_7_days', '2026-11-30', '2026-12-07'],
    ['last_30_days', '2026-11-07', '2026-12-07'],
    ['last_12_months', '2026-01-01', '2027-01-01'],
  ] as const)('%s is [%s, %s)', (name, from, to) => {
    expect(periodOf(name, now)).toEqual({ from, to });
  });
  it('gives Cube its inclusive last day', () => {
    expect(cubeDateRange({ from: '2026-12-01', to: '2027-01-01' })).toEqual(['2026-12-01', '2026-12-31']);
  });
});

const base: Omit<WidgetMeta, 'columns' | 'query'> = {
  name: 'w',
  label: 'Widget',
  type: 'number',
  chart: 'bar',
  width: 1,
  entity: 'deal',
  drillBase: [{ '==': [{ var: 'stage' }, 'won'] }],
};
const emptyQuery = {
  measures: ['deal.count'],
  dimensions: [],
  timeDimensions: [],
  segments: ['deal.won'],
  order: [] as [string, 'asc' | 'desc'][],
  limit: 10000,
};

describe('a number for this month, mine', () => {
  const widget: WidgetMeta = {
    ...base,
    query: emptyQuery,
    columns: [{ name: 'count', member: 'deal.count', kind: 'measure', title: 'Count' }],
    range: { name: 'this_month', member: 'deal.signed_at', path: 'signed_at', dateOnly: false },
    mine: { member: 'deal.owner', path: 'owner' },
  };
  it('asks Cube for the period and the user', () => {
    expect(widgetQuery(widget, ctx)).toEqual({
      ...emptyQuery,
      timeDimensions: [{ dimension: 'deal.signed_at', dateRange: ['2026-12-01', '2026-12-31'] }],
      filters: [{ member: 'deal.owner', operator: 'equals', values: ['u-1'] }],
    });
  });
  it('drills down to the same records', () => {
    expect(widgetDrill(widget, undefined, ctx)).toEqual({
      and: [
        { '==': [{ var: 'stage' }, 'won'] },
        { '>=': [{ var: 'signed_at' }, '2026-12-01T00:00:00Z'] },
        { '<': [{ var: 'signed_at' }, '2027-01-01T00:00:00Z'] },
        { '==': [{ var: 'owner' }, 'u-1'] },
      ],
    });
  });
});

describe('a chart by stage and month', () => {
  const widget: WidgetMeta = {
    ...base,
    type: 'chart',
    chart: 'bar',
    query: { ...emptyQuery, dimensions: ['deal.stage'], timeDimensions: [{ dimension: 'deal.close_date', granularity: 'month' }] },
    drillBase: [],
    columns: [
      { name: 'stage', member: 'deal.stage', kind: 'dimension', path: 'stage', title: 'Stage' },
      {
        name: 'close_date.month',
        member: 'deal.close_date.month',
        kind: 'time',
        path: 'close_date',
        granularity: 'month',
        dateOnly: true,
        title: 'Close',
      },
      { name: 'value_sum', member: 'deal.value_sum', kind: 'measure', title: 'Value' },
      { name: 'count', member: 'deal.count', kind: 'measure', title: 'Count' },
    ],
  };
  const rows = widgetRows(widget, [
    { 'deal.stage': 'open', 'deal.close_date.month': '2026-11-01T00:00:00.000', 'deal.value_sum': '1200.50', 'deal.count': '3' },
    { 'deal.stage': null, 'deal.close_date.month': '2026-12-01T00:00:00.000', 'deal.value_sum': '10', 'deal.count': '1' },
  ]);
  it('keys rows by column', () => {
    expect(rows[0]).toEqual({ stage: 'open', 'close_date.month': '2026-11-01T00:00:00.000', value_sum: '1200.50', count: '3' });
  });
  it('drills a bar down to its value and its month', () => {
    expect(widgetDrill(widget, rows[0], ctx)).toEqual({
      and: [
        { '==': [{ var: 'stage' }, 'open'] },
        { '>=': [{ var: 'close_date' }, '2026-11-01'] },
        { '<': [{ var: 'close_date' }, '2026-12-01'] },
      ],
    });
    expect(widgetDrill(widget, rows[1], ctx)).toEqual({
      and: [
        { isNull: [{ var: 'stage' }] },
        { '>=': [{ var: 'close_date' }, '2026-12-01'] },
        { '<': [{ var: 'close_date' }, '2027-01-01'] },
      ],
    });
  });
  it('charts one series per measure in the first one’s unit, each item knowing its row', () => {
    const option = chartOption(widget, rows, { category: (_c, v) => String(v ?? '—'), measure: (_c, v) => String(v) }) as {
      xAxis: { data: string[] };
      series: { type: string; name: string; data: { value: number; rowIndex: number }[] }[];
    };
    expect(option.xAxis.data).toEqual(['open', '—']);
    expect(option.series.map((s) => [s.type, s.name])).toEqual([
      ['bar', 'Value'],
      ['bar', 'Count'],
    ]);
    expect(option.series[0]?.data).toEqual([
      { value: 1200.5, rowIndex: 0 },
      { value: 10, rowIndex: 1 },
    ]);
  });
  it('draws a funnel of the first measure', () => {
    const option = chartOption({ ...widget, chart: 'funnel' }, rows, { category: (_c, v) => String(v), measure: (_c, v) => String(v) }) as {
      series: { type: string; data: { name: string; value: number; rowIndex: number }[] }[];
    };
    expect(option.series[0]?.type).toBe('funnel');
    expect(option.series[0]?.data[0]).toEqual({ name: 'open', value: 1200.5, rowIndex: 0 });
  });
});

describe('a list of records', () => {
  it('opens a row naming one record by its id', () => {
    const widget: WidgetMeta = {
      ...base,
      type: 'list',
      query: emptyQuery,
      columns: [
        { name: 'id', member: 'deal.id', kind: 'dimension', path: 'id', title: 'ID' },
        { name: 'count', member: 'deal.count', kind: 'measure', title: 'Count' },
      ],
    };
    expect(recordIdOf(widget, { id: 'r-9', count: '1' })).toBe('r-9');
  });
});

describe('a report rolled up along a tree', () => {
  const widget: WidgetMeta = {
    ...base,
    type: 'list',
    report: 'by_branch',
    query: emptyQuery,
    columns: [
      {
        name: 'owner.org_unit',
        member: 'deal__org_unit_tree.org_unit',
        kind: 'dimension',
        path: 'owner.org_unit',
        subtree: true,
        title: 'Unit',
      },
      { name: 'org_unit.name', member: 'org_unit.name', kind: 'dimension', title: 'Unit name' },
      { name: 'amount', member: 'deal__org_unit_tree.amount', kind: 'measure', title: 'Amount' },
    ],
  };

  it('runs on the report endpoint and drills each row down to the subtree the server gave it', () => {
    expect(rolledUp(widget)).toBe(true);
    expect(rolledUp({ ...widget, columns: widget.columns.map(({ subtree: _s, ...c }) => c) })).toBe(false);
    const subtree = { in: [{ var: 'owner.org_unit' }, ['east', 'east-sh', 'east-hz']] };
    const [row] = reportRows([
      { 'owner.org_unit': 'east', 'org_unit.name': '华东分公司', amount: '300000.00', drill: { entity: 'deal', filter: subtree } },
    ]);
    expect(row).toMatchObject({ 'owner.org_unit': 'east', 'org_unit.name': '华东分公司', amount: '300000.00' });
    expect(row).not.toHaveProperty('drill');
    expect(widgetDrill(widget, row, ctx)).toEqual(subtree);
  });

  it('shows the node by its name, not its id, in lists and charts', () => {
    expect(shownDimensions(widget).map((c) => c.name)).toEqual(['org_unit.name']);
    const fmt = { category: (_c: unknown, v: unknown) => String(v), measure: (_c: unknown, v: unknown) => String(v) };
    const option = chartOption(
      { ...widget, type: 'chart' },
      [{ 'owner.org_unit': 'east', 'org_unit.name': '华东分公司', amount: '1' }],
      fmt,
    ) as {
      xAxis: { data: string[] };
    };
    expect(option.xAxis.data).toEqual(['华东分公司']);
  });
});

describe('widget values', () => {
  it('read per locale, ratios as percents, buckets per granularity', () => {
    expect(formatMeasure({}, '1234567.891', 'en')).toBe('1,234,567.89');
    expect(formatMeasure({ format: 'percent' }, '0.4567', 'en')).toBe('45.7%');
    expect(formatMeasure({}, null, 'en')).toBe('—');
    // A sum over no records is 0 (Cube answers null); an average of none stays unknown.
    expect(formatMeasure({ additive: true }, null, 'en')).toBe('0');
    expect(formatBucket('quarter', '2026-05-01T00:00:00.000', 'en')).toBe('2026 Q2');
    expect(formatBucket('month', '2026-05-01T00:00:00.000', 'en')).toBe('2026-05');
  });
});
