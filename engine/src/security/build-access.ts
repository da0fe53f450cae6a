// An actor's roles -> the Access the data layer consults: per entity and action, whether it is granted,
// which rows (scope conditions OR'ed across roles, plus sharing rules; never beyond the read scope), and
// which fields are hidden or read-only (the most permissive role wins). Built once per actor, cached with it.
import type { FieldKindRegistry } from '../metadata/field-kinds.js';
import type { EntityDef, Model } from '../metadata/model.js';
import { q } from '../sql/q.js';
import type { OperatorRegistry } from '../rules/operator-registry.js';
import { compileConditionSql, type SqlCompileContext } from '../rules/compile-condition-sql.js';
import { AliasCounter, PathResolver } from '../query/path-resolver.js';
import type { ParamSink, RecordScope } from '../query/record-scope.js';
import { UNRESTRICTED_SCOPE } from '../query/record-scope.js';
import type { Access, FieldAccess, RecordAction } from './access.js';
import type { ActorInfo } from './actor-info.js';
import type { CoreSchema } from './core-schema.js';
import type { EntityGrant, Grants, ScopeKind } from './grants.js';
import { bindUser } from './bind-user.js';
import { SqlParams } from '../sql/sql-params.js';
import { isEngineError, type FieldError, problemsOf } from '../shared/engine-error.js';

export interface AccessDeps {
  readonly model: Model;
  readonly core: CoreSchema;
  readonly kinds: FieldKindRegistry;
  readonly operators: OperatorRegistry;
  readonly operatorsFor: (kind: string) => readonly string[];
}

const ADMIN_WRITES = new Set(['create', 'update', 'delete']);

function entryFor(grants: Grants, entity: string): EntityGrant | undefined {
  const entries = grants.entities ?? {};
  // An entity may be called 'constructor'; only the document's own keys count.
  return Object.hasOwn(entries, entity) ? entries[entity] : Object.hasOwn(entries, '*') ? entries['*'] : undefined;
}

type Condition = (entity: EntityDef, alias: string, params: ParamSink) => string | undefined;

function ownerColumn(entity: EntityDef, role: 'ownerField' | 'orgUnitField'): string | undefined {
  const name = entity.ownership?.[role];
  return name ? entity.fields.find((f) => f.name === name)?.columns[0]?.name : undefined;
}

/** A chain of parents longer than this reaches nothing (metadata keeps chains short; this stops a cycle). */
const MAX_PARENT_DEPTH = 4;

/**
 * The rows one scope reaches; 'all' is undefined (no condition), a scope the entity cannot express is FALSE. A
 * record controlled by its parent (`ownership.parentField`) is reached when its parent is.
 */
function scopeCondition(kind: ScopeKind, actor: ActorInfo, core: CoreSchema, model: Model, depth = 0): Condition {
  return (entity, a, params) => {
    if (kind === 'all') return undefined;
    const parentField = entity.ownership?.parentField;
    if (parentField) {
      const field = entity.fields.find((f) => f.name === parentField);
      const parent = field?.target ? model.entitiesByName[field.target] : undefined;
      const column = field?.columns[0]?.name;
      if (!parent || !column || depth >= MAX_PARENT_DEPTH) return 'FALSE';
      const p = `${a}_p`;
      const inner = scopeCondition(kind, actor, core, model, depth + 1)(parent, p, params);
      return `${a}.${q(column)} IN (SELECT ${p}.id FROM ${q(parent.table)} ${p} WHERE ${p}.deleted_at IS NULL${inner ? ` AND (${inner})` : ''})`;
    }
    const owner = ownerColumn(entity, 'ownerField');
    const unit = ownerColumn(entity, 'orgUnitField');
    const isUser = entity.name === core.user.name;
    const isUnit = entity.name === core.orgUnit.name;
    const byOwnerUnit = (units: string) =>
      `${a}.${q(owner ?? '')} IN (SELECT u.id FROM ${q(core.user.table)} u WHERE u.${q(core.userOrgUnitColumn)} = ANY(${units}))`;
    switch (kind) {
      case 'own':
        if (owner) return `${a}.${q(owner)} = ${params.add(actor.id, 'uuid')}`;
        return isUser ? `${a}.id = ${params.add(actor.id, 'uuid')}` : 'FALSE';
      case 'subordinates':
        if (owner) return `${a}.${q(owner)} = ANY(${params.add(actor.subordinateIds, 'uuid[]')})`;
        return isUser ? `${a}.id = ANY(${params.add(actor.subordinateIds, 'uuid[]')})` : 'FALSE';
      case 'orgUnit':
      case 'orgUnitAndBelow': {
        const ids = kind === 'orgUnit' ? (actor.orgUnitId ? [actor.orgUnitId] : []) : actor.orgUnitIds;
        if (unit) return `${a}.${q(unit)} = ANY(${params.add(ids, 'uuid[]')})`;
        if (isUnit) return `${a}.id = ANY(${params.add(ids, 'uuid[]')})`;
        if (isUser) return `${a}.${q(core.userOrgUnitColumn)} = ANY(${params.add(ids, 'uuid[]')})`;
        if (owner) return byOwnerUnit(params.add(ids, 'uuid[]'));
        return 'FALSE';
      }
    }
  };
}

