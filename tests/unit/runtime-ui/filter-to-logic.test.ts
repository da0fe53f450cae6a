// ag-grid's filter and sort models -> the list API's JSON Logic and sort keys: every filter type and option the
// lists offer, enum labels in either language, parts of money and scores, combined conditions and the view's filter.
import { describe, expect, it } from 'vitest';
import {
  fieldPath,
  filterModelToLogic,
  filterTypeOf,
  sortModelToParam,
  type FilterField,
} from '../../../runtime-ui/src/list/filter-to-logic.js';

const ORDERED = ['==', '!=', 'in', 'isNull', '<', '<=', '>', '>=', 'between'];
const FIELDS: FilterField[] = [
  { name: 'name', kind: 'text', operators: [...ORDERED, 'contains', 'startsWith'] },
  { name: 'employees', kind: 'integer', operators: ORDERED },
  { name: 'won_amount', kind: 'decimal', operators: ORDERED },
  {
    name: 'annual_revenue',
    kind: 'currency',
    operators: { 'annual_revenue.amount': ORDERED, 'annual_revenue.currency': ['==', '!=', 'in', 'isNull'] },
  },
  { name: 'value_score', kind: 'score', operators: { 'value_score.points': ORDERED, 'value_score.band': ['==', '!=', 'in', 'isNull'] } },
  { name: 'first_contact_on', kind: 'date', operators: ORDERED },
  { name: 'last_contact_at', kind: 'datetime', operators: ORDERED },
  {
    name: 'stage',
    kind: 'enum',
    operators: ['==', '!=', 'in', 'isNull'],
    values: [
      { value: 'prospect', label: '潜在客户' },
      { value: 'new', label: '新客户' },
      { value: 'repeat', label: '老客户' },
    ],
  },
  {
    name: 'interests',
    kind: 'multienum',
    operators: ['contains', 'isNull'],
    values: [
      { value: 'cloud', label: '云服务' },
      { value: 'crm', label: 'CRM' },
    ],
  },
  { name: 'owner', kind: 'user', operators: ['==', '!=', 'in', 'isNull'] },
];
const byName = new Map(FIELDS.map((f) => [f.name, f]));
const logic = (model: Record<string, unknown>, view?: unknown) => filterModelToLogic(model as never, byName, view);

describe('which filter a column gets', () => {
  it('follows the kind and the operators the API allows', () => {
    expect(FIELDS.map((f) => [f.name, filterTypeOf(f)])).toEqual([
      ['name', 'text'],
      ['employees', 'number'],
      ['won_amount', 'number'],
      ['annual_revenue', 'number'],
      ['value_score', 'number'],
      ['first_contact_on', 'date'],
      ['last_contact_at', 'date'],
      ['stage', 'text'],
      ['interests', 'text'],
      ['owner', null],
    ]);
  });

  it('filters and sorts a value with parts by its ordered part', () => {
    expect(fieldPath(byName.get('annual_revenue')!).path).toBe('annual_revenue.amount');
    expect(fieldPath(byName.get('value_score')!).path).toBe('value_score.points');
  });
});

describe('text filters', () => {
  it.each([
    ['contains', { contains: [{ var: 'name' }, '科技'] }],
    ['notContains', { '!': { contains: [{ var: 'name' }, '科技'] } }],
    ['startsWith', { startsWith: [{ var: 'name' }, '科技'] }],
    ['equals', { '==': [{ var: 'name' }, '科技'] }],
    ['notEqual', { '!=': [{ var: 'name' }, '科技'] }],
  ])('%s', (type, expected) => {
    expect(logic({ name: { filterType: 'text', type, filter: '科技' } })).toEqual(expected);
  });

  it('blank and not blank need no text; an empty text is no condition', () => {
    expect(logic({ name: { filterType: 'text', type: 'blank' } })).toEqual({ isNull: [{ var: 'name' }] });
    expect(logic({ name: { filterType: 'text', type: 'notBlank' } })).toEqual({ '!': { isNull: [{ var: 'name' }] } });
    expect(logic({ name: { filterType: 'text', type: 'contains', filter: '' } })).toBeUndefined();
  });
});

describe('number filters', () => {
  it('keeps integers numbers and sends decimals as strings', () => {
    expect(logic({ employees: { filterType: 'number', type: 'greaterThan', filter: 50 } })).toEqual({ '>': [{ var: 'employees' }, 50] });
    expect(logic({ won_amount: { filterType: 'number', type: 'lessThanOrEqual', filter: 1000.5 } })).toEqual({
      '<=': [{ var: 'won_amount' }, '1000.5'],
    });
  });

  it('turns a range into between, on the part of a money value', () => {
    expect(logic({ annual_revenue: { filterType: 'number', type: 'inRange', filter: 1000, filterTo: 5000 } })).toEqual({
      between: [{ var: 'annual_revenue.amount' }, '1000', '5000'],
    });
    expect(logic({ value_score: { filterType: 'number', type: 'inRange', filter: 10 } })).toBeUndefined();
  });
});

