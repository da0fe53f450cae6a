// Who approves a step, resolved from data when the flow enters it: members of a role (by code), the user in a
// field of the record, the record owner's managers up the chain. Only live, active users count; each spec that
// finds nobody is reported, so a submit can refuse with a clear error and write nothing. One statement for all specs.
import type { Sql } from '../db/transaction.js';
import type { ApproverSpec } from '../metadata/approval-flow.js';
import type { EntityDef } from '../metadata/model.js';
import type { CoreSchema } from '../security/core-schema.js';
import { q } from '../sql/q.js';
import { SqlParams } from '../sql/sql-params.js';

export interface ResolvedApprovers {
  /** Distinct user ids, in the order the specs name them. */
  readonly users: readonly string[];
  /** The specs that found no active user. */
  readonly empty: readonly ApproverSpec[];
}

const column = (entity: EntityDef, field: string): string => {
  const name = entity.fields.find((f) => f.name === field)?.columns[0]?.name;
  // The metadata checks (check-approval-flows.ts) make this unreachable for a served Model.
  if (!name) throw new Error(`${entity.name}.${field} has no column`);
  return name;
};

export function describeApprover(spec: ApproverSpec): string {
  if ('role' in spec) return `role '${spec.role}'`;
  if ('field' in spec) return `the user in '${spec.field}'`;
  return `the owner's managers (${spec.managers} level${spec.managers === 1 ? '' : 's'})`;
}

export async function resolveApprovers(sql: Sql, core: CoreSchema, entity: EntityDef, recordId: string, specs: readonly ApproverSpec[]): Promise<ResolvedApprovers> {
  const params = new SqlParams();
  // Bound only when a spec reads the record: an unused parameter has no type PostgreSQL could infer.
  let bound: string | undefined;
  const rec = (): string => (bound ??= params.add(recordId, 'uuid'));
  const users = q(core.user.table);
  const manager = q(core.userManagerColumn);
  const parts = specs.map((spec, i) => {
    if ('role' in spec) {
      return `SELECT ${i} AS spec, 0 AS depth, m.${q(core.membersUserColumn)} AS id FROM ${q(core.role.table)} r
        JOIN ${q(core.membersTable)} m ON m.${q(core.membersRoleColumn)} = r.id
        WHERE r.code = ${params.add(spec.role, 'text')} AND r.deleted_at IS NULL`;
    }
    if ('field' in spec) {
      return `SELECT ${i} AS spec, 0 AS depth, t.${q(column(entity, spec.field))} AS id FROM ${q(entity.table)} t WHERE t.id = ${rec()}`;
    }
    const owner = column(entity, entity.ownership?.ownerField ?? '');
    // The depth bound ends the walk, a cycle in the manager chain included.
    return `(WITH RECURSIVE chain(id, depth) AS (
        SELECT u.${manager}, 1 FROM ${users} u WHERE u.id = (SELECT t.${q(owner)} FROM ${q(entity.table)} t WHERE t.id = ${rec()})
        UNION SELECT u.${manager}, c.depth + 1 FROM chain c JOIN ${users} u ON u.id = c.id WHERE c.depth < ${params.add(spec.managers, 'int')})
      SELECT ${i} AS spec, depth, id FROM chain)`;
  });
  const res = await sql.query<{ spec: number; id: string }>(
    `SELECT a.spec, a.id FROM (${parts.join(' UNION ALL ')}) a JOIN ${users} u ON u.id = a.id
      WHERE u.deleted_at IS NULL AND u.active ORDER BY a.spec, a.depth, a.id`,
    params.values,
  );
  const found = new Set(res.rows.map((r) => r.spec));
  return {
    users: [...new Set(res.rows.map((r) => r.id))],
    empty: specs.filter((_, i) => !found.has(i)),
  };
}
