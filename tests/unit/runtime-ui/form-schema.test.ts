// The record form's schema from /api/meta: placed fields only, editable ones with their write schema, derived and
// read-only ones as displays, nullable choices without rjsf's chooser; the PATCH diff; problem+json errors placed
// under their fields; the record's buttons from the state machine and the pack actions.
import { describe, expect, it } from 'vitest';
import type { EntityMeta } from '../../../runtime-ui/src/api/meta-types.js';
import { buildFormSpec, changedFields, withoutNullBranch } from '../../../runtime-ui/src/record/form-schema.js';
import { ruleMessage, toErrorSchema } from '../../../runtime-ui/src/record/field-errors.js';
import { recordButtons } from '../../../runtime-ui/src/record/record-buttons.js';

const field = (name: string, kind: string, extra: Record<string, unknown> = {}) => ({
  name,
  kind,
  label: name.toUpperCase(),
  description: null,
  required: false,
  readOnly: false,
  operators: [],
  ...extra,
});

const META = {
  name: 'lead',
  label: 'Lead',
  pluralLabel: 'Leads',
  titleField: 'company',
  permissions: ['read', 'create', 'update'],
  fields: [
    field('company', 'text'),
    field('industry', 'enum', { values: [{ value: 'it', label: 'IT' }] }),
    field('budget', 'currency'),
    field('owner', 'user', { target: 'app_user', cardinality: 'belongsTo' }),
    field('score', 'score', { readOnly: true, scoring: { criteria: [{ id: 'size', label: 'Size' }] } }),
    field('secret_note', 'text', { readOnly: true }),
    field('status', 'enum', {
      values: [
        { value: 'new', label: 'New' },
        { value: 'qualified', label: 'Qualified' },
      ],
      transitions: {
        allowed: [
          { name: 'qualify', label: 'Qualify', from: ['new'], to: 'qualified' },
          { name: 'convert', label: 'Convert', from: ['qualified'], to: 'converted' },
          { name: 'drop', label: 'Drop', from: ['new'], to: 'dropped' },
        ],
        byState: { new: ['qualify'], qualified: ['convert'] },
      },
    }),
    field('unplaced', 'text'),
  ],
  actions: [{ name: 'convert', label: 'Convert lead', input: { type: 'object', properties: { note: { type: 'string' } } } }],
  jsonSchema: {
    create: {
      type: 'object',
      required: ['company', 'unplaced'],
      properties: {
        company: { type: 'string' },
        industry: { title: 'Industry', anyOf: [{ type: 'string', enum: ['it'] }, { type: 'null' }] },
        budget: { type: ['object', 'null'], properties: { amount: { type: 'string' }, currency: { type: 'string' } } },
        owner: { type: ['string', 'null'], format: 'uuid' },
        secret_note: { type: 'string' },
        status: { type: 'string', enum: ['new', 'qualified'] },
        unplaced: { type: 'string' },
      },
    },
    update: {
      type: 'object',
      properties: {
        company: { type: 'string' },
        industry: { title: 'Industry', anyOf: [{ type: 'string', enum: ['it'] }, { type: 'null' }] },
        budget: { type: ['object', 'null'] },
        owner: { type: ['string', 'null'], format: 'uuid' },
        secret_note: { type: 'string' },
        status: { type: 'string', enum: ['new', 'qualified'] },
      },
    },
    read: { type: 'object', properties: { score: { type: ['object', 'null'], readOnly: true }, secret_note: { type: 'string' } } },
  },
  uiSchema: { company: { 'ui:title': '公司' }, owner: { 'ui:widget': 'user', 'ui:options': { target: 'app_user' } } },
  layout: {
    id: 'l',
    generated: false,
    highlights: ['status'],
    actions: [
      { name: 'convert', placement: 'primary' },
      { name: 'drop', placement: 'hidden' },
    ],
    tabs: [
      {
        name: 'main',
        label: 'Main',
        sections: [
          { name: 'a', label: 'A', columns: 2, collapsed: false, fields: ['company', 'industry', 'budget', 'owner'] },
          { name: 'b', label: 'B', columns: 1, collapsed: false, fields: ['score', 'secret_note', 'status'] },
        ],
        relatedLists: [],
      },
      {
        name: 'related',
        label: 'Related',
        sections: [],
        relatedLists: [{ relation: 'x', label: 'X', entity: 'x', field: 'lead', columns: [], limit: 5 }],
      },
    ],
  },
  listViews: [],
} as unknown as EntityMeta;

