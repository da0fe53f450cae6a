// Sign-in and token checks: passwords, revocable session tokens (JWT, HS256), API tokens for integrations,
// and login rate limits per user and per address. Turns a bearer token into an actor and its Access.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { EngineError } from '../shared/engine-error.js';
import type { Logger } from '../shared/logger.js';
import type { Actor } from './actor.js';
import { q } from '../sql/q.js';
import type { Access } from './access.js';
import { loadActorInfo, type ActorInfo } from './actor-info.js';
import { buildAccess, type AccessDeps } from './build-access.js';
import { DUMMY_HASH, verifyPassword } from './password.js';
import { API_TOKEN_TABLE, CREDENTIAL_TABLE, SECRET_TABLE, SESSION_TABLE } from './security-tables.js';
import { TtlCache } from './ttl-cache.js';
import { LoginLimits } from './login-limits.js';

export interface AuthSession {
  readonly actor: Actor;
  readonly access: Access;
  readonly info: ActorInfo;
  readonly tokenKind: 'session' | 'api';
  readonly tokenId: string;
  /** Epoch milliseconds after which the token is no longer valid (cached sessions included). */
  readonly expiresAt: number;
}

export interface AuthenticatorOptions {
  readonly pool: pg.Pool;
  readonly log: Logger;
  readonly tokenTtlSeconds: number;
  readonly jwtSecret?: string;
  readonly loginFailuresPerUser: number;
  readonly loginAttemptsPerAddress: number;
  /** The current Model's access dependencies (changes when a Model is published). */
  readonly accessDeps: () => AccessDeps;
}

const ISSUER = 'tessera';
const CACHE_MS = 5_000;
const API_TOKEN_PREFIX = 'tsk_';

const invalidToken = () => new EngineError('auth.invalid_token', 401, 'the token is invalid, expired or revoked; sign in again');

