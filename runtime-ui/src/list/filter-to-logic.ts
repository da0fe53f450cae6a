// ag-grid's column filter and sort models -> the list API's JSON Logic `filter` and `sort` parameters. Pure and
// DOM-free (unit-tested). Enum columns filter on their labels: the text typed matches labels, and the condition
// names the matching stored values, so a user types 新 or "won" in their own language.
export interface FilterField {
  name: string;
  kind: string;
  /** From /api/meta: a plain field's operators, or per part (`amount.amount`) for a kind with parts. */
  operators: string[] | Record<string, string[]>;
  values?: { value: string; label: string }[];
}

export interface SimpleFilter {
  filterType?: string;
  type?: string | null;
  filter?: string | number | null;
  filterTo?: number | null;
  dateFrom?: string | null;
  dateTo?: string | null;
}
export interface CombinedFilter {
  filterType?: string;
  operator: 'AND' | 'OR';
  conditions: SimpleFilter[];
}
export type ColumnFilter = SimpleFilter | CombinedFilter;
export type FilterModel = Record<string, ColumnFilter>;
export type Logic = Record<string, unknown>;

/** Kinds whose values are not typed into a text box: no column filter for them. */
const UNFILTERED = new Set(['relation', 'user', 'json', 'boolean']);
const NUMERIC_PART = ['<', 'between'];

/** The path a column filters and sorts by: the field, or its ordered part (an amount, a score's points). */
export function fieldPath(field: FilterField): { path: string; operators: string[] } {
  if (Array.isArray(field.operators)) return { path: field.name, operators: field.operators };
  const parts = Object.entries(field.operators);
  const [path, operators] = parts.find(([, ops]) => NUMERIC_PART.some((o) => ops.includes(o))) ?? parts[0] ?? [field.name, []];
  return { path, operators };
}

/** Which ag-grid filter a column gets, or none. */
export function filterTypeOf(field: FilterField): 'text' | 'number' | 'date' | null {
  if (UNFILTERED.has(field.kind) || (Array.isArray(field.operators) && field.operators.length === 0)) return null;
  if (field.kind === 'date' || field.kind === 'datetime') return 'date';
  const { operators } = fieldPath(field);
  if (field.kind === 'enum' || field.kind === 'multienum') return 'text';
  return operators.includes('<') && !operators.includes('contains') ? 'number' : 'text';
}

/** The filter options each type offers: only those the API can express. */
export const FILTER_OPTIONS = {
  text: ['contains', 'notContains', 'equals', 'notEqual', 'startsWith', 'blank', 'notBlank'],
  enum: ['contains', 'equals', 'notEqual', 'blank', 'notBlank'],
  number: ['equals', 'notEqual', 'lessThan', 'lessThanOrEqual', 'greaterThan', 'greaterThanOrEqual', 'inRange', 'blank', 'notBlank'],
  date: ['equals', 'lessThan', 'greaterThan', 'inRange', 'blank', 'notBlank'],
} as const;

const not = (logic: Logic): Logic => ({ '!': logic });
const COMPARE: Record<string, string> = {
  equals: '==',
  notEqual: '!=',
  lessThan: '<',
  lessThanOrEqual: '<=',
  greaterThan: '>',
  greaterThanOrEqual: '>=',
};

function matchingValues(field: FilterField, text: string, exact: boolean): string[] {
  const needle = text.trim().toLowerCase();
  return (field.values ?? [])
    .filter((v) => {
      const label = v.label.toLowerCase();
      const value = v.value.toLowerCase();
      return exact ? label === needle || value === needle : label.includes(needle) || value.includes(needle);
    })
    .map((v) => v.value);
}

function enumCondition(field: FilterField, v: Logic, f: SimpleFilter): Logic | undefined {
  const text = String(f.filter ?? '');
  if (text.trim() === '') return undefined;
  const values = matchingValues(field, text, f.type === 'equals' || f.type === 'notEqual');
  const cond: Logic =
    field.kind === 'multienum'
      ? values.length === 1
        ? { contains: [v, values[0]] }
        : { or: values.map((value) => ({ contains: [v, value] })) }
      : { in: [v, values] };
  // No value matches: a condition no record meets (an empty `or` or `in` is exactly that).
  return f.type === 'notEqual' ? not(cond) : cond;
}

