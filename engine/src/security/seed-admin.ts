// First start: with no credential at all, create the headquarters unit, an admin role and an admin user.
// The password comes from TESSERA_ADMIN_PASSWORD, or is generated and printed once.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { q } from '../sql/q.js';
import type { CoreSchema } from './core-schema.js';
import { setPassword } from './credentials.js';
import { CREDENTIAL_TABLE } from './security-tables.js';

export interface SeedResult {
  readonly seeded: boolean;
  /** Set only when the password was generated here and must be shown to the operator. */
  readonly generatedPassword?: string;
}

export async function seedAdmin(pool: pg.Pool, core: CoreSchema, password: string | undefined): Promise<SeedResult> {
  const existing = await pool.query(`SELECT 1 FROM ${CREDENTIAL_TABLE} LIMIT 1`);
  if (existing.rowCount) return { seeded: false };
  const client = await pool.connect();
  let userId: string;
  try {
    await client.query('BEGIN');
    // Two instances starting together must seed once.
    await client.query('SELECT pg_advisory_xact_lock(7391204512)');
    const again = await client.query(`SELECT 1 FROM ${CREDENTIAL_TABLE} LIMIT 1`);
    if (again.rowCount) {
      await client.query('ROLLBACK');
      return { seeded: false };
    }
    const unit = await client.query<{ id: string }>(`SELECT id FROM ${q(core.orgUnit.table)} WHERE code = 'HQ' AND deleted_at IS NULL`);
    const unitId = unit.rows[0]?.id ?? uuidv7();
    if (!unit.rows[0]) {
      await client.query(
        `INSERT INTO ${q(core.orgUnit.table)} (id, name, code, unit_type) VALUES ($1, 'Headquarters', 'HQ', 'headquarters')`,
        [unitId],
      );
    }
    const role = await client.query<{ id: string }>(`SELECT id FROM ${q(core.role.table)} WHERE code = 'admin' AND deleted_at IS NULL`);
    const roleId = role.rows[0]?.id ?? uuidv7();
    if (!role.rows[0]) {
      await client.query(
        `INSERT INTO ${q(core.role.table)} (id, code, name, grants) VALUES ($1, 'admin', 'Administrator', '{"admin": true}')`,
        [roleId],
      );
    }
    const user = await client.query<{ id: string }>(`SELECT id FROM ${q(core.user.table)} WHERE username = 'admin' AND deleted_at IS NULL`);
    userId = user.rows[0]?.id ?? uuidv7();
    if (!user.rows[0]) {
      await client.query(
        `INSERT INTO ${q(core.user.table)} (id, username, display_name, ${q(core.userOrgUnitColumn)}) VALUES ($1, 'admin', 'Administrator', $2)`,
        [userId, unitId],
      );
    }
    await client.query(
      `INSERT INTO ${q(core.membersTable)} (${q(core.membersRoleColumn)}, ${q(core.membersUserColumn)}) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
      [roleId, userId],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
  const generated = password ? undefined : randomBytes(12).toString('base64url');
  await setPassword(pool, userId, password ?? generated);
  return { seeded: true, ...(generated ? { generatedPassword: generated } : {}) };
}

/** Tells whoever started the first instance how to sign in; a generated password is shown once, on the terminal. */
export function announceAdminSeed(seed: SeedResult, log: { info(msg: string): void }, write: (text: string) => void): void {
  if (seed.generatedPassword) {
    write(
      `\nTessera created the administrator account.\n  username: admin\n  password: ${seed.generatedPassword}\nChange it after signing in (PUT /api/auth/password).\n\n`,
    );
  } else if (seed.seeded) {
    log.info('administrator account created with TESSERA_ADMIN_PASSWORD');
  }
}
