// An entity's layout + its JSON Schemas (from /api/meta) -> the rjsf schema and uiSchema of its record form.
// Fields the caller may change get their create/update schema; derived and read-only fields get the read schema
// and a read-only display (with the score's explanation). Pure and DOM-free (unit-tested).
import type { EntityMeta, JsonSchema, SectionMeta } from '../api/meta-types.js';

export type FormMode = 'create' | 'update';

export interface FormSpec {
  schema: JsonSchema;
  uiSchema: Record<string, unknown>;
  /** Sections per tab, for the form's layout template. */
  tabs: { name: string; label: string; sections: SectionMeta[]; relatedCount: number }[];
  /** Fields the form may send. */
  editable: string[];
}

/**
 * A nullable value the API spells `anyOf: [<schema>, { type: 'null' }]` as the schema alone: rjsf would render a
 * chooser between the two; left empty, the form sends null anyway (changedFields).
 */
export function withoutNullBranch(schema: JsonSchema): JsonSchema {
  const branches = schema.anyOf as JsonSchema[] | undefined;
  if (!Array.isArray(branches)) return schema;
  const rest = branches.filter((b) => b.type !== 'null');
  if (rest.length !== 1 || rest.length === branches.length) return schema;
  const { anyOf: _drop, ...outer } = schema;
  return { ...rest[0], ...outer };
}

export function buildFormSpec(meta: EntityMeta, mode: FormMode, titleFields: Record<string, string | null> = {}): FormSpec {
  const writable = meta.jsonSchema[mode].properties ?? {};
  const readable = meta.jsonSchema.read.properties ?? {};
  const fields = new Map(meta.fields.map((f) => [f.name, f]));
  const properties: Record<string, JsonSchema> = {};
  const uiSchema: Record<string, unknown> = {};
  const editable: string[] = [];
  const placed = (name: string) => {
    const field = fields.get(name);
    const own = writable[name];
    if (!field) return false;
    const ui = { ...((meta.uiSchema[name] as Record<string, unknown> | undefined) ?? {}) };
    // A file is not a value the form sends: it goes up through its own route (#25) and the upload writes it.
    if (own && !field.readOnly && field.kind !== 'file') {
      properties[name] = withoutNullBranch(own);
      editable.push(name);
      if (field.kind === 'currency') Object.assign(ui, { amount: { 'ui:label': false }, currency: { 'ui:label': false } });
      if (field.target)
        ui['ui:options'] = { ...(ui['ui:options'] as object), target: field.target, titleField: titleFields[field.target] ?? null };
      // A many-to-many set is the list of linked ids (a write replaces the links); JSON is edited as text.
      if (field.cardinality === 'manyToMany') ui['ui:field'] = 'relationSet';
      else if (field.kind === 'json') ui['ui:field'] = 'jsonText';
      uiSchema[name] = ui;
      return true;
    }
    // A new record has no derived values yet: its calculated fields are left out of the create form; nor has it
    // a record to upload a file to.
    if (mode === 'create') return false;
    if (field.kind === 'file') {
      // Shown with its upload, replace and remove (writable) or download only; never sent by the form's save.
      properties[name] = { ...withoutNullBranch(readable[name] ?? {}), readOnly: true };
      uiSchema[name] = { ...ui, 'ui:field': 'fileUpload', 'ui:options': { writable: own !== undefined && !field.readOnly } };
      return true;
    }
    properties[name] = { ...withoutNullBranch(readable[name] ?? {}), readOnly: true };
    uiSchema[name] = {
      ...ui,
      'ui:field': 'readonlyValue',
      'ui:options': {
        kind: field.kind,
        values: field.values ?? null,
        titleField: field.target ? (titleFields[field.target] ?? null) : null,
        derived: field.computed !== undefined || field.rollup !== undefined || field.scoring !== undefined,
        json: field.kind === 'json',
        criteria: field.scoring?.criteria.map((c) => ({ id: c.id, label: c.label })) ?? null,
      },
    };
    return true;
  };
  const tabs = meta.layout.tabs.map((tab) => ({
    name: tab.name,
    label: tab.label,
    sections: tab.sections.map((s) => ({ ...s, fields: s.fields.filter(placed) })).filter((s) => s.fields.length > 0),
    relatedCount: tab.relatedLists.length,
  }));
  const order = tabs.flatMap((t) => t.sections.flatMap((s) => s.fields));
  const required = (meta.jsonSchema[mode].required ?? []).filter((r) => editable.includes(r));
  return {
    schema: {
      type: 'object',
      properties: Object.fromEntries(order.map((n) => [n, properties[n] as JsonSchema])),
      ...(required.length ? { required } : {}),
    },
    uiSchema: { ...uiSchema, 'ui:order': [...order, '*'] },
    tabs: mode === 'create' ? tabs.filter((t) => t.sections.length > 0) : tabs,
    editable,
  };
}

/** The fields of `next` that differ from `base` (what a PATCH sends). */
export function changedFields(
  base: Record<string, unknown>,
  next: Record<string, unknown>,
  editable: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of editable) {
    const a = base[name] ?? null;
    const b = next[name] === '' ? null : (next[name] ?? null);
    if (JSON.stringify(a) !== JSON.stringify(b)) out[name] = b;
  }
  return out;
}