/** Sharing rules are admin-written conditions over the record's own fields and collections. */
function sharingCondition(
  rule: unknown,
  actor: ActorInfo,
  deps: Pick<AccessDeps, 'model' | 'kinds' | 'operators' | 'operatorsFor'>,
): Condition {
  const bound = bindUser(rule, actor);
  return (entity, alias, params) => {
    const resolver = new PathResolver({
      model: deps.model,
      kinds: deps.kinds,
      operatorsFor: deps.operatorsFor,
      entity,
      alias,
      params,
      readScope: UNRESTRICTED_SCOPE,
      isHidden: () => false,
      aliases: new AliasCounter(),
    });
    const context = (r: PathResolver): SqlCompileContext => ({
      resolveVar: (path, pointer) => r.resolve(path, pointer),
      resolveCollection: (path, pointer) => {
        const c = r.collection(path, pointer);
        return { open: c.open, close: c.close, path: c.path, context: context(r.nested(c.entity, `${c.alias}`)) };
      },
      param: (value) => params.add(value),
    });
    return compileConditionSql(bound, context(resolver), deps.operators);
  };
}

/** A stand-in caller with every `$user.*` value, so a rule compiles as it would for any real member. */
const PROBE_ACTOR: ActorInfo = {
  id: '00000000-0000-0000-0000-000000000000',
  username: 'probe',
  displayName: 'probe',
  active: true,
  orgUnitId: '00000000-0000-0000-0000-000000000000',
  managerId: null,
  roles: [],
  subordinateIds: [],
  orgUnitIds: [],
};

/**
 * Compiles a role's sharing rules as reads would, so a rule naming an unknown field or using an operator its
 * kind does not allow is refused when the role is saved, not on every later read by its members.
 */
export function sharingRuleErrors(
  grants: Grants,
  deps: Pick<AccessDeps, 'model' | 'kinds' | 'operators' | 'operatorsFor'>,
  pointerPrefix: string,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const [name, grant] of Object.entries(grants.entities ?? {})) {
    const targets =
      name === '*' ? deps.model.entities : Object.hasOwn(deps.model.entitiesByName, name) ? [deps.model.entitiesByName[name]] : [];
    (grant.sharing ?? []).forEach((rule, i) => {
      for (const entity of targets) {
        if (!entity) continue;
        try {
          sharingCondition(rule, PROBE_ACTOR, deps)(entity, 't0', new SqlParams());
        } catch (err) {
          if (!isEngineError(err)) throw err;
          const at = `${pointerPrefix}/entities/${name}/sharing/${i}`;
          const found = problemsOf(err);
          errors.push(
            ...found.map((e) => ({
              pointer: at + e.pointer,
              code: e.code,
              message: name === '*' ? `${e.message} (on ${entity.name})` : e.message,
            })),
          );
          return;
        }
      }
    });
  }
  return errors;
}

