// Record ids in URLs are UUIDs; anything else names no record, and is answered like a missing one.
import { EngineError } from '../shared/engine-error.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseRecordId(raw: string | undefined, entity: string): string {
  const id = raw ?? '';
  if (!UUID.test(id)) throw new EngineError('record.not_found', 404, `${entity} ${id.slice(0, 64)} does not exist`);
  return id.toLowerCase();
}
