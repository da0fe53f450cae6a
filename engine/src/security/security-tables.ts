// Tessera's own security tables: outside every pack, never reachable through the generic API.
import type { Knex } from 'knex';

export const SECRET_TABLE = 'tessera_secret';
export const CREDENTIAL_TABLE = 'tessera_credential';
export const SESSION_TABLE = 'tessera_session';
export const API_TOKEN_TABLE = 'tessera_api_token';
/** Shape set by rate-limiter-flexible's PostgreSQL store (see login-limits.ts). */
export const LOGIN_LIMIT_TABLE = 'tessera_login_limit';

export async function ensureSecurityTables(db: Knex): Promise<void> {
  await db.raw(
    `CREATE TABLE IF NOT EXISTS ${LOGIN_LIMIT_TABLE} (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`,
  );
  await db.raw(
    `CREATE TABLE IF NOT EXISTS ${SECRET_TABLE} (name text PRIMARY KEY, value text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
  );
  await db.raw(
    `CREATE TABLE IF NOT EXISTS ${CREDENTIAL_TABLE} (user_id uuid PRIMARY KEY, password_hash text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`,
  );
  await db.raw(`CREATE TABLE IF NOT EXISTS ${SESSION_TABLE} (
    id uuid PRIMARY KEY, user_id uuid NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL, revoked_at timestamptz, address text)`);
  await db.raw(`CREATE INDEX IF NOT EXISTS ${SESSION_TABLE}_user_idx ON ${SESSION_TABLE} (user_id)`);
  await db.raw(`CREATE TABLE IF NOT EXISTS ${API_TOKEN_TABLE} (
    id uuid PRIMARY KEY, user_id uuid NOT NULL, name text NOT NULL, token_hash text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(), expires_at timestamptz, revoked_at timestamptz, last_used_at timestamptz)`);
}
