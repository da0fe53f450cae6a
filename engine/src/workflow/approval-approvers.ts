// Who approves a step, resolved from data when the flow enters it: members of a role (by code), the user in a
// field of the record, the record owner's managers up the chain. Only live, active users count; each spec that
// finds nobody is reported, so a submit can refuse with a clear error and write nothing. Built as one SQL
// expression over the record row `t`, so the flow judges the next steps' conditions and resolves their approvers
// in the same statement (approval-service.ts).
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

/** A json array of [spec index, user id] pairs for the specs, over the record row `t`; role codes are bound in `params`. */
export function approversSql(core: CoreSchema, entity: EntityDef, specs: readonly ApproverSpec[], params: SqlParams): string {
  const users = q(core.user.table);
  const manager = q(core.userManagerColumn);
  const parts = specs.map((spec, i) => {
    if ('role' in spec) {
      return `SELECT ${i} AS spec, 0 AS depth, m.${q(core.membersUserColumn)} AS id FROM ${q(core.role.table)} r
        JOIN ${q(core.membersTable)} m ON m.${q(core.membersRoleColumn)} = r.id
        WHERE r.code = ${params.add(spec.role, 'text')} AND r.deleted_at IS NULL`;
    }
    if ('field' in spec) return `SELECT ${i} AS spec, 0 AS depth, t.${q(column(entity, spec.field))} AS id`;
    const owner = column(entity, entity.ownership?.ownerField ?? '');
    // The depth bound ends the walk, a cycle in the manager chain included.
    return `(WITH RECURSIVE chain(id, depth) AS (
        SELECT u.${manager}, 1 FROM ${users} u WHERE u.id = t.${q(owner)}
        UNION ALL SELECT u.${manager}, c.depth + 1 FROM chain c JOIN ${users} u ON u.id = c.id WHERE c.depth < ${Number(spec.managers)})
      SELECT ${i} AS spec, depth, id FROM chain)`;
  });
  return `(SELECT coalesce(json_agg(json_build_array(a.spec, a.id) ORDER BY a.spec, a.depth, a.id), '[]'::json)
    FROM (${parts.join(' UNION ALL ')}) a JOIN ${users} u ON u.id = a.id WHERE u.deleted_at IS NULL AND u.active)`;
}

/** The users an `approversSql` value names, and the specs that named nobody. */
export function readApprovers(value: unknown, specs: readonly ApproverSpec[]): ResolvedApprovers {
  const pairs = Array.isArray(value) ? (value as Array<[number, string]>) : [];
  const found = new Set(pairs.map(([spec]) => spec));
  return { users: [...new Set(pairs.map(([, id]) => id))], empty: specs.filter((_, i) => !found.has(i)) };
}

export async function resolveApprovers(
  sql: Sql,
  core: CoreSchema,
  entity: EntityDef,
  recordId: string,
  specs: readonly ApproverSpec[],
): Promise<ResolvedApprovers> {
  const params = new SqlParams([recordId]);
  const expr = approversSql(core, entity, specs, params);
  const res = await sql.query<{ a: unknown }>(`SELECT ${expr} AS a FROM ${q(entity.table)} t WHERE t.id = $1`, params.values);
  return readApprovers(res.rows[0]?.a, specs);
}
