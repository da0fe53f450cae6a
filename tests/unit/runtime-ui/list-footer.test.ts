// A list view's footer: the aggregate endpoint's measures parameter, and its answer as labelled, formatted items.
import { describe, expect, it } from 'vitest';
import { footerItems, footerMeasures } from '../../../runtime-ui/src/list/list-footer.js';

const footer = [
  { aggregate: 'count' as const },
  { aggregate: 'sum' as const, field: 'amount_cny' },
  { aggregate: 'avg' as const, field: 'confidence' },
];

describe('list footers', () => {
  it('ask the aggregate endpoint for each measure once', () => {
    expect(footerMeasures([...footer, { aggregate: 'count' }])).toBe('count,sum:amount_cny,avg:confidence');
  });
  it('read the answer in the locale, averages to two decimals, absent values as a dash', () => {
    const label = (f: { aggregate: string; field?: string }) => `${f.aggregate} ${f.field ?? ''}`.trim();
    expect(footerItems(footer, { count: 12, 'sum:amount_cny': '1234567.50', 'avg:confidence': '41.6666666667' }, 'en', label)).toEqual([
      { key: 'count', label: 'count', value: '12' },
      { key: 'sum:amount_cny', label: 'sum amount_cny', value: '1,234,567.50' },
      { key: 'avg:confidence', label: 'avg confidence', value: '41.66' },
    ]);
    expect(footerItems(footer, { count: 0, 'sum:amount_cny': null }, 'zh-CN', label).map((i) => i.value)).toEqual(['0', '—', '—']);
  });
});
