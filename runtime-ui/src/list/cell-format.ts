// How a field's value reads in a grid cell or a record header, per kind and locale: enum labels, money with its
// currency, dates in the user's locale, scores with their band, related records by their title. Pure; DOM-free.
export interface FormatField {
  kind: string;
  values?: { value: string; label: string }[];
  /** For a relation: the title field of its target (an included record reads by it). */
  titleField?: string | null;
}

/** Titles of related records, by id (from the list's `include`). */
export type Titles = ReadonlyMap<string, string>;

const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(locale: string, digits: number): Intl.NumberFormat {
  const key = `${locale}/${digits}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits });
    numberFormats.set(key, f);
  }
  return f;
}

/** A decimal string formatted without passing through more precision than a double keeps for display. */
export function formatDecimal(value: string | number, locale: string): string {
  const text = String(value);
  const digits = text.includes('.') ? Math.min(text.split('.')[1]?.length ?? 0, 4) : 0;
  const n = Number(text);
  return Number.isFinite(n) ? numberFormat(locale, digits).format(n) : text;
}

export function formatMoney(amount: string, currency: string, locale: string): string {
  const n = Number(amount);
  if (!Number.isFinite(n)) return `${amount} ${currency}`;
  return new Intl.NumberFormat(locale, { style: 'currency', currency, currencyDisplay: 'symbol' }).format(n);
}

export function formatDate(value: string, locale: string): string {
  const d = new Date(value.length === 10 ? `${value}T00:00:00` : value);
  return Number.isNaN(d.getTime()) ? value : d.toLocaleDateString(locale, { year: 'numeric', month: '2-digit', day: '2-digit' });
}

export function formatDateTime(value: string, locale: string): string {
  const d = new Date(value);
  return Number.isNaN(d.getTime())
    ? value
    : d.toLocaleString(locale, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

function enumLabel(field: FormatField, value: unknown): string {
  return field.values?.find((v) => v.value === value)?.label ?? String(value);
}

export function formatValue(
  field: FormatField,
  value: unknown,
  locale: string,
  titles: Titles = new Map(),
  yesNo: [string, string] = ['✓', '—'],
): string {
  if (value === null || value === undefined || value === '') return '';
  switch (field.kind) {
    case 'enum':
      return enumLabel(field, value);
    case 'multienum':
      return Array.isArray(value) ? value.map((v) => enumLabel(field, v)).join(', ') : String(value);
    case 'boolean':
      return value ? yesNo[0] : yesNo[1];
    case 'integer':
    case 'decimal':
      return typeof value === 'string' || typeof value === 'number' ? formatDecimal(value, locale) : String(value);
    case 'currency': {
      const m = value as { amount?: string; currency?: string };
      return m.amount !== undefined && m.currency ? formatMoney(m.amount, m.currency, locale) : '';
    }
    case 'date':
      return formatDate(String(value), locale);
    case 'datetime':
      return formatDateTime(String(value), locale);
    case 'relation':
    case 'user':
      if (Array.isArray(value)) return value.map((v) => titleOf(v, field.titleField, titles)).join(', ');
      return titleOf(value, field.titleField, titles);
    default:
      if (isScore(value)) return `${formatDecimal(value.points, locale)}${value.band ? ` · ${value.band}` : ''}`;
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

function titleOf(value: unknown, titleField: string | null | undefined, titles: Titles): string {
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    const title = titleField ? v[titleField] : undefined;
    return typeof title === 'string' && title ? title : typeof v.id === 'string' ? (titles.get(v.id) ?? v.id.slice(0, 8)) : '';
  }
  return titles.get(String(value)) ?? String(value).slice(0, 8);
}

export function isScore(value: unknown): value is { points: string; band?: string } {
  return typeof value === 'object' && value !== null && 'points' in value;
}