describe('buildFormSpec', () => {
  it('gives editable fields their write schema and derived or read-only ones a display', () => {
    const spec = buildFormSpec(META, 'update', { app_user: 'display_name' });
    expect(Object.keys(spec.schema.properties ?? {})).toEqual(['company', 'industry', 'budget', 'owner', 'score', 'secret_note', 'status']);
    expect(spec.editable).toEqual(['company', 'industry', 'budget', 'owner', 'status']);
    expect(spec.schema.properties?.industry).toEqual({ title: 'Industry', type: 'string', enum: ['it'] });
    expect(spec.uiSchema.company).toEqual({ 'ui:title': '公司' });
    expect(spec.uiSchema.owner).toEqual({ 'ui:widget': 'user', 'ui:options': { target: 'app_user', titleField: 'display_name' } });
    expect(spec.uiSchema.budget).toMatchObject({ amount: { 'ui:label': false }, currency: { 'ui:label': false } });
    expect(spec.uiSchema.score).toMatchObject({
      'ui:field': 'readonlyValue',
      'ui:options': { kind: 'score', derived: true, criteria: [{ id: 'size', label: 'Size' }] },
    });
    expect(spec.uiSchema.secret_note).toMatchObject({ 'ui:field': 'readonlyValue', 'ui:options': { derived: false } });
    expect(spec.uiSchema['ui:order']).toEqual(['company', 'industry', 'budget', 'owner', 'score', 'secret_note', 'status', '*']);
    expect(spec.tabs.map((t) => [t.name, t.sections.length, t.relatedCount])).toEqual([
      ['main', 2, 0],
      ['related', 0, 1],
    ]);
  });

  it('leaves calculated fields and tabs without sections out of a new record, and required only what is placed', () => {
    const spec = buildFormSpec(META, 'create');
    expect(Object.keys(spec.schema.properties ?? {})).toEqual(['company', 'industry', 'budget', 'owner', 'status']);
    expect(spec.schema.required).toEqual(['company']);
    expect(spec.tabs.map((t) => t.name)).toEqual(['main']);
  });

  it('edits JSON values as text and many-to-many sets as lists of ids', () => {
    const meta = structuredClone(META) as unknown as EntityMeta;
    meta.fields.push(
      field('grants', 'json') as never,
      field('members', 'relation', { target: 'app_user', cardinality: 'manyToMany' }) as never,
    );
    const members = { type: 'array', items: { type: 'string', format: 'uuid' } };
    Object.assign(meta.jsonSchema.update.properties ?? {}, { grants: { anyOf: [{}, { type: 'null' }] }, members });
    meta.layout.tabs[0]!.sections[0]!.fields.push('grants', 'members');
    const spec = buildFormSpec(meta, 'update', { app_user: 'display_name' });
    expect(spec.editable).toContain('grants');
    expect(spec.editable).toContain('members');
    expect(spec.schema.properties?.members).toEqual(members);
    expect(spec.uiSchema.grants).toMatchObject({ 'ui:field': 'jsonText' });
    expect(spec.uiSchema.members).toMatchObject({
      'ui:field': 'relationSet',
      'ui:options': { target: 'app_user', titleField: 'display_name' },
    });
    // A set is sent whole when it changed, in the order the user left it.
    expect(changedFields({ members: ['a', 'b'] }, { members: ['a', 'b'] }, spec.editable)).toEqual({});
    expect(changedFields({ members: ['a', 'b'] }, { members: ['b'] }, spec.editable)).toEqual({ members: ['b'] });
    expect(changedFields({ grants: null }, { grants: { read: true } }, spec.editable)).toEqual({ grants: { read: true } });
  });

  it('keeps a read-only JSON value and set as displays', () => {
    const meta = structuredClone(META) as unknown as EntityMeta;
    meta.fields.push(
      field('grants', 'json', { readOnly: true }) as never,
      field('members', 'relation', { target: 'app_user', cardinality: 'manyToMany', readOnly: true }) as never,
    );
    meta.layout.tabs[0]!.sections[0]!.fields.push('grants', 'members');
    const spec = buildFormSpec(meta, 'update');
    expect(spec.uiSchema.grants).toMatchObject({ 'ui:field': 'readonlyValue', 'ui:options': { json: true } });
    expect(spec.uiSchema.members).toMatchObject({ 'ui:field': 'readonlyValue', 'ui:options': { kind: 'relation' } });
  });

  it('gives a file its upload widget, never sent by the save, and leaves it out of a new record (#25)', () => {
    const meta = structuredClone(META) as unknown as EntityMeta;
    meta.fields.push(field('scan', 'file') as never);
    const ref = { type: 'object', required: ['sha256', 'name', 'size', 'contentType'] };
    Object.assign(meta.jsonSchema.create.properties ?? {}, { scan: ref });
    Object.assign(meta.jsonSchema.update.properties ?? {}, { scan: ref });
    meta.layout.tabs[0]!.sections[0]!.fields.push('scan');
    expect(Object.keys(buildFormSpec(meta, 'create').schema.properties ?? {})).not.toContain('scan');
    const spec = buildFormSpec(meta, 'update');
    expect(spec.editable).not.toContain('scan');
    expect(spec.uiSchema.scan).toMatchObject({ 'ui:field': 'fileUpload', 'ui:options': { writable: true } });
    const locked = structuredClone(meta);
    locked.fields.find((f) => f.name === 'scan')!.readOnly = true;
    expect(buildFormSpec(locked, 'update').uiSchema.scan).toMatchObject({ 'ui:field': 'fileUpload', 'ui:options': { writable: false } });
  });

  it('keeps a schema that is not a nullable single choice as it is', () => {
    const both = { anyOf: [{ type: 'string' }, { type: 'integer' }] };
    expect(withoutNullBranch(both)).toBe(both);
  });
});

