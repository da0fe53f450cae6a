// Validates create and patch bodies against the entity's JSON Schemas (compiled once per Model)
// and reports every problem with a JSON pointer, as problem+json `errors`.
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Decimal } from 'decimal.js';
import { createAjv } from '../shared/create-ajv.js';
import { EngineError, type FieldError } from '../shared/engine-error.js';
import { pointer as joinPointer } from '../shared/json-pointer.js';
import type { RecordSchemas } from '../forms/record-schemas.js';

export interface RecordValidator {
  validateCreate(input: unknown, pointerPrefix?: string): FieldError[];
  validateUpdate(input: unknown, pointerPrefix?: string): FieldError[];
}

function decimalKeyword(keyword: 'decimalMin' | 'decimalMax') {
  return {
    keyword,
    type: 'string' as const,
    schemaType: 'string' as const,
    error: { message: (cxt: { schema: unknown }) => `must be ${keyword === 'decimalMin' ? '>=' : '<='} ${String(cxt.schema)}` },
    validate: (limit: string, data: string) => {
      let value: Decimal;
      try {
        value = new Decimal(data);
      } catch {
        return true; // the pattern keyword reports malformed decimals
      }
      return keyword === 'decimalMin' ? value.gte(limit) : value.lte(limit);
    },
  };
}

export function createRecordAjv() {
  const ajv = createAjv();
  ajv.addKeyword(decimalKeyword('decimalMin'));
  ajv.addKeyword(decimalKeyword('decimalMax'));
  return ajv;
}

function toFieldError(e: ErrorObject, prefix: string): FieldError {
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'required') {
    return { pointer: prefix + e.instancePath + joinPointer(String(params.missingProperty)), code: 'validation.required', message: 'is required' };
  }
  if (e.keyword === 'additionalProperties') {
    const name = String(params.additionalProperty);
    return { pointer: prefix + e.instancePath + joinPointer(name), code: 'validation.unknown_field', message: `'${name}' is not a writable field` };
  }
  if (e.keyword === 'enum') {
    return { pointer: prefix + e.instancePath, code: 'validation.enum', message: `must be one of ${JSON.stringify(params.allowedValues)}` };
  }
  return { pointer: prefix + e.instancePath, code: `validation.${e.keyword}`, message: e.message ?? 'is invalid' };
}

/** anyOf/if wrappers repeat what their branches already said; drop them when a branch error exists. */
function usefulErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const specific = errors.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'if');
  const deduped = new Map<string, ErrorObject>();
  for (const e of specific.length ? specific : errors) {
    // For a nullable value both "must be string" and "must be null" fire; keep the first per place.
    const key = e.keyword === 'type' ? `${e.instancePath}|type` : `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (!deduped.has(key)) deduped.set(key, e);
  }
  return [...deduped.values()];
}

// PostgreSQL text cannot hold NUL, and a lone surrogate half is not a character: both are refused here
// rather than failing (or being silently replaced) in the database.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function unstorableText(value: unknown, at: string, out: FieldError[]): void {
  if (out.length >= 20) return;
  if (typeof value === 'string') {
    if (UNSTORABLE.test(value)) out.push({ pointer: at, code: 'validation.invalid_characters', message: 'contains a NUL character or half of a surrogate pair' });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => unstorableText(v, `${at}/${i}`, out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (UNSTORABLE.test(k)) out.push({ pointer: at, code: 'validation.invalid_characters', message: 'a key contains a NUL character or half of a surrogate pair' });
      unstorableText(v, `${at}${joinPointer(k)}`, out);
    }
  }
}

function run(fn: ValidateFunction, input: unknown, prefix: string): FieldError[] {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return [{ pointer: prefix || '', code: 'validation.type', message: 'must be a JSON object' }];
  }
  const errors = fn(input) ? [] : usefulErrors(fn.errors ?? []).map((e) => toFieldError(e, prefix));
  unstorableText(input, prefix, errors);
  return errors;
}

export function createRecordValidator(schemas: RecordSchemas): RecordValidator {
  const ajv = createRecordAjv();
  const create = ajv.compile(schemas.create);
  const update = ajv.compile(schemas.update);
  return {
    validateCreate: (input, prefix = '') => run(create, input, prefix),
    validateUpdate: (input, prefix = '') => run(update, input, prefix),
  };
}

export function throwIfInvalid(errors: readonly FieldError[]): void {
  if (errors.length > 0) {
    throw new EngineError('validation.failed', 422, `${errors.length} field(s) are invalid`, { fieldErrors: [...errors] });
  }
}
