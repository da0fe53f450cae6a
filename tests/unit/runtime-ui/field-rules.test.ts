// Field rules applied live: hidden, required and read-only as the record's values change, judged by the engine's
// evaluator with its operators meaning what they mean on the server.
import { describe, expect, it } from 'vitest';
import type { FieldMeta } from '../../../runtime-ui/src/api/meta-types.js';
import { applyFieldRules, holds } from '../../../runtime-ui/src/record/field-rules.js';
import { formOperands } from '../../../runtime-ui/src/record/form-conditions.js';

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
  const operands = formOperands([
    f('name', { operand: 'text', operators: ['contains', 'startsWith', '=='] }),
    f('reason', { operand: 'text', operators: ['isNull'] }),
    f('tags', { kind: 'multienum', operand: 'multienum', operators: ['contains'] }),
    f('points', { kind: 'decimal', operand: 'decimal', operators: ['between'] }),
    f('blacklisted', { kind: 'boolean', operand: 'boolean', operators: ['=='] }),
    f('score', { kind: 'decimal', operand: 'decimal', operators: ['>'], computed: { '+': [1, 1] } }),
  ]);
  it.each([
    [{ contains: [{ var: 'name' }, 'ACME'] }, { name: 'the acme co' }, true],
    [{ contains: [{ var: 'tags' }, 'vip'] }, { tags: ['vip', 'new'] }, true],
    [{ startsWith: [{ var: 'name' }, 'Th'] }, { name: 'the acme co' }, true],
    [{ isNull: [{ var: 'reason' }] }, { reason: null }, true],
    [{ isNull: [{ var: 'reason' }] }, { reason: 'x' }, false],
    [{ isNull: [{ var: 'reason' }] }, { reason: '' }, true],
    [{ between: [{ var: 'points' }, 10, 20] }, { points: '15.00' }, true],
    [{ between: [{ var: 'points' }, 10, 20] }, { points: 20.5 }, false],
    [{ '==': [{ var: 'blacklisted' }, true] }, { blacklisted: true }, true],
    // Not judged in the browser: an unknown operator, an operator the field does not allow, a calculated field.
    [{ no_such_operator: [1] }, {}, false],
    [{ '>': [{ var: 'reason' }, 'a'] }, { reason: 'b' }, false],
    [{ '>': [{ var: 'score' }, 1] }, { score: 5 }, false],
  ])('%j on %j is %s', (condition, record, expected) => {
    expect(holds(condition, record, operands)).toBe(expected);
  });
});

describe('applyFieldRules', () => {
  const fields = [
    f('blacklisted', { kind: 'boolean', operand: 'boolean', operators: ['=='] }),
    f('bid_required', { kind: 'boolean', operand: 'boolean', operators: ['=='] }),
    f('stage', { kind: 'enum', operand: 'enum', operators: ['in', '=='] }),
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