describe('changedFields', () => {
  it('sends only what changed, empty text as null, and never a field the form may not write', () => {
    const base = { company: 'A', industry: null, budget: { amount: '1.00', currency: 'CNY' }, score: { points: '1' } };
    const next = { company: 'A', industry: 'it', budget: { amount: '2.00', currency: 'CNY' }, owner: '', score: { points: '9' } };
    expect(changedFields(base, next, ['company', 'industry', 'budget', 'owner'])).toEqual({
      industry: 'it',
      budget: { amount: '2.00', currency: 'CNY' },
    });
  });
});

describe('toErrorSchema', () => {
  it('puts each error under its field (nested parts too) and returns the rest apart', () => {
    const { tree, unplaced } = toErrorSchema(
      [
        { pointer: '/company', code: 'validation.required', message: 'is required' },
        { pointer: '/budget/amount', code: 'validation.pattern', message: 'bad amount' },
        { pointer: '/company', code: 'validation.rule', message: 'name taken' },
        { pointer: '/a~1b', code: 'x', message: 'elsewhere' },
        { pointer: '', code: 'x', message: 'whole record' },
      ],
      ['company', 'budget'],
      (e) => (e.code === 'validation.required' ? '必填' : e.message),
    );
    expect(tree).toEqual({ company: { __errors: ['必填', 'name taken'] }, budget: { amount: { __errors: ['bad amount'] } } });
    expect(unplaced.map((u) => u.message)).toEqual(['elsewhere', 'whole record']);
  });
});

describe('recordButtons', () => {
  it('offers the transitions of the current state and the actions, as the layout places them', () => {
    expect(recordButtons(META, { status: 'new' }).map((b) => [b.kind, b.name, b.placement])).toEqual([
      ['action', 'convert', 'primary'],
      ['transition', 'qualify', 'header'],
    ]);
    // The action shadows the transition of the same name: converting is the action's job.
    const qualified = recordButtons(META, { status: 'qualified' });
    expect(qualified.map((b) => b.name)).toEqual(['convert']);
    expect(qualified[0]).toMatchObject({ kind: 'action', hasInput: true, input: { properties: { note: { type: 'string' } } } });
  });
});

describe('ruleMessage', () => {
  const rules = [
    { name: 'large_deal_approved', message: '50万元以上的商机须经审批后方可赢单', fields: ['stage'] },
    { name: 'close_date', message: '结束日期不能早于开始日期', fields: ['closed_on'] },
  ];
  it("words a broken rule in the user's language when the detail names it", () => {
    const e = { pointer: '/stage', code: 'validation.rule', message: 'A deal of 500,000 CNY or more is won only once approved' };
    expect(ruleMessage(rules, '1 rule(s) do not hold: large_deal_approved', e)).toBe('50万元以上的商机须经审批后方可赢单');
    expect(ruleMessage(rules, '1 rule(s) do not hold: other_rule', e)).toBeUndefined();
    expect(ruleMessage(rules, '1 rule(s) do not hold: large_deal_approved', { ...e, code: 'validation.required' })).toBeUndefined();
  });
});
