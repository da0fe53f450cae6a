// An ECharts option for a chart widget from its rows: a category axis (the first dimension or time bucket) with a
// series per measure for line and bar, the first measure's shares for pie and funnel. Every data item keeps the index
// of its row, so a click drills down to that row's records. Pure (no ECharts import): EChart.vue renders the option.
import type { WidgetColumnMeta, WidgetMeta } from '../api/meta-types';
import { shownDimensions, type WidgetRow } from './widget-query';

export const PALETTE = ['#4f46e5', '#0ea5e9', '#10b981', '#f59e0b', '#ef4444', '#8b5cf6', '#14b8a6', '#f97316', '#64748b', '#ec4899'];

export interface ChartFormat {
  category(column: WidgetColumnMeta, value: unknown): string;
  measure(column: WidgetColumnMeta, value: unknown): string;
}

export interface ChartDatum {
  value: number;
  name?: string;
  rowIndex: number;
}

const num = (v: unknown) => (v === null || v === undefined || v === '' ? 0 : Number(v));

export function chartOption(widget: WidgetMeta, rows: readonly WidgetRow[], fmt: ChartFormat): Record<string, unknown> {
  const category = shownDimensions(widget)[0];
  const measures = widget.columns.filter((c) => c.kind === 'measure');
  const first = measures[0];
  const names = rows.map((r) => (category ? fmt.category(category, r[category.name]) : widget.label));
  const tooltipValue = (column: WidgetColumnMeta | undefined) => (v: unknown) => (column ? fmt.measure(column, v) : String(v));
  const base = { color: PALETTE, animationDuration: 400, textStyle: { fontFamily: 'inherit' } };
  if (widget.chart === 'pie' || widget.chart === 'funnel') {
    const data: ChartDatum[] = rows.map((r, i) => ({ name: names[i] ?? '', value: num(first ? r[first.name] : 0), rowIndex: i }));
    const series =
      widget.chart === 'pie'
        ? {
            type: 'pie',
            radius: ['42%', '70%'],
            center: ['50%', '54%'],
            itemStyle: { borderColor: '#fff', borderWidth: 2 },
            label: { formatter: '{b}\n{d}%' },
          }
        : {
            type: 'funnel',
            sort: 'descending',
            left: '8%',
            width: '64%',
            top: 16,
            bottom: 8,
            gap: 2,
            label: { position: 'right', formatter: '{b}' },
          };
    return {
      ...base,
      tooltip: { trigger: 'item', valueFormatter: tooltipValue(first) },
      legend: widget.chart === 'pie' ? { type: 'scroll', bottom: 0 } : { show: false },
      series: [{ ...series, name: first?.title ?? '', data }],
    };
  }
  // Long category names (customers) read better along a horizontal bar chart's vertical axis.
  const horizontal = widget.chart === 'bar' && category?.kind === 'dimension' && rows.length > 5;
  const categoryAxis = { type: 'category', data: names, axisTick: { show: false }, ...(horizontal ? { inverse: true } : {}) };
  const valueAxis = {
    type: 'value',
    splitLine: { lineStyle: { color: '#eef0f5' } },
    axisLabel: { formatter: (v: number) => (first ? fmt.measure(first, v) : String(v)) },
  };
  // One value axis: a line plots the first measure, bars the measures read in the same unit as the first.
  const plotted = widget.chart === 'line' ? measures.slice(0, 1) : measures.filter((m) => m.format === first?.format).slice(0, 3);
  return {
    ...base,
    tooltip: { trigger: 'axis', valueFormatter: tooltipValue(first) },
    legend: plotted.length > 1 ? { top: 0 } : { show: false },
    grid: { left: 8, right: 16, top: plotted.length > 1 ? 32 : 12, bottom: 8, containLabel: true },
    xAxis: horizontal ? valueAxis : categoryAxis,
    yAxis: horizontal ? categoryAxis : valueAxis,
    series: plotted.map((m) => ({
      type: widget.chart === 'line' ? 'line' : 'bar',
      name: m.title,
      smooth: widget.chart === 'line',
      ...(widget.chart === 'line'
        ? { areaStyle: { opacity: 0.08 }, symbolSize: 6 }
        : { barMaxWidth: 28, itemStyle: { borderRadius: horizontal ? [0, 4, 4, 0] : [4, 4, 0, 0] } }),
      data: rows.map((r, i): ChartDatum => ({ value: num(r[m.name]), rowIndex: i })),
    })),
  };
}