export function hashApiToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class Authenticator {
  private secret?: Uint8Array;
  private readonly sessions = new TtlCache<AuthSession>(CACHE_MS);
  private readonly actors = new TtlCache<ActorInfo>(CACHE_MS);
  private readonly loading = new Map<string, Promise<AuthSession>>();
  /**
   * Each user's Access, kept while what it is built from stays the same, so caches keyed by Access (list plans,
   * the OpenAPI view) outlive the short session cache. Cleared by invalidate() (users, roles, the Model).
   */
  private readonly accessByUser = new Map<string, { readonly basis: string; readonly access: Access }>();
  /** Bumped by invalidate(): a load that began before it must not put what it read into the cache. */
  private generation = 0;
  private readonly limits: LoginLimits;

  constructor(private readonly o: AuthenticatorOptions) {
    this.limits = new LoginLimits({
      pool: o.pool,
      failuresPerUser: o.loginFailuresPerUser,
      attemptsPerAddress: o.loginAttemptsPerAddress,
    });
  }

  /** Loads (or creates once) the signing secret; every instance on the database shares it. */
  async init(): Promise<void> {
    if (this.o.jwtSecret) {
      this.secret = new TextEncoder().encode(this.o.jwtSecret);
      return;
    }
    const fresh = randomBytes(48).toString('base64url');
    await this.o.pool.query(`INSERT INTO ${SECRET_TABLE} (name, value) VALUES ('jwt', $1) ON CONFLICT (name) DO NOTHING`, [fresh]);
    const res = await this.o.pool.query<{ value: string }>(`SELECT value FROM ${SECRET_TABLE} WHERE name = 'jwt'`);
    this.secret = new TextEncoder().encode(res.rows[0]?.value ?? fresh);
  }

  /** Forget cached actors and sessions (after users, roles or the Model change). */
  invalidate(): void {
    this.actors.clear();
    this.accessByUser.clear();
    this.forgetSessions();
  }

  private accessFor(info: ActorInfo): Access {
    const basis = JSON.stringify(info);
    const known = this.accessByUser.get(info.id);
    if (known?.basis === basis) return known.access;
    const access = buildAccess(info, this.o.accessDeps());
    this.accessByUser.set(info.id, { basis, access });
    return access;
  }

  /** Drops cached and loading sessions; a load already under way will not put its result into the cache. */
  private forgetSessions(): void {
    this.generation++;
    this.sessions.clear();
    this.loading.clear();
  }

  private key(): Uint8Array {
    if (!this.secret) throw new Error('Authenticator.init() was not called');
    return this.secret;
  }

  private async sessionFor(userId: string, tokenKind: AuthSession['tokenKind'], tokenId: string, expiresAt: number): Promise<AuthSession> {
    let info = this.actors.get(userId);
    if (!info) {
      const generation = this.generation;
      info = await loadActorInfo(this.o.pool, this.o.accessDeps().core, userId);
      if (!info) throw invalidToken();
      if (generation === this.generation) this.actors.set(userId, info);
    }
    if (!info.active) throw invalidToken();
    return {
      actor: { id: info.id, username: info.username, orgUnitId: info.orgUnitId, isSystem: false },
      access: this.accessFor(info),
      info,
      tokenKind,
      tokenId,
      expiresAt,
    };
  }

  /** The user's identity and access now, for work done on their behalf (a public form's link they issued). */
  async actingAs(userId: string): Promise<Pick<AuthSession, 'actor' | 'access' | 'info'>> {
    const session = await this.sessionFor(userId, 'session', `acting-as:${userId}`, Number.POSITIVE_INFINITY);
    return { actor: session.actor, access: session.access, info: session.info };
  }

  /**
   * The session of a user another token signed by the engine vouches for (a Cube token exchanged for a session or API
   * token, bi/cube-token.ts): the user must still be active; their Access is built as for their own token.
   */
  async delegatedSession(userId: string, tokenKind: AuthSession['tokenKind'], tokenId: string, expiresAt: number): Promise<AuthSession> {
    if (expiresAt <= Date.now() || !/^[0-9a-f-]{36}$/.test(tokenId)) throw invalidToken();
    // The token it was exchanged for must still be good: a sign-out or a revoked API token ends the delegation too.
    const table = tokenKind === 'api' ? API_TOKEN_TABLE : SESSION_TABLE;
    const res = await this.o.pool.query(
      `SELECT 1 FROM ${table} WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
      [tokenId, userId],
    );
    if (!res.rowCount) throw invalidToken();
    return this.sessionFor(userId, tokenKind, tokenId, expiresAt);
  }

  async authenticate(token: string): Promise<AuthSession> {
    const cached = this.sessions.get(token);
    if (cached && cached.expiresAt > Date.now()) return cached;
    if (cached) {
      this.sessions.delete(token);
      throw invalidToken();
    }
    // When the cached entry lapses, every request in flight with the token would load it at once: share one load.
    const loading = this.loading.get(token);
    if (loading) return loading;
    const generation = this.generation;
    const load = (token.startsWith(API_TOKEN_PREFIX) ? this.checkApiToken(token) : this.checkSessionToken(token))
      .then((session) => {
        if (generation === this.generation) this.sessions.set(token, session);
        return session;
      })
      .finally(() => {
        if (this.loading.get(token) === load) this.loading.delete(token);
      });
    this.loading.set(token, load);
    return load;
  }

  private async checkSessionToken(token: string): Promise<AuthSession> {
    let sub: string | undefined;
    let jti: string | undefined;
    let exp: number | undefined;
    try {
      const { payload } = await jwtVerify(token, this.key(), { issuer: ISSUER, algorithms: ['HS256'] });
      sub = payload.sub;
      jti = payload.jti;
      exp = payload.exp;
    } catch (err) {
      if (err instanceof joseErrors.JOSEError) throw invalidToken();
      throw err;
    }
    if (!sub || !jti || !exp || !/^[0-9a-f-]{36}$/.test(jti)) throw invalidToken();
    const res = await this.o.pool.query(
      `SELECT 1 FROM ${SESSION_TABLE} WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL AND expires_at > now()`,
      [jti, sub],
    );
    if (!res.rowCount) throw invalidToken();
    return this.sessionFor(sub, 'session', jti, exp * 1000);
  }

  private async checkApiToken(token: string): Promise<AuthSession> {
    const res = await this.o.pool.query<{ id: string; user_id: string; expires_at: string | null }>(
      `UPDATE ${API_TOKEN_TABLE} SET last_used_at = now() WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()) RETURNING id, user_id, expires_at`,
      [hashApiToken(token)],
    );
    const row = res.rows[0];
    if (!row) throw invalidToken();
    return this.sessionFor(row.user_id, 'api', row.id, row.expires_at ? Date.parse(row.expires_at) : Number.POSITIVE_INFINITY);
  }

  async login(username: string, password: string, address: string): Promise<{ token: string; expiresAt: string; session: AuthSession }> {
    await this.limits.admit(username, address);
    const { core } = this.o.accessDeps();
    const res = await this.o.pool.query<{ id: string; active: boolean; password_hash: string | null }>(
      `SELECT u.id, u.active, c.password_hash FROM ${q(core.user.table)} u LEFT JOIN ${CREDENTIAL_TABLE} c ON c.user_id = u.id
        WHERE u.username = $1 AND u.deleted_at IS NULL`,
      [username],
    );
    const row = res.rows[0];
    // Verify against a dummy hash for unknown users so the answer takes as long either way.
    const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
    if (!row || !row.password_hash || !ok || !row.active) {
      await this.limits.failed(username);
      throw new EngineError('auth.invalid_credentials', 401, 'wrong username or password');
    }
    await this.limits.succeeded(username);
    const jti = randomUUID();
    const expires = new Date(Date.now() + this.o.tokenTtlSeconds * 1000);
    await this.o.pool.query(`INSERT INTO ${SESSION_TABLE} (id, user_id, expires_at, address) VALUES ($1, $2, $3, $4)`, [
      jti,
      row.id,
      expires,
      address,
    ]);
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setSubject(row.id)
      .setJti(jti)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expires.getTime() / 1000))
      .sign(this.key());
    return { token, expiresAt: expires.toISOString(), session: await this.sessionFor(row.id, 'session', jti, expires.getTime()) };
  }

  async logout(session: AuthSession): Promise<void> {
    if (session.tokenKind === 'session') {
      await this.o.pool.query(`UPDATE ${SESSION_TABLE} SET revoked_at = now() WHERE id = $1`, [session.tokenId]);
    } else {
      await this.o.pool.query(`UPDATE ${API_TOKEN_TABLE} SET revoked_at = now() WHERE id = $1`, [session.tokenId]);
    }
    this.forgetSessions();
  }

  async createApiToken(
    userId: string,
    name: string,
    expiresInDays?: number,
  ): Promise<{ id: string; token: string; expiresAt: string | null }> {
    const token = API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const id = randomUUID();
    const expiresAt = expiresInDays ? new Date(Date.now() + expiresInDays * 86_400_000).toISOString() : null;
    await this.o.pool.query(`INSERT INTO ${API_TOKEN_TABLE} (id, user_id, name, token_hash, expires_at) VALUES ($1, $2, $3, $4, $5)`, [
      id,
      userId,
      name,
      hashApiToken(token),
      expiresAt,
    ]);
    return { id, token, expiresAt };
  }

  async listApiTokens(userId: string): Promise<unknown[]> {
    const res = await this.o.pool.query(
      `SELECT id, name, created_at, expires_at, revoked_at, last_used_at FROM ${API_TOKEN_TABLE} WHERE user_id = $1 ORDER BY created_at`,
      [userId],
    );
    return res.rows;
  }

  async revokeApiToken(userId: string, id: string): Promise<boolean> {
    const res = await this.o.pool.query(
      `UPDATE ${API_TOKEN_TABLE} SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL`,
      [id, userId],
    );
    this.forgetSessions();
    return (res.rowCount ?? 0) > 0;
  }
}
