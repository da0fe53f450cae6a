// A list view's footer (its totals) as the aggregate endpoint's `measures` parameter, and the endpoint's one row of
// answers as labelled, formatted items. Pure; ListFooter.vue fetches and shows them.
import type { ListFooterMeta } from '../api/meta-types';
import { formatDecimal } from './cell-format';

export const footerKey = (f: ListFooterMeta) => (f.field === undefined ? f.aggregate : `${f.aggregate}:${f.field}`);

export function footerMeasures(footer: readonly ListFooterMeta[]): string {
  return [...new Set(footer.map(footerKey))].join(',');
}

export interface FooterItem {
  key: string;
  label: string;
  value: string;
}

/** `label(f)` names an item in the user's language ('Total amount'); a count reads as the records' count. */
export function footerItems(
  footer: readonly ListFooterMeta[],
  row: Readonly<Record<string, unknown>> | undefined,
  locale: string,
  label: (f: ListFooterMeta) => string,
): FooterItem[] {
  return footer.map((f) => {
    const key = footerKey(f);
    const value = row?.[key];
    const text = value === null || value === undefined ? '—' : formatDecimal(roundForDisplay(String(value), f.aggregate), locale);
    return { key, label: label(f), value: text };
  });
}

/** An average has as many decimals as the database cares to give: two are enough to read. */
function roundForDisplay(text: string, aggregate: ListFooterMeta['aggregate']): string {
  if (aggregate !== 'avg' || !text.includes('.')) return text;
  const [whole, frac = ''] = text.split('.');
  return `${whole}.${frac.slice(0, 2)}`;
}
