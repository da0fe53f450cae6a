// Validation rules judged as the user types: a broken rule's message under the fields it names once the user has
// touched what it reads; rules the browser cannot judge are left to the server; server and live messages merge.
import { describe, expect, it } from 'vitest';
import type { FieldMeta, ValidationRuleMeta } from '../../../runtime-ui/src/api/meta-types.js';
import { brokenRules, liveRules, mergeErrors, touchedFields } from '../../../runtime-ui/src/record/live-validation.js';

const f = (name: string, operand: FieldMeta['operand'], operators: FieldMeta['operators'], extra: Partial<FieldMeta> = {}): FieldMeta => ({
  name,
  kind: 'text',
  label: name,
  description: null,
  required: false,
  readOnly: false,
  operators,
  operand,
  ...extra,
});

const fields = [
  f(
    'amount',
    { 'amount.amount': 'decimal', 'amount.currency': 'text' },
    { 'amount.amount': ['isNull', '>'], 'amount.currency': ['=='] },
    { kind: 'currency' },
  ),
  f('exchange_rate', 'decimal', ['isNull', '>']),
  f('customer', 'id', ['==', 'isNull'], { kind: 'relation', target: 'customer' }),
  f('amount_cny', 'decimal', ['<'], { computed: { '*': [1, 2] } }),
  f('stage', 'enum', ['==', '!=', 'in']),
];
const rule = (name: string, condition: unknown, names: string[]): ValidationRuleMeta => ({
  name,
  condition,
  message: `${name} broken`,
  fields: names,
});
const rules = [
  rule(
    'rate',
    {
      or: [
        { isNull: [{ var: 'amount.amount' }] },
        { '==': [{ var: 'amount.currency' }, 'CNY'] },
        { '!': [{ isNull: [{ var: 'exchange_rate' }] }] },
      ],
    },
    ['exchange_rate'],
  ),
  // Reads a related record and a calculated value: only the server can judge these.
  rule('blacklist', { '!=': [{ var: 'customer.blacklisted' }, true] }, ['customer']),
  rule('large', { or: [{ '!=': [{ var: 'stage' }, 'won'] }, { '<': [{ var: 'amount_cny' }, 500000] }] }, ['stage']),
  rule('record_wide', { '!=': [{ var: 'stage' }, 'lost'] }, []),
];

describe('live validation rules', () => {
  const live = liveRules(rules, fields);
  const onForm = ['amount', 'exchange_rate', 'customer', 'stage'];

  it('judges only the rules whose every var is a stored field of the form', () => {
    expect(live.map((l) => l.rule.name)).toEqual(['rate', 'record_wide']);
    expect([...(live[0]?.condition.reads ?? [])].sort()).toEqual(['amount', 'exchange_rate']);
  });

  it("puts a broken rule's message under its fields once a field it reads is touched", () => {
    const base = { amount: { amount: '100', currency: 'CNY' } };
    const typed = { amount: { amount: '100', currency: 'USD' }, exchange_rate: '' };
    expect(brokenRules(live, typed, new Set(), onForm).tree).toEqual({});
    const touched = touchedFields(base, typed);
    expect([...touched]).toEqual(['amount']);
    expect(brokenRules(live, typed, touched, onForm).tree).toEqual({ exchange_rate: { __errors: ['rate broken'] } });
    const fixed = { ...typed, exchange_rate: '7.1' };
    expect(brokenRules(live, fixed, touchedFields(base, fixed), onForm).tree).toEqual({});
  });

  it('gives a rule that names no field on the form to the record', () => {
    const broken = brokenRules(live, { stage: 'lost' }, new Set(['stage']), onForm);
    expect(broken).toEqual({ tree: {}, record: ['record_wide broken'] });
  });

  it('counts an emptied input as no value', () => {
    expect([...touchedFields({ note: null }, { note: '' })]).toEqual([]);
  });

  it("merges the server's errors with the live ones, each message once", () => {
    expect(
      mergeErrors(
        { exchange_rate: { __errors: ['rate broken'] }, name: { __errors: ['required'] } },
        { exchange_rate: { __errors: ['rate broken', 'other'] } },
      ),
    ).toEqual({ exchange_rate: { __errors: ['rate broken', 'other'] }, name: { __errors: ['required'] } });
  });
});
