// Checks each raw document against the meta-schema in metadata/schema/ and turns ajv errors into problems.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { createAjv } from '../shared/create-ajv.js';
import { pointer as joinPointer } from '../shared/json-pointer.js';
import type { MetadataProblem } from './metadata-problem.js';
import type { RawDocument } from './read-packs.js';
import { UI_KINDS, type UiKindKey } from './ui-model.js';

const SCHEMA_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../metadata/schema');
const SCHEMA_FILES = [
  'common.schema.json',
  'field.schema.json',
  'assignment.schema.json',
  'reminder.schema.json',
  'approval-flow.schema.json',
  'public-form.schema.json',
  'analytics.schema.json',
  'entity.schema.json',
  'pack.schema.json',
  ...UI_KINDS.map((k) => k.schema),
];

export interface DocumentValidators {
  readonly pack: ValidateFunction;
  readonly entity: ValidateFunction;
  readonly ui: Readonly<Record<UiKindKey, ValidateFunction>>;
}

export function compileMetaSchema(): DocumentValidators {
  const ajv = createAjv();
  for (const file of SCHEMA_FILES) {
    ajv.addSchema(JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8')) as object);
  }
  const get = (id: string): ValidateFunction => {
    const fn = ajv.getSchema(`https://tessera.dev/schema/${id}`);
    if (!fn) throw new Error(`meta-schema ${id} is missing`);
    return fn;
  };
  return {
    pack: get('pack.schema.json'),
    entity: get('entity.schema.json'),
    ui: Object.fromEntries(UI_KINDS.map((k) => [k.key, get(k.schema)])) as Record<UiKindKey, ValidateFunction>,
  };
}

function describe(error: ErrorObject): { pointer: string; message: string } {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return {
        pointer: error.instancePath + joinPointer(String(params.missingProperty)),
        message: `'${String(params.missingProperty)}' is required`,
      };
    case 'additionalProperties':
      return {
        pointer: error.instancePath + joinPointer(String(params.additionalProperty)),
        message: `unknown property '${String(params.additionalProperty)}'`,
      };
    case 'enum':
      return { pointer: error.instancePath, message: `must be one of ${JSON.stringify(params.allowedValues)}` };
    case 'pattern':
      return { pointer: error.instancePath, message: `must match ${String(params.pattern)}` };
    default:
      return { pointer: error.instancePath, message: error.message ?? 'is invalid' };
  }
}

export function validateDocument(
  validate: ValidateFunction,
  doc: RawDocument,
  context: { pack: string; entity?: string },
): MetadataProblem[] {
  if (validate(doc.json)) return [];
  // A failed `if` adds a summary error on top of the real one; it says nothing new.
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if');
  return errors.map((e) => {
    const { pointer, message } = describe(e);
    const fieldMatch = /^\/fields\/(\d+)/.exec(pointer);
    const fields = (doc.json as { fields?: Array<{ name?: unknown }> } | null)?.fields;
    const fieldName = fieldMatch && Array.isArray(fields) ? fields[Number(fieldMatch[1])]?.name : undefined;
    return {
      file: doc.file,
      pointer,
      rule: `schema.${e.keyword}`,
      message,
      pack: context.pack,
      ...(context.entity ? { entity: context.entity } : {}),
      ...(typeof fieldName === 'string' ? { field: fieldName } : {}),
    };
  });
}
