// The `file` field kind: the value names one stored blob (storage/blob-store.ts) by its SHA-256, with the name,
// size and content type it was uploaded with. The bytes never travel in a record: they go in and out through the
// file routes (api/file.routes.ts), which sniff the type, apply the record's access and write the value.
import type { FieldKind, JsonSchema } from './field-kinds.js';

/** A stored file as a record holds it. */
export interface FileRef {
  readonly sha256: string;
  readonly name: string;
  readonly size: number;
  readonly contentType: string;
}

export const FILE_REF_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['sha256', 'name', 'size', 'contentType'],
  properties: {
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    name: { type: 'string', minLength: 1, maxLength: 255 },
    size: { type: 'integer', minimum: 0 },
    contentType: { type: 'string', pattern: '^[a-z0-9.+-]+/[a-z0-9.+-]+$', maxLength: 255 },
  },
};

export const fileFieldKind: FieldKind = {
  name: 'file',
  options: [],
  // The condition language sees the ref as JSON: "has a file or not" is the one question lists ask of it.
  operand: 'json',
  operators: ['isNull'],
  widget: 'file',
  cubeType: null,
  indexable: false,
  columns: (f) => [{ name: f.name, type: { base: 'jsonb' }, nullable: !f.required, key: `${f.id}#value` }],
  valueSchema: () => FILE_REF_SCHEMA,
  // pg would send a JS object as text anyway; JSON text is what jsonb wants, and null stays SQL NULL.
  toColumns: (value) => [value === null || value === undefined ? null : JSON.stringify(value)],
  blobKeySql: ([column]) => `(${column ?? 'NULL::jsonb'}) ->> 'sha256'`,
};
