// What every request carries through the middleware chain.
import type { Logger } from '../shared/logger.js';
import type { Actor } from '../security/actor.js';
import type { Access } from '../security/access.js';
import type { AuthSession } from '../security/authenticator.js';

export interface ApiState {
  requestId: string;
  log: Logger;
  /** Set by the authentication middleware. */
  actor: Actor;
  /** What the actor may see and do; set with the actor. */
  access: Access;
  /** The token's session (absent on public routes). */
  session?: AuthSession;
}
