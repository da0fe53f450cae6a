// What the assignment code derives once from an entity's assignment block: each rule's condition as a memory
// predicate, the owner and activity columns, the open-record condition as SQL, and the SQL that finds a rule's
// users (with their open-record counts when the strategy or the cap needs them). Cached per EntityDef: a Model
// never changes, a new one brings new EntityDefs. Used by the write steps (assign-owner.ts) and the pool.
import type { AssignmentDef, AssignmentRuleDef, AssignmentTarget } from '../metadata/assignment.js';
import type { EntityDef, Model } from '../metadata/model.js';
import { SYSTEM_COLUMNS } from '../metadata/system-columns.js';
import { compileConditionSql } from '../rules/compile-condition-sql.js';
import { compileConditionMemory, type ConditionPredicate } from '../rules/evaluate-condition.js';
import { ownFieldContext } from '../rules/own-field-context.js';
import { resolveCoreSchema } from '../security/core-schema.js';
import { EngineError } from '../shared/engine-error.js';
import type { Sql } from '../db/transaction.js';
import { q } from '../sql/q.js';
import { SqlParams } from '../sql/sql-params.js';
import type { ModelRuntime } from './entity-runtime.js';

export interface AssignmentRule {
  readonly def: AssignmentRuleDef;
  readonly matches: ConditionPredicate;
}

export interface Candidate {
  readonly id: string;
  /** Live open records the user owns; 0 when not counted. */
  readonly open: number;
}

export interface AssignmentRuntime {
  readonly entity: EntityDef;
  readonly def: AssignmentDef;
  readonly rules: readonly AssignmentRule[];
  /** SQL condition: the record under `alias` counts as open (TRUE when the cap says nothing). */
  openSql(alias: string, params: SqlParams): string;
  /** Active users of the target, ordered by id (the round-robin order); counted when `count` is set. */
  candidates(sql: Sql, target: AssignmentTarget, count: boolean): Promise<Candidate[]>;
  /** Live open records `userId` owns. */
  openCount(sql: Sql, userId: string): Promise<number>;
}

/** The column a field stores its value in; a missing one is a broken invariant of a checked Model. */
function columnOf(entity: EntityDef, field: string): string {
  const col = entity.fields.find((f) => f.name === field)?.columns[0]?.name ?? SYSTEM_COLUMNS.find((c) => c.name === field)?.name;
  if (!col) throw new EngineError('assignment.broken_model', 500, `${entity.name} has no column for '${field}'`);
  return col;
}

/** Owner and activity columns: all that returning stale records to the pool needs, so the CLI needs no runtime. */
export function poolColumns(entity: EntityDef): { owner: string; activity: string } {
  const def = entity.assignment;
  if (!def) throw new EngineError('assignment.not_configured', 404, `${entity.name} has no assignment rules`);
  return { owner: columnOf(entity, def.ownerField), activity: columnOf(entity, def.pool.activityField) };
}

function targetSql(model: Model, target: AssignmentTarget, params: SqlParams): string {
  const core = resolveCoreSchema(model);
  if ('users' in target) return `u.${q(columnOf(core.user, 'username'))} = ANY(${params.add([...target.users], 'text[]')})`;
  if ('role' in target) {
    return `EXISTS (SELECT 1 FROM ${q(core.membersTable)} m JOIN ${q(core.role.table)} r ON r.id = m.${q(core.membersRoleColumn)}
      WHERE m.${q(core.membersUserColumn)} = u.id AND r.deleted_at IS NULL AND r.${q(columnOf(core.role, 'code'))} = ${params.add(target.role, 'text')})`;
  }
  // A code names one unit; a name is taken only when no unit has that code (names need not be unique: all count).
  const ou = core.orgUnit.table;
  const code = q(columnOf(core.orgUnit, 'code'));
  const name = q(columnOf(core.orgUnit, 'name'));
  const value = params.add(target.orgUnit, 'text');
  return `u.${q(core.userOrgUnitColumn)} IN (SELECT o.id FROM ${q(ou)} o WHERE o.deleted_at IS NULL AND (o.${code} = ${value}
    OR (o.${name} = ${value} AND NOT EXISTS (SELECT 1 FROM ${q(ou)} c WHERE c.deleted_at IS NULL AND c.${code} = ${value}))))`;
}

function build(entity: EntityDef, def: AssignmentDef, runtime: ModelRuntime): AssignmentRuntime {
  const rules = { kinds: runtime.kinds, operators: runtime.operators };
  const memory = ownFieldContext(entity, rules, { param: () => 'NULL', what: 'an assignment condition' });
  const owner = q(columnOf(entity, def.ownerField));
  const user = resolveCoreSchema(runtime.model).user;
  const active = user.fields.some((f) => f.name === 'active') ? ` AND u.${q(columnOf(user, 'active'))} IS TRUE` : '';
  const openSql = (alias: string, params: SqlParams): string => {
    const openWhen = def.cap?.openWhen;
    if (openWhen === undefined) return 'TRUE';
    return compileConditionSql(openWhen, ownFieldContext(entity, rules, { alias, param: (v) => params.add(v), what: '' }), runtime.operators);
  };
  const openRecords = (params: SqlParams, userSql: string) =>
    `(SELECT count(*) FROM ${q(entity.table)} t WHERE t.${owner} = ${userSql} AND t.deleted_at IS NULL AND ${openSql('t', params)})`;
  return {
    entity,
    def,
    rules: def.rules.map((r) => ({ def: r, matches: r.when === undefined ? () => true : compileConditionMemory(r.when, memory, runtime.operators) })),
    openSql,
    async candidates(sql, target, count) {
      const params = new SqlParams();
      const where = targetSql(runtime.model, target, params);
      const load = count ? `${openRecords(params, 'u.id')}::int` : '0';
      const res = await sql.query<{ id: string; open: number }>(
        `SELECT u.id::text AS id, ${load} AS open FROM ${q(user.table)} u WHERE u.deleted_at IS NULL${active} AND ${where} ORDER BY u.id`,
        params.values,
      );
      return res.rows;
    },
    async openCount(sql, userId) {
      const params = new SqlParams();
      const res = await sql.query<{ open: number }>(`SELECT ${openRecords(params, params.add(userId, 'uuid'))}::int AS open`, params.values);
      return res.rows[0]?.open ?? 0;
    },
  };
}

const cache = new WeakMap<EntityDef, AssignmentRuntime>();

/** The entity's assignment runtime, or undefined when it has no assignment block. */
export function assignmentRuntime(entity: EntityDef, runtime: ModelRuntime): AssignmentRuntime | undefined {
  const def = entity.assignment;
  if (!def) return undefined;
  let found = cache.get(entity);
  if (!found) {
    found = build(entity, def, runtime);
    cache.set(entity, found);
  }
  return found;
}
