// Cube tokens: a signed-in Tessera user exchanges their token for one of these (POST /api/bi/token), and Cube's
// checkAuth accepts nothing else. Signed with a secret of Cube's own (never the session secret), kept in the database
// so every engine process accepts the tokens of the others; short-lived and never outliving the token exchanged.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { SECRET_TABLE } from '../security/security-tables.js';

const ISSUER = 'tessera-bi';
/** Longest life of a Cube token; clients exchange again when it lapses. */
export const CUBE_TOKEN_SECONDS = 15 * 60;

export interface CubeTokenClaims {
  readonly userId: string;
  /** The exchanged token's kind and id: the Cube token is a delegation of it, good while it is. */
  readonly tokenKind: 'session' | 'api';
  readonly tokenId: string;
  readonly locale: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

/** Loads (or creates once) the Cube signing secret shared by every engine on the database. */
export async function loadCubeSecret(pool: pg.Pool): Promise<string> {
  const fresh = randomBytes(48).toString('base64url');
  await pool.query(`INSERT INTO ${SECRET_TABLE} (name, value) VALUES ('cube', $1) ON CONFLICT (name) DO NOTHING`, [fresh]);
  const res = await pool.query<{ value: string }>(`SELECT value FROM ${SECRET_TABLE} WHERE name = 'cube'`);
  return res.rows[0]?.value ?? fresh;
}

export async function signCubeToken(
  secret: string,
  claims: Omit<CubeTokenClaims, 'expiresAt'>,
  notAfter: number,
): Promise<{ token: string; expiresAt: number }> {
  const exp = Math.floor(Math.min(notAfter, Date.now() + CUBE_TOKEN_SECONDS * 1000) / 1000);
  const token = await new SignJWT({ tid: claims.tokenId, tk: claims.tokenKind, loc: claims.locale })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.userId)
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(secret));
  return { token, expiresAt: exp * 1000 };
}

/** The claims of a valid Cube token, or undefined for anything else (expired, forged, a session token). */
export async function verifyCubeToken(secret: string, token: string): Promise<CubeTokenClaims | undefined> {
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), { issuer: ISSUER, algorithms: ['HS256'] });
    const { sub, exp, tid, tk, loc } = payload;
    if (typeof sub !== 'string' || typeof exp !== 'number' || typeof tid !== 'string' || typeof loc !== 'string') return undefined;
    if (tk !== 'session' && tk !== 'api') return undefined;
    return { userId: sub, tokenKind: tk, tokenId: tid, locale: loc, expiresAt: exp * 1000 };
  } catch (err) {
    if (err instanceof joseErrors.JOSEError) return undefined;
    throw err;
  }
}
