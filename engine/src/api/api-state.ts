// What every request carries through the middleware chain.
import type { Logger } from '../shared/logger.js';
import type { Actor } from '../plugins/plugin-api.js';
import type { RecordScope } from '../data/record-scope.js';

export interface ApiState {
  requestId: string;
  log: Logger;
  /** Set by the authentication middleware. */
  actor: Actor;
  /** Rows of each entity the actor may see; set with the actor. */
  scope: RecordScope;
}