function numberLiteral(field: FilterField, n: number | string | null | undefined): number | string | undefined {
  if (n === null || n === undefined || n === '') return undefined;
  // Decimals (and money, scores) travel as strings so no value passes through a float on the server.
  return field.kind === 'integer' ? Number(n) : String(n);
}

function dateLiteral(field: FilterField, value: string | null | undefined, endOfDay = false): string | undefined {
  if (!value) return undefined;
  const day = value.slice(0, 10);
  return field.kind === 'date' ? day : `${day}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z`;
}

function simpleCondition(field: FilterField, f: SimpleFilter): Logic | undefined {
  const { path } = fieldPath(field);
  const v = { var: path };
  if (f.type === 'blank') return { isNull: [v] };
  if (f.type === 'notBlank') return not({ isNull: [v] });
  const type = filterTypeOf(field);
  if (field.kind === 'enum' || field.kind === 'multienum') return enumCondition(field, v, f);
  if (type === 'date') {
    const from = dateLiteral(field, f.dateFrom);
    if (from === undefined) return undefined;
    if (f.type === 'inRange') {
      const to = dateLiteral(field, f.dateTo, true);
      return to === undefined ? undefined : { between: [v, from, to] };
    }
    if (f.type === 'equals')
      return field.kind === 'date' ? { '==': [v, from] } : { between: [v, from, dateLiteral(field, f.dateFrom, true)] };
    if (f.type === 'greaterThan') return { '>': [v, field.kind === 'date' ? from : dateLiteral(field, f.dateFrom, true)] };
    return f.type && COMPARE[f.type] ? { [COMPARE[f.type] as string]: [v, from] } : undefined;
  }
  if (type === 'number') {
    const a = numberLiteral(field, f.filter);
    if (a === undefined) return undefined;
    if (f.type === 'inRange') {
      const b = numberLiteral(field, f.filterTo);
      return b === undefined ? undefined : { between: [v, a, b] };
    }
    return f.type && COMPARE[f.type] ? { [COMPARE[f.type] as string]: [v, a] } : undefined;
  }
  const text = f.filter === null || f.filter === undefined ? '' : String(f.filter);
  if (text === '') return undefined;
  switch (f.type) {
    case 'contains':
      return { contains: [v, text] };
    case 'notContains':
      return not({ contains: [v, text] });
    case 'startsWith':
      return { startsWith: [v, text] };
    case 'equals':
      return { '==': [v, text] };
    case 'notEqual':
      return { '!=': [v, text] };
    default:
      return undefined;
  }
}

function columnCondition(field: FilterField, filter: ColumnFilter): Logic | undefined {
  if ('conditions' in filter && Array.isArray(filter.conditions)) {
    const parts = filter.conditions.map((c) => simpleCondition(field, c)).filter((c): c is Logic => c !== undefined);
    if (parts.length <= 1) return parts[0];
    return { [filter.operator === 'OR' ? 'or' : 'and']: parts };
  }
  return simpleCondition(field, filter as SimpleFilter);
}

/** Every column's filter, and the view's own, as one condition (undefined: no filter at all). */
export function filterModelToLogic(model: FilterModel, fields: ReadonlyMap<string, FilterField>, viewFilter?: unknown): unknown {
  const parts: unknown[] = viewFilter === undefined ? [] : [viewFilter];
  for (const [column, filter] of Object.entries(model)) {
    const field = fields.get(column);
    // A column the lists offer no filter for (a relation's ids) filters nothing, whatever the model says.
    if (!field || filterTypeOf(field) === null) continue;
    const cond = columnCondition(field, filter);
    if (cond) parts.push(cond);
  }
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : { and: parts };
}

/** ag-grid's sort model -> the API's sort keys ('-' first for descending); the view's order when none is chosen. */
export function sortModelToParam(
  sortModel: { colId: string; sort: 'asc' | 'desc' | null | undefined }[],
  fields: ReadonlyMap<string, FilterField>,
  viewSort: readonly string[],
): string[] {
  const keys = sortModel.flatMap((s) => {
    const field = fields.get(s.colId);
    const path = field ? fieldPath(field).path : s.colId;
    return s.sort ? [`${s.sort === 'desc' ? '-' : ''}${path}`] : [];
  });
  return keys.length ? keys : [...viewSort];
}
