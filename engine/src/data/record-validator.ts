// Validates create and patch bodies against the entity's JSON Schemas (compiled once per Model)
// and reports every problem with a JSON pointer, as problem+json `errors`.
import type { ErrorObject, ValidateFunction } from 'ajv';
import { createAjv } from '../shared/create-ajv.js';
import { addDecimalKeywords } from '../shared/decimal-keywords.js';
import { EngineError, type FieldError } from '../shared/engine-error.js';
import { pointer as joinPointer } from '../shared/json-pointer.js';
import { unstorableTexts } from '../shared/storable-text.js';
import type { RecordSchemas } from '../forms/record-schemas.js';

export interface RecordValidator {
  validateCreate(input: unknown, pointerPrefix?: string): FieldError[];
  validateUpdate(input: unknown, pointerPrefix?: string): FieldError[];
}

export function createRecordAjv() {
  return addDecimalKeywords(createAjv());
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
  // Decimal digits have always been reported as the pattern they once were: the code is part of the contract.
  const code = e.keyword === 'decimalDigits' ? 'validation.pattern' : `validation.${e.keyword}`;
  return { pointer: prefix + e.instancePath, code, message: e.message ?? 'is invalid' };
}

/**
 * anyOf/if wrappers repeat what their branches already said; drop them when a branch error exists. A nullable
 * value is `anyOf [value, null]`: a bad enum value fails both branches, and "must be null" adds nothing to
 * "must be one of", so a type error gives way to any other error at the same place.
 */
function usefulErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  // A decimal's digits error says in words what its shape pattern says as a regex.
  const digits = new Set(errors.filter((e) => e.keyword === 'decimalDigits').map((e) => e.instancePath));
  const branches = errors.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'if' && !(e.keyword === 'pattern' && digits.has(e.instancePath)));
  const saidMore = new Set(branches.filter((e) => e.keyword !== 'type').map((e) => e.instancePath));
  const specific = branches.filter((e) => e.keyword !== 'type' || !saidMore.has(e.instancePath));
  const deduped = new Map<string, ErrorObject>();
  for (const e of specific.length ? specific : errors) {
    // For a nullable value both "must be string" and "must be null" fire; keep the first per place.
    const key = e.keyword === 'type' ? `${e.instancePath}|type` : `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (!deduped.has(key)) deduped.set(key, e);
  }
  return [...deduped.values()];
}

function run(fn: ValidateFunction, input: unknown, prefix: string): FieldError[] {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return [{ pointer: prefix || '', code: 'validation.type', message: 'must be a JSON object' }];
  }
  const errors = fn(input) ? [] : usefulErrors(fn.errors ?? []).map((e) => toFieldError(e, prefix));
  return [...errors, ...unstorableTexts(input, prefix, Math.max(0, 20 - errors.length))];
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
