// Standing delegations: while away, a user lets another act on their approval tasks between two dates (both
// included). The tasks stay theirs; the delegate sees them in their inbox and may decide them, and history names
// both. Managed by the user at /api/v1/me/delegations.
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { CoreSchema } from '../security/core-schema.js';
import { q } from '../sql/q.js';
import { DELEGATION_TABLE } from './approval-tables.js';
import { approvalError } from './errors.js';

export interface DelegationInput {
  readonly to: string;
  readonly from: string;
  readonly until: string;
  readonly comment?: string;
}

const COLUMNS = `d.id, d.delegate_id AS "to", u.username AS "toName", to_char(d.valid_from, 'YYYY-MM-DD') AS "from",
  to_char(d.valid_until, 'YYYY-MM-DD') AS "until", d.comment, d.created_at AS "createdAt"`;

export async function listDelegations(pool: pg.Pool, core: CoreSchema, userId: string) {
  const res = await pool.query(
    `SELECT ${COLUMNS} FROM ${DELEGATION_TABLE} d LEFT JOIN ${q(core.user.table)} u ON u.id = d.delegate_id
      WHERE d.user_id = $1 AND d.valid_until >= current_date ORDER BY d.valid_from, d.id`,
    [userId],
  );
  return res.rows;
}

export async function createDelegation(pool: pg.Pool, core: CoreSchema, userId: string, input: DelegationInput) {
  if (input.to === userId) throw approvalError('approval.invalid_delegation', 'you cannot delegate to yourself', { pointer: '/to' });
  if (input.from > input.until) throw approvalError('approval.invalid_delegation', "'until' is before 'from'", { pointer: '/until' });
  const id = uuidv7();
  const res = await pool.query(
    `WITH ins AS (INSERT INTO ${DELEGATION_TABLE} (id, user_id, delegate_id, valid_from, valid_until, comment)
       SELECT $1, $2, u.id, $4::date, $5::date, $6 FROM ${q(core.user.table)} u WHERE u.id = $3 AND u.deleted_at IS NULL AND u.active
       RETURNING *)
     SELECT ${COLUMNS} FROM ins d JOIN ${q(core.user.table)} u ON u.id = d.delegate_id`,
    [id, userId, input.to, input.from, input.until, input.comment ?? null],
  );
  if (!res.rows[0]) throw approvalError('approval.invalid_user', `${input.to} is not an active user`, { pointer: '/to' });
  return res.rows[0];
}

export async function deleteDelegation(pool: pg.Pool, userId: string, id: string): Promise<void> {
  const res = await pool.query(`DELETE FROM ${DELEGATION_TABLE} WHERE id = $1 AND user_id = $2`, [id, userId]);
  if (!res.rowCount) throw approvalError('approval.delegation_not_found', `you have no delegation ${id}`);
}