describe('date filters', () => {
  it('compares dates as days and a datetime day as the whole day', () => {
    expect(logic({ first_contact_on: { filterType: 'date', type: 'equals', dateFrom: '2026-03-01 00:00:00' } })).toEqual({
      '==': [{ var: 'first_contact_on' }, '2026-03-01'],
    });
    expect(logic({ last_contact_at: { filterType: 'date', type: 'equals', dateFrom: '2026-03-01 00:00:00' } })).toEqual({
      between: [{ var: 'last_contact_at' }, '2026-03-01T00:00:00.000Z', '2026-03-01T23:59:59.999Z'],
    });
    expect(logic({ last_contact_at: { filterType: 'date', type: 'greaterThan', dateFrom: '2026-03-01 00:00:00' } })).toEqual({
      '>': [{ var: 'last_contact_at' }, '2026-03-01T23:59:59.999Z'],
    });
    expect(
      logic({ first_contact_on: { filterType: 'date', type: 'inRange', dateFrom: '2026-01-01 00:00:00', dateTo: '2026-01-31 00:00:00' } }),
    ).toEqual({ between: [{ var: 'first_contact_on' }, '2026-01-01', '2026-01-31'] });
  });
});

describe('enum filters match labels in the user language', () => {
  it('contains: every value whose label or code holds the text', () => {
    expect(logic({ stage: { filterType: 'text', type: 'contains', filter: '客户' } })).toEqual({
      in: [{ var: 'stage' }, ['prospect', 'new', 'repeat']],
    });
    expect(logic({ stage: { filterType: 'text', type: 'contains', filter: 'REP' } })).toEqual({ in: [{ var: 'stage' }, ['repeat']] });
  });

  it('equals and not equal match a whole label; no match is a condition nothing meets', () => {
    expect(logic({ stage: { filterType: 'text', type: 'equals', filter: '新客户' } })).toEqual({ in: [{ var: 'stage' }, ['new']] });
    expect(logic({ stage: { filterType: 'text', type: 'notEqual', filter: '新客户' } })).toEqual({
      '!': { in: [{ var: 'stage' }, ['new']] },
    });
    expect(logic({ stage: { filterType: 'text', type: 'contains', filter: 'zzz' } })).toEqual({ in: [{ var: 'stage' }, []] });
  });

  it('a multi-choice field contains any matching value', () => {
    expect(logic({ interests: { filterType: 'text', type: 'contains', filter: '云' } })).toEqual({
      contains: [{ var: 'interests' }, 'cloud'],
    });
    expect(logic({ interests: { filterType: 'text', type: 'contains', filter: 'c' } })).toEqual({
      or: [{ contains: [{ var: 'interests' }, 'cloud'] }, { contains: [{ var: 'interests' }, 'crm'] }],
    });
  });
});

describe('combining', () => {
  it('joins two conditions of a column with its operator, columns and the view filter with and', () => {
    const view = { '==': [{ var: 'customer_type' }, 'key_account'] };
    expect(
      logic(
        {
          name: {
            filterType: 'text',
            operator: 'OR',
            conditions: [
              { type: 'contains', filter: 'A' },
              { type: 'startsWith', filter: 'B' },
            ],
          },
          employees: { filterType: 'number', type: 'lessThan', filter: 10 },
          owner: { filterType: 'text', type: 'equals', filter: 'x' },
          unknown_column: { filterType: 'text', type: 'equals', filter: 'x' },
        },
        view,
      ),
    ).toEqual({
      and: [
        view,
        { or: [{ contains: [{ var: 'name' }, 'A'] }, { startsWith: [{ var: 'name' }, 'B'] }] },
        { '<': [{ var: 'employees' }, 10] },
      ],
    });
    expect(logic({}, view)).toEqual(view);
    expect(logic({})).toBeUndefined();
  });
});

describe('sort', () => {
  it('uses the grid order, parts for values with parts, else the view order', () => {
    expect(
      sortModelToParam(
        [
          { colId: 'annual_revenue', sort: 'desc' },
          { colId: 'name', sort: 'asc' },
        ],
        byName,
        ['-created_at'],
      ),
    ).toEqual(['-annual_revenue.amount', 'name']);
    expect(sortModelToParam([], byName, ['-created_at'])).toEqual(['-created_at']);
  });
});
