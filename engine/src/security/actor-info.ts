// Who a user is for access decisions: org unit, the org units below it, everyone below them in the
// manager chain, and their roles' grants. Loaded with a few indexed queries and cached briefly.
import type pg from 'pg';
import { q } from '../sql/q.js';
import type { CoreSchema } from './core-schema.js';
import { parseGrants, type Grants } from './grants.js';

export interface ActorInfo {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly active: boolean;
  readonly orgUnitId: string | null;
  readonly managerId: string | null;
  readonly roles: ReadonlyArray<{ readonly code: string; readonly grants: Grants }>;
  /** The user and everyone whose manager chain leads to them. */
  readonly subordinateIds: readonly string[];
  /** The user's org unit and every unit below it. */
  readonly orgUnitIds: readonly string[];
}

export async function loadActorInfo(pool: pg.Pool, core: CoreSchema, userId: string): Promise<ActorInfo | undefined> {
  const u = core.user;
  const users = await pool.query<{
    id: string;
    username: string;
    display_name: string;
    active: boolean;
    org_unit: string | null;
    manager: string | null;
  }>(
    `SELECT id, username, display_name, active, ${q(core.userOrgUnitColumn)} AS org_unit, ${q(core.userManagerColumn)} AS manager
       FROM ${q(u.table)} WHERE id = $1 AND deleted_at IS NULL`,
    [userId],
  );
  const user = users.rows[0];
  if (!user) return undefined;
  const [roles, subs, units] = await Promise.all([
    pool.query<{ code: string; grants: unknown }>(
      `SELECT r.code, r.grants FROM ${q(core.role.table)} r JOIN ${q(core.membersTable)} m ON m.${q(core.membersRoleColumn)} = r.id
        WHERE m.${q(core.membersUserColumn)} = $1 AND r.deleted_at IS NULL ORDER BY r.code`,
      [userId],
    ),
    // UNION (not UNION ALL) stops at users already seen, so a cycle in the manager chain ends.
    pool.query<{ id: string }>(
      `WITH RECURSIVE sub(id) AS (SELECT $1::uuid UNION SELECT x.id FROM ${q(u.table)} x JOIN sub ON x.${q(core.userManagerColumn)} = sub.id WHERE x.deleted_at IS NULL)
       SELECT id FROM sub`,
      [userId],
    ),
    user.org_unit
      ? pool.query<{ id: string }>(
          `WITH RECURSIVE units(id) AS (SELECT $1::uuid UNION SELECT o.id FROM ${q(core.orgUnit.table)} o JOIN units ON o.${q(core.orgUnitParentColumn)} = units.id WHERE o.deleted_at IS NULL)
         SELECT id FROM units`,
          [user.org_unit],
        )
      : Promise.resolve({ rows: [] as Array<{ id: string }> }),
  ]);
  return {
    id: user.id,
    username: user.username,
    displayName: user.display_name,
    active: user.active,
    orgUnitId: user.org_unit,
    managerId: user.manager,
    roles: roles.rows.map((r) => ({ code: r.code, grants: parseGrants(r.grants) })),
    subordinateIds: subs.rows.map((r) => r.id),
    orgUnitIds: units.rows.map((r) => r.id),
  };
}
