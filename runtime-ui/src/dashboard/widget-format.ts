// How a widget's values read: measures as grouped numbers (a ratio as a percent), time buckets per granularity
// (2026-05, 2026 Q2), dimensions through the entity's field metadata (an enum's label). Pure; DOM-free.
import type { EntityMeta, WidgetColumnMeta } from '../api/meta-types';
import type { ChartFormat } from './chart-option';

const formats = new Map<string, Intl.NumberFormat>();
function numberFormat(locale: string, percent: boolean): Intl.NumberFormat {
  const key = `${locale}/${percent}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, percent ? { style: 'percent', maximumFractionDigits: 1 } : { maximumFractionDigits: 2 });
    formats.set(key, f);
  }
  return f;
}

export function formatMeasure(column: Pick<WidgetColumnMeta, 'format' | 'additive'>, value: unknown, locale: string): string {
  if (value === null || value === undefined || value === '') return column.additive ? numberFormat(locale, false).format(0) : '—';
  const n = Number(value);
  if (!Number.isFinite(n)) return String(value);
  return numberFormat(locale, column.format === 'percent').format(n);
}

export function formatBucket(granularity: WidgetColumnMeta['granularity'], value: string, locale: string): string {
  const [y = '', m = '01', d = '01'] = value.slice(0, 10).split('-');
  switch (granularity) {
    case 'year':
      return y;
    case 'quarter':
      return `${y} Q${Math.floor((Number(m) - 1) / 3) + 1}`;
    case 'month':
      return `${y}-${m}`;
    default:
      return new Date(Date.UTC(Number(y), Number(m) - 1, Number(d))).toLocaleDateString(locale, { timeZone: 'UTC' });
  }
}

/** A dimension's value through its field: `stage` in the widget's entity, `customer.name` through the relation. */
export function formatDimension(
  column: Pick<WidgetColumnMeta, 'path'>,
  value: unknown,
  entity: string,
  entityOf: (name: string) => EntityMeta | undefined,
  none: string,
): string {
  if (value === null || value === undefined || value === '') return none;
  const parts = (column.path ?? '').split('.');
  let meta = entityOf(entity);
  for (const part of parts.slice(0, -1)) meta = entityOf(meta?.fields.find((f) => f.name === part)?.target ?? '');
  const field = meta?.fields.find((f) => f.name === parts[parts.length - 1]);
  return field?.values?.find((v) => v.value === value)?.label ?? String(value);
}

export function widgetFormat(
  entity: string,
  entityOf: (name: string) => EntityMeta | undefined,
  locale: string,
  none: string,
): ChartFormat {
  return {
    category: (c, v) =>
      c.kind === 'time' ? (v ? formatBucket(c.granularity, String(v), locale) : none) : formatDimension(c, v, entity, entityOf, none),
    measure: (c, v) => formatMeasure(c, v, locale),
  };
}