/** Rows within both scopes. */
function intersectScopes(a: RecordScope, b: RecordScope): RecordScope {
  return (entity, alias, params) => {
    const x = a(entity, alias, params);
    const y = b(entity, alias, params);
    if (x === undefined || x === y) return y;
    if (y === undefined) return x;
    return `(${x}) AND (${y})`;
  };
}

export function buildAccess(actor: ActorInfo, deps: AccessDeps): Access {
  // Users and roles decide what everyone may do: only administrators write them, whatever a role says.
  const adminOnly = new Set([deps.core.user.name, deps.core.role.name]);
  const isAdmin = actor.active && actor.roles.some((r) => r.grants.admin === true);
  // Per role, the entity's own entry replaces "*": a default must not undo the role's own rules for it.
  const grantsFor = (entity: string): EntityGrant[] =>
    actor.active ? actor.roles.map((r) => entryFor(r.grants, entity)).filter((g): g is EntityGrant => g !== undefined) : [];
  const scopes = new Map<string, RecordScope>();
  const fieldLevels = new Map<string, FieldAccess>();

  const grantedScope = (action: RecordAction): RecordScope => {
    if (isAdmin) return UNRESTRICTED_SCOPE;
    let scope = scopes.get(action);
    if (!scope) {
      const perEntity = new Map<string, Condition[] | null>();
      scope = (entity, alias, params) => {
        let conditions = perEntity.get(entity.name);
        if (conditions === undefined) {
          const grants = grantsFor(entity.name).filter((g) => g.actions.includes(action));
          conditions = grants.some((g) => g.scope === 'all')
            ? null
            : grants.flatMap((g) => [
                scopeCondition(g.scope, actor, deps.core, deps.model),
                ...(g.sharing ?? []).map((rule) => sharingCondition(rule, actor, deps)),
              ]);
          perEntity.set(entity.name, conditions);
        }
        if (conditions === null) return undefined;
        if (conditions.length === 0) return 'FALSE';
        const parts = conditions.map((c) => c(entity, alias, params) ?? 'TRUE');
        return parts.length === 1 ? (parts[0] as string) : parts.map((p) => `(${p})`).join(' OR ');
      };
      scopes.set(action, scope);
    }
    return scope;
  };
  const readScope = grantedScope('read');
  // Writes, deletes, exports and actions answer with the record: a wider grant for them must not reach rows
  // the caller cannot read, so their scope is always within the read scope.
  const bounded = new Map<RecordAction, RecordScope>();
  const scopeFor = (action: RecordAction): RecordScope => {
    if (action === 'read' || isAdmin) return readScope;
    let scope = bounded.get(action);
    if (!scope) {
      const granted = grantedScope(action);
      const both = intersectScopes(granted, readScope);
      // Where the same grants give the action and read (the usual case), the granted scope alone says it.
      const sameGrants = new Map<string, boolean>();
      scope = (entity, alias, params) => {
        let same = sameGrants.get(entity.name);
        if (same === undefined) {
          same = grantsFor(entity.name).every((g) => g.actions.includes(action) === g.actions.includes('read'));
          sameGrants.set(entity.name, same);
        }
        return (same ? granted : both)(entity, alias, params);
      };
      bounded.set(action, scope);
    }
    return scope;
  };

  return {
    isAdmin,
    roleCodes: new Set(actor.active ? actor.roles.map((r) => r.code) : []),
    readScope,
    scopeFor,
    can: (entity, action) =>
      isAdmin || (!(ADMIN_WRITES.has(action) && adminOnly.has(entity)) && grantsFor(entity).some((g) => g.actions.includes(action))),
    field(entity, field) {
      if (isAdmin) return 'write';
      const key = `${entity}.${field}`;
      let level = fieldLevels.get(key);
      if (!level) {
        const grants = grantsFor(entity);
        // Visible if a reading grant shows it; writable only if a writing grant leaves it without a rule.
        const visible = grants.some((g) => g.actions.includes('read') && g.fields?.[field] !== 'hidden');
        const writable = grants.some(
          (g) => (g.actions.includes('create') || g.actions.includes('update')) && g.fields?.[field] === undefined,
        );
        level = !visible ? 'hidden' : writable ? 'write' : 'readOnly';
        fieldLevels.set(key, level);
      }
      return level;
    },
  };
}
