// Field rules applied live: hidden, required and read-only as the record's values change, with the engine's extra
// operators meaning what they mean on the server.
import { describe, expect, it } from 'vitest';
import type { FieldMeta } from '../../../runtime-ui/src/api/meta-types.js';
import { applyFieldRules, holds } from '../../../runtime-ui/src/record/field-rules.js';

const f = (name: string, extra: Partial<FieldMeta> = {}): FieldMeta => ({
  name,
  kind: 'text',
  label: name,
  description: null,
  required: false,
  readOnly: false,
  operators: [],
  ...extra,
});

describe('holds', () => {
  it.each([
    [{ contains: [{ var: 'name' }, 'ACME'] }, { name: 'the acme co' }, true],
    [{ contains: [{ var: 'tags' }, 'vip'] }, { tags: ['vip', 'new'] }, true],
    [{ startsWith: [{ var: 'name' }, 'Th'] }, { name: 'the acme co' }, true],
    [{ isNull: [{ var: 'reason' }] }, { reason: null }, true],
    [{ isNull: [{ var: 'reason' }] }, { reason: 'x' }, false],
    [{ between: [{ var: 'score.points' }, 10, 20] }, { score: { points: '15.00' } }, true],
    [{ '==': [{ var: 'blacklisted' }, true] }, { blacklisted: true }, true],
    [{ no_such_operator: [1] }, {}, false],
  ])('%j on %j is %s', (condition, record, expected) => {
    expect(holds(condition, record)).toBe(expected);
  });
});

describe('applyFieldRules', () => {
  const fields = [
    f('blacklisted', { kind: 'boolean' }),
    f('status_reason', { requiredWhen: { '==': [{ var: 'blacklisted' }, true] } }),
    f('bid_due', { visibleWhen: { '==': [{ var: 'bid_required' }, true] } }),
    f('amount', { readOnlyWhen: { in: [{ var: 'stage' }, ['won', 'lost']] } }),
    f('elsewhere', { requiredWhen: true }),
  ];
  const schema = { type: 'object', required: ['name'], properties: { blacklisted: {}, status_reason: {}, bid_due: {}, amount: {} } };
  const ui = { status_reason: { 'ui:title': '原因' } };
  const editable = ['blacklisted', 'status_reason', 'bid_due', 'amount'];

  it('requires, hides and locks fields as the record says', () => {
    const live = applyFieldRules(schema, ui, fields, editable, { blacklisted: true, bid_required: false, stage: 'won' });
    expect(live.schema.required).toEqual(['name', 'status_reason']);
    expect(live.uiSchema.status_reason).toEqual({ 'ui:title': '原因' });
    expect(live.uiSchema.bid_due).toEqual({ 'ui:widget': 'hidden' });
    expect(live.uiSchema.amount).toEqual({ 'ui:readonly': true });
    expect(live.uiSchema.elsewhere).toBeUndefined();
  });

  it('leaves them as they are when the conditions do not hold', () => {
    const live = applyFieldRules(schema, ui, fields, editable, { blacklisted: false, bid_required: true, stage: 'proposal' });
    expect(live.schema.required).toEqual(['name']);
    expect(live.uiSchema.bid_due).toEqual({});
    expect(live.uiSchema.amount).toEqual({});
  });
});
