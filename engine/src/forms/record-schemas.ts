// Model -> JSON Schemas of one entity's records: as read, as created, as patched. Pure; compiled once per Model.
import { isDerivedField, kindOf, type FieldKindRegistry, type JsonSchema } from '../metadata/field-kinds.js';
import type { EntityDef, FieldDef } from '../metadata/model.js';
import { SYSTEM_READ_COLUMNS, systemReadSchema } from '../metadata/system-columns.js';

export interface RecordSchemas {
  readonly read: JsonSchema;
  readonly create: JsonSchema;
  readonly update: JsonSchema;
}

function nullable(schema: JsonSchema): JsonSchema {
  const t = schema.type;
  if (typeof t === 'string' && !('enum' in schema)) return { ...schema, type: [t, 'null'] };
  return { anyOf: [schema, { type: 'null' }] };
}

function title(field: FieldDef): JsonSchema {
  return { title: field.label.en, ...(field.description ? { description: field.description.en } : {}) };
}

export function fieldValueSchema(field: FieldDef, kinds: FieldKindRegistry): JsonSchema {
  return kindOf(kinds, field).valueSchema(field);
}

export function buildRecordSchemas(entity: EntityDef, kinds: FieldKindRegistry): RecordSchemas {
  const writeProps: Record<string, JsonSchema> = {};
  const readProps: Record<string, JsonSchema> = Object.fromEntries(SYSTEM_READ_COLUMNS.map((c) => [c.name, systemReadSchema(c)]));
  const required: string[] = [];
  // Every declared field is writable but those the engine computes; system columns never are.
  for (const field of entity.fields) {
    const value = fieldValueSchema(field, kinds);
    const many = field.cardinality === 'manyToMany';
    if (isDerivedField(kinds, field)) {
      readProps[field.name] = { ...title(field), readOnly: true, ...nullable(value) };
      continue;
    }
    // A numbered field is filled by the engine: read-only to forms, never required of a client, and null
    // there means "number it" (forms send empty fields as null).
    const numbered = field.numbering ? { readOnly: true } : {};
    const writable = (field.required && !field.numbering) || many ? value : nullable(value);
    writeProps[field.name] = { ...title(field), ...writable, ...numbered };
    if (kindOf(kinds, field).reference) {
      // Reads carry the id, or the related record itself when it was asked for with `include`.
      const related = { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } };
      readProps[field.name] = many
        ? { ...title(field), type: 'array', items: { anyOf: [{ type: 'string', format: 'uuid' }, related] } }
        : { ...title(field), anyOf: [{ type: 'string', format: 'uuid' }, related, { type: 'null' }] };
    } else {
      readProps[field.name] = { ...title(field), ...(field.required ? value : nullable(value)), ...numbered };
    }
    if (field.required && field.default === undefined && !many && !field.numbering) required.push(field.name);
  }
  for (const inverse of entity.inverses) {
    readProps[inverse.name] = { title: inverse.label.en, type: 'array', readOnly: true, items: { type: 'object', required: ['id'] } };
  }
  return {
    read: { type: 'object', properties: readProps },
    create: { type: 'object', additionalProperties: false, properties: writeProps, required },
    update: { type: 'object', additionalProperties: false, properties: writeProps },
  };
}

/** The schema without the given properties (also out of `required`): what one caller may see or write. */
export function withoutProperties<S extends object>(schema: S, drop: ReadonlySet<string>): S {
  if (drop.size === 0) return schema;
  const s = schema as { properties?: Record<string, unknown>; required?: unknown };
  return {
    ...schema,
    ...(s.properties ? { properties: Object.fromEntries(Object.entries(s.properties).filter(([k]) => !drop.has(k))) } : {}),
    ...(Array.isArray(s.required) ? { required: (s.required as string[]).filter((k) => !drop.has(k)) } : {}),
  };
}
