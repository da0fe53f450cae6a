// From a Cube token to the viewer key Cube compiles and caches by: the token must verify, its user must still be
// active, and their Access is built as for their own token. Called by Cube's checkAuth (cube-server.ts).
import { isEngineError } from '../shared/engine-error.js';
import type { AuthSession, Authenticator } from '../security/authenticator.js';
import { verifyCubeToken } from './cube-token.js';
import type { CubeViewers } from './cube-viewers.js';

export interface CubeAuthDeps {
  readonly auth: Authenticator;
  readonly viewers: CubeViewers;
  modelVersion(): number;
}

/** The viewer key of a signed-in session (reports run as their caller). */
export function viewerKeyFor(deps: Omit<CubeAuthDeps, 'auth'>, session: Pick<AuthSession, 'info' | 'access'>, locale: string): string {
  return deps.viewers.ensure({
    modelVersion: deps.modelVersion(),
    userId: session.info.id,
    basis: session.info,
    locale,
    access: session.access,
  });
}

export async function cubeViewerKey(deps: CubeAuthDeps, secret: string, token: string): Promise<string | undefined> {
  const claims = await verifyCubeToken(secret, token);
  if (!claims) return undefined;
  try {
    const session = await deps.auth.delegatedSession(claims.userId, claims.tokenKind, claims.tokenId, claims.expiresAt);
    return viewerKeyFor(deps, session, claims.locale);
  } catch (err) {
    // An inactive or deleted user: the token is no longer good (Cube answers 401).
    if (isEngineError(err)) return undefined;
    throw err;
  }
}
