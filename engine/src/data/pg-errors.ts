// PostgreSQL errors caused by the data a client sent become 4xx EngineErrors naming the field;
// anything else is rethrown untouched and ends as a logged 500.
import type { EntityDef } from '../metadata/model.js';
import { EngineError } from '../shared/engine-error.js';

interface PgError { code?: string; constraint?: string; column?: string }

function fieldOfConstraint(entity: EntityDef, constraint: string | undefined): string | undefined {
  if (!constraint) return undefined;
  const index = entity.indexes.find((i) => i.name === constraint);
  const column = index?.keys[0]?.column ?? constraint.replace(new RegExp(`^${entity.table}_`), '').replace(/_(fkey|key|idx)$/, '');
  return entity.fields.find((f) => f.columns.some((c) => c.name === column))?.name;
}

export function translatePgError(err: unknown, entity: EntityDef, pointerPrefix = ''): unknown {
  const e = err as PgError;
  const field = fieldOfConstraint(entity, e.constraint) ?? e.column;
  const pointer = `${pointerPrefix}/${field ?? ''}`;
  switch (e.code) {
    case '23505':
      return new EngineError('record.duplicate', 409, `another ${entity.name} already has this ${field ?? 'value'}`, { cause: err, fieldErrors: [{ pointer, code: 'validation.unique', message: 'must be unique' }] });
    case '23503':
      return new EngineError('record.invalid_reference', 422, `the ${field ?? 'related'} record does not exist or is still referenced`, { cause: err, fieldErrors: [{ pointer, code: 'validation.reference', message: 'refers to a record that does not exist or is still in use' }] });
    case '23502':
      return new EngineError('validation.failed', 422, `${field ?? 'a field'} is required`, { cause: err, fieldErrors: [{ pointer, code: 'validation.required', message: 'is required' }] });
    case '22003':
    case '22001':
      return new EngineError('validation.failed', 422, 'a value is out of range for its field', { cause: err, fieldErrors: [{ pointer, code: 'validation.range', message: 'is out of range' }] });
    case '22007':
    case '22008':
    case '22021':
    case '22P05':
    case '22P02':
      return new EngineError('validation.failed', 422, 'a value has the wrong format for its field', { cause: err, fieldErrors: [{ pointer, code: 'validation.format', message: 'has the wrong format' }] });
    default:
      return err;
  }
}
