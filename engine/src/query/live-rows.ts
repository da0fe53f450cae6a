// Every alias a statement reads from gets the same two conditions: not soft-deleted, and within scope.
import type { EntityDef } from '../metadata/model.js';
import type { ParamSink, RecordScope } from './record-scope.js';

export function liveAndScoped(entity: EntityDef, alias: string, params: ParamSink, scope: RecordScope): string {
  const s = scope(entity, alias, params);
  return `${alias}.deleted_at IS NULL${s ? ` AND (${s})` : ''}`;
}
