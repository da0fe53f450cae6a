// Passwords live in Tessera's own credential table, never in an entity the generic API could expose.
import type pg from 'pg';
import { CREDENTIAL_TABLE, SESSION_TABLE } from './security-tables.js';
import { checkPasswordPolicy, hashPassword } from './password.js';

/** Sets a user's password and ends their other sessions (a changed password logs out everywhere else). */
export async function setPassword(pool: pg.Pool, userId: string, password: unknown, keepSession?: string): Promise<void> {
  const hash = await hashPassword(checkPasswordPolicy(password));
  await pool.query(
    `INSERT INTO ${CREDENTIAL_TABLE} (user_id, password_hash) VALUES ($1, $2)
     ON CONFLICT (user_id) DO UPDATE SET password_hash = EXCLUDED.password_hash, updated_at = now()`,
    [userId, hash],
  );
  await pool.query(
    `UPDATE ${SESSION_TABLE} SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL AND id IS DISTINCT FROM $2::uuid`,
    [userId, keepSession ?? null],
  );
}
