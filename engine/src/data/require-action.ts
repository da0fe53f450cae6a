// Refuses an action the caller's roles do not grant on the entity at all.
import { EngineError } from '../shared/engine-error.js';
import type { Access, RecordAction } from '../security/access.js';

export function requireAction(access: Access, entity: string, action: RecordAction): void {
  if (!access.can(entity, action)) {
    throw new EngineError('access.denied', 403, `you may not ${action} ${entity} records`);
  }
}
