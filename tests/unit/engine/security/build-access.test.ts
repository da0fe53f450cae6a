// buildAccess(actor, deps) is pure: roles -> per entity and action whether it is granted, which rows (SQL
// conditions with bound parameters; no database) and which fields. Packs: core + api-demo + security-demo,
// whose entities are owned by a user (deal), by an org unit (contract), by both (account) or by nobody (tag).
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../../../engine/src/metadata/load-model.js';
import type { EntityDef } from '../../../../engine/src/metadata/model.js';
import type { RecordScope } from '../../../../engine/src/query/record-scope.js';
import { kindOperators } from '../../../../engine/src/rules/kind-operators.js';
import { hiddenFieldNames, type Access } from '../../../../engine/src/security/access.js';
import type { ActorInfo } from '../../../../engine/src/security/actor-info.js';
import { buildAccess, type AccessDeps } from '../../../../engine/src/security/build-access.js';
import { resolveCoreSchema } from '../../../../engine/src/security/core-schema.js';
import type { EntityGrant, Grants } from '../../../../engine/src/security/grants.js';
import { EngineError } from '../../../../engine/src/shared/engine-error.js';
import { SqlParams } from '../../../../engine/src/sql/sql-params.js';
import { BUILTIN_RULES } from '../../../support/builtin-rules.js';

const model = loadModel(
  ['metadata/packs/core', 'tests/fixtures/packs/api-demo', 'tests/fixtures/packs/security-demo'].map((d) => resolve(d)),
  { kinds: BUILTIN_RULES.kinds },
);
const allowed = kindOperators(BUILTIN_RULES);
const deps: AccessDeps = {
  model,
  core: resolveCoreSchema(model),
  kinds: BUILTIN_RULES.kinds,
  operators: BUILTIN_RULES.operators,
  operatorsFor: (kind) => allowed.get(kind) ?? [],
};

function entity(name: string): EntityDef {
  const e = model.entitiesByName[name];
  if (!e) throw new Error(`no entity ${name} in the test model`);
  return e;
}

const ME = '00000000-0000-4000-8000-000000000001';
const REPORT = '00000000-0000-4000-8000-000000000002';
const UNIT = '00000000-0000-4000-8000-0000000000a1';
const SUB_UNIT = '00000000-0000-4000-8000-0000000000a2';

function actorWith(roles: readonly Grants[], over: Partial<ActorInfo> = {}): ActorInfo {
  return {
    id: ME,
    username: 'bob',
    displayName: 'Bob',
    active: true,
    orgUnitId: UNIT,
    managerId: null,
    subordinateIds: [ME, REPORT],
    orgUnitIds: [UNIT, SUB_UNIT],
    roles: roles.map((grants, i) => ({ code: `role_${i}`, grants })),
    ...over,
  };
}

const role = (entities: Record<string, EntityGrant>): Grants => ({ entities });
const accessOf = (roles: readonly Grants[], over: Partial<ActorInfo> = {}): Access => buildAccess(actorWith(roles, over), deps);

/** The condition a scope gives on alias `t` of the entity, with the values it bound. */
function sqlOf(scope: RecordScope, entityName: string, params = new SqlParams()): { sql: string | undefined; values: unknown[] } {
  return { sql: scope(entity(entityName), 't', params), values: params.values };
}

function thrown(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (err) {
    if (err instanceof EngineError) return err;
    throw err;
  }
  throw new Error('expected an EngineError');
}

describe('buildAccess: actions per entity', () => {
  it('grants the actions a role lists for the entity, and nothing for entities it does not name', () => {
    const access = accessOf([role({ deal: { actions: ['read', 'update'], scope: 'own' } })]);
    expect(['read', 'create', 'update', 'delete', 'export', 'approve'].filter((a) => access.can('deal', a))).toEqual(['read', 'update']);
    expect(access.can('account', 'read')).toBe(false);
    expect(access.isAdmin).toBe(false);
  });

  it('unions the actions of every role', () => {
    const access = accessOf([
      role({ deal: { actions: ['read'], scope: 'all' } }),
      role({ deal: { actions: ['export', 'close_deal'], scope: 'own' } }),
    ]);
    expect(['read', 'update', 'export', 'close_deal'].filter((a) => access.can('deal', a))).toEqual(['read', 'export', 'close_deal']);
  });

  it("applies '*' to every entity the role does not name, and the entity's own entry replaces it", () => {
    const access = accessOf([role({ '*': { actions: ['read', 'export'], scope: 'all' }, deal: { actions: ['read'], scope: 'own' } })]);
    expect(access.can('account', 'export')).toBe(true);
    expect(access.can('contract', 'read')).toBe(true);
    // The deal entry says read only: the default's export does not leak into it.
    expect(access.can('deal', 'read')).toBe(true);
    expect(access.can('deal', 'export')).toBe(false);
    expect(sqlOf(access.readScope, 'deal')).toEqual({ sql: 't."owner_id" = $1::uuid', values: [ME] });
    expect(sqlOf(access.readScope, 'account').sql).toBeUndefined();
  });

  it("another role's '*' still adds to an entity this role names", () => {
    const access = accessOf([
      role({ deal: { actions: ['read'], scope: 'own' } }),
      role({ '*': { actions: ['read', 'update'], scope: 'all' } }),
    ]);
    expect(access.can('deal', 'update')).toBe(true);
    expect(sqlOf(access.readScope, 'deal').sql).toBeUndefined();
  });

  it('looks entity names up as own keys only (no Object.prototype members)', () => {
    const access = accessOf([role({ deal: { actions: ['read'], scope: 'all' } })]);
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) expect(access.can(name, 'read')).toBe(false);
  });

  it('leaves writing users and roles to administrators, whatever a role grants', () => {
    const access = accessOf([role({ '*': { actions: ['read', 'create', 'update', 'delete', 'export'], scope: 'all' } })]);
    for (const name of ['app_user', 'role']) {
      expect(access.can(name, 'read')).toBe(true);
      expect(access.can(name, 'export')).toBe(true);
      expect(access.can(name, 'create')).toBe(false);
      expect(access.can(name, 'update')).toBe(false);
      expect(access.can(name, 'delete')).toBe(false);
    }
    // org units are ordinary entities.
    expect(access.can('org_unit', 'update')).toBe(true);
  });

  it('gives an inactive user nothing, even with an admin role', () => {
    const access = accessOf([{ admin: true }, role({ '*': { actions: ['read'], scope: 'all' } })], { active: false });
    expect(access.isAdmin).toBe(false);
    expect(access.can('deal', 'read')).toBe(false);
    expect(access.field('deal', 'title')).toBe('hidden');
    expect(sqlOf(access.readScope, 'deal').sql).toBe('FALSE');
  });

  it('gives a user without roles nothing: every scope is FALSE and every field hidden', () => {
    const access = accessOf([]);
    expect(access.can('tag', 'read')).toBe(false);
    expect(sqlOf(access.readScope, 'tag')).toEqual({ sql: 'FALSE', values: [] });
    expect(sqlOf(access.scopeFor('update'), 'tag').sql).toBe('FALSE');
    expect(access.field('tag', 'label_text')).toBe('hidden');
  });
});

describe('buildAccess: administrators', () => {
  const access = accessOf([role({ deal: { actions: ['read'], scope: 'own', fields: { amount: 'hidden' } } }), { admin: true }]);

  it('may do everything, on users and roles too', () => {
    expect(access.isAdmin).toBe(true);
    for (const name of ['deal', 'app_user', 'role', 'no_such_entity']) {
      for (const action of ['read', 'create', 'update', 'delete', 'export', 'some_plugin_action'])
        expect(access.can(name, action)).toBe(true);
    }
  });

  it('reaches every row and writes every field, whatever their other roles say', () => {
    for (const action of ['read', 'update', 'delete', 'export']) {
      expect(sqlOf(access.scopeFor(action), 'deal')).toEqual({ sql: undefined, values: [] });
    }
    expect(access.scopeFor('delete')).toBe(access.readScope);
    expect(access.field('deal', 'amount')).toBe('write');
    expect(hiddenFieldNames(entity('deal'), access).size).toBe(0);
  });

  it('admin: false is no admin', () => {
    expect(accessOf([{ admin: false, entities: { tag: { actions: ['read'], scope: 'all' } } }]).isAdmin).toBe(false);
  });
});

describe('buildAccess: scopes become SQL conditions with bound parameters', () => {
  const readWith = (scope: EntityGrant['scope'], entityName: string, over: Partial<ActorInfo> = {}) =>
    sqlOf(accessOf([role({ [entityName]: { actions: ['read'], scope } })], over).readScope, entityName);

  it.each([
    // own: the owner field, or the user record itself; an entity nobody owns reaches nothing.
    ['own', 'deal', 't."owner_id" = $1::uuid', [ME]],
    ['own', 'account', 't."owner_id" = $1::uuid', [ME]],
    ['own', 'app_user', 't.id = $1::uuid', [ME]],
    ['own', 'contract', 'FALSE', []],
    ['own', 'tag', 'FALSE', []],
    // subordinates: the caller and everyone below them in the manager chain.
    ['subordinates', 'deal', 't."owner_id" = ANY($1::uuid[])', [[ME, REPORT]]],
    ['subordinates', 'app_user', 't.id = ANY($1::uuid[])', [[ME, REPORT]]],
    ['subordinates', 'contract', 'FALSE', []],
    // orgUnit: the caller's own unit, by the org-unit field first, then the unit itself, the user's unit, the owner's unit.
    ['orgUnit', 'account', 't."org_unit_id" = ANY($1::uuid[])', [[UNIT]]],
    ['orgUnit', 'contract', 't."org_unit_id" = ANY($1::uuid[])', [[UNIT]]],
    ['orgUnit', 'org_unit', 't.id = ANY($1::uuid[])', [[UNIT]]],
    ['orgUnit', 'app_user', 't."org_unit_id" = ANY($1::uuid[])', [[UNIT]]],
    ['orgUnit', 'deal', 't."owner_id" IN (SELECT u.id FROM "app_user" u WHERE u."org_unit_id" = ANY($1::uuid[]))', [[UNIT]]],
    ['orgUnit', 'tag', 'FALSE', []],
    // orgUnitAndBelow: the same with the unit and every unit below it.
    ['orgUnitAndBelow', 'account', 't."org_unit_id" = ANY($1::uuid[])', [[UNIT, SUB_UNIT]]],
    ['orgUnitAndBelow', 'contract', 't."org_unit_id" = ANY($1::uuid[])', [[UNIT, SUB_UNIT]]],
    ['orgUnitAndBelow', 'org_unit', 't.id = ANY($1::uuid[])', [[UNIT, SUB_UNIT]]],
    ['orgUnitAndBelow', 'app_user', 't."org_unit_id" = ANY($1::uuid[])', [[UNIT, SUB_UNIT]]],
    [
      'orgUnitAndBelow',
      'deal',
      't."owner_id" IN (SELECT u.id FROM "app_user" u WHERE u."org_unit_id" = ANY($1::uuid[]))',
      [[UNIT, SUB_UNIT]],
    ],
    ['orgUnitAndBelow', 'tag', 'FALSE', []],
  ] as const)('%s on %s', (scope, entityName, sql, values) => {
    expect(readWith(scope, entityName)).toEqual({ sql, values });
  });

  it("'all' is no condition at all", () => {
    for (const name of ['deal', 'account', 'contract', 'tag', 'app_user', 'org_unit'])
      expect(readWith('all', name)).toEqual({ sql: undefined, values: [] });
  });

  it('orgUnit for a caller without an org unit binds an empty list (matches nothing)', () => {
    expect(readWith('orgUnit', 'contract', { orgUnitId: null, orgUnitIds: [] })).toEqual({
      sql: 't."org_unit_id" = ANY($1::uuid[])',
      values: [[]],
    });
  });

  it("uses the alias it is given and continues the statement's parameter numbering", () => {
    const access = accessOf([role({ deal: { actions: ['read'], scope: 'own' } })]);
    const params = new SqlParams(['earlier', 'values']);
    expect(access.readScope(entity('deal'), 'j7', params)).toBe('j7."owner_id" = $3::uuid');
    expect(params.values).toEqual(['earlier', 'values', ME]);
  });

  it('ORs the scopes of every role that grants the action, each in parentheses', () => {
    const access = accessOf([
      role({ account: { actions: ['read'], scope: 'own' } }),
      role({ account: { actions: ['read'], scope: 'orgUnitAndBelow' } }),
      role({ account: { actions: ['update'], scope: 'all' } }),
    ]);
    expect(sqlOf(access.readScope, 'account')).toEqual({
      sql: '(t."owner_id" = $1::uuid) OR (t."org_unit_id" = ANY($2::uuid[]))',
      values: [ME, [UNIT, SUB_UNIT]],
    });
  });

  it("one role with 'all' lifts every condition", () => {
    const access = accessOf([role({ deal: { actions: ['read'], scope: 'own' } }), role({ deal: { actions: ['read'], scope: 'all' } })]);
    expect(sqlOf(access.readScope, 'deal')).toEqual({ sql: undefined, values: [] });
  });

  it('binds fresh parameters on every call (the condition is reused, the values are per statement)', () => {
    const access = accessOf([role({ deal: { actions: ['read'], scope: 'own' } })]);
    expect(sqlOf(access.readScope, 'deal')).toEqual(sqlOf(access.readScope, 'deal'));
    expect(access.scopeFor('read')).toBe(access.readScope);
  });
});

describe('buildAccess: sharing rules', () => {
  const shared = (sharing: unknown[], over: Partial<ActorInfo> = {}) =>
    sqlOf(accessOf([role({ deal: { actions: ['read'], scope: 'own', sharing } })], over).readScope, 'deal');

  it("OR's each rule beside the scope, with the caller's values bound as parameters", () => {
    expect(shared([{ '==': [{ var: 'stage' }, 'closed'] }, { '==': [{ var: 'owner' }, { var: '$user.id' }] }])).toEqual({
      sql: '(t."owner_id" = $1::uuid) OR ((t."stage" = $2::text)) OR ((t."owner_id" = $3::uuid))',
      values: [ME, 'closed', ME],
    });
  });

  it('follows belongsTo paths with subqueries and collections with EXISTS', () => {
    expect(
      shared([
        { '==': [{ var: 'account.owner' }, { var: '$user.id' }] },
        { some: [{ var: 'tags' }, { '==': [{ var: 'label_text' }, 'hot'] }] },
      ]),
    ).toEqual({
      sql:
        '(t."owner_id" = $1::uuid)' +
        ' OR (((SELECT s1."owner_id" FROM "account" s1 WHERE s1.id = t."account_id" AND s1.deleted_at IS NULL) = $2::uuid))' +
        ' OR (EXISTS (SELECT 1 FROM "deal_tags" x2 JOIN "tag" c1 ON c1.id = x2."target_id" WHERE x2."source_id" = t.id AND c1.deleted_at IS NULL AND ((c1."label_text" = $3::text))))',
      values: [ME, ME, 'hot'],
    });
  });

  it('binds $user.org_unit, and a rule naming a value the caller lacks matches nothing', () => {
    const rule = { '==': [{ var: 'owner.org_unit' }, { var: '$user.org_unit' }] };
    expect(shared([rule]).values).toEqual([ME, UNIT]);
    expect(shared([rule], { orgUnitId: null })).toEqual({ sql: '(t."owner_id" = $1::uuid) OR (FALSE)', values: [ME] });
  });

  it('is ignored where a role reaches every row anyway', () => {
    const access = accessOf([
      role({ deal: { actions: ['read'], scope: 'own', sharing: [{ '==': [{ var: 'stage' }, 'closed'] }] } }),
      role({ deal: { actions: ['read'], scope: 'all' } }),
    ]);
    expect(sqlOf(access.readScope, 'deal')).toEqual({ sql: undefined, values: [] });
  });

  it('a rule over a field the entity does not have fails when the scope is used, as a filter error', () => {
    // checkGrants does not compile sharing rules, so this is the first place a broken rule shows.
    const access = accessOf([role({ deal: { actions: ['read'], scope: 'own', sharing: [{ '==': [{ var: 'nope' }, 1] }] } })]);
    expect(thrown(() => sqlOf(access.readScope, 'deal'))).toMatchObject({ code: 'filter.unknown_field', status: 400 });
  });
});

describe('buildAccess: write, delete and export scopes stay within the read scope', () => {
  it('is the granted scope alone where the same grants give the action and read', () => {
    const access = accessOf([role({ deal: { actions: ['read', 'update', 'delete'], scope: 'own' } })]);
    for (const action of ['update', 'delete'])
      expect(sqlOf(access.scopeFor(action), 'deal')).toEqual({ sql: 't."owner_id" = $1::uuid', values: [ME] });
  });

  it('a wider grant for the action is cut down to what the caller reads', () => {
    const access = accessOf([
      role({ account: { actions: ['read'], scope: 'own' } }),
      role({ account: { actions: ['update', 'export'], scope: 'all' } }),
    ]);
    for (const action of ['update', 'export'])
      expect(sqlOf(access.scopeFor(action), 'account')).toEqual({ sql: 't."owner_id" = $1::uuid', values: [ME] });
  });

  it("two different conditions are ANDed, the action's first", () => {
    const access = accessOf([
      role({ account: { actions: ['read'], scope: 'own' } }),
      role({ account: { actions: ['delete'], scope: 'orgUnitAndBelow' } }),
    ]);
    expect(sqlOf(access.scopeFor('delete'), 'account')).toEqual({
      sql: '(t."org_unit_id" = ANY($1::uuid[])) AND (t."owner_id" = $2::uuid)',
      values: [[UNIT, SUB_UNIT], ME],
    });
  });

  it('a narrower grant for the action keeps its own condition when reads reach every row', () => {
    const access = accessOf([
      role({ deal: { actions: ['read'], scope: 'all' } }),
      role({ deal: { actions: ['update'], scope: 'subordinates' } }),
    ]);
    expect(sqlOf(access.scopeFor('update'), 'deal')).toEqual({ sql: 't."owner_id" = ANY($1::uuid[])', values: [[ME, REPORT]] });
  });

  it('an action without read reaches nothing', () => {
    const access = accessOf([role({ deal: { actions: ['update', 'export'], scope: 'all' } })]);
    expect(access.can('deal', 'update')).toBe(true);
    expect(sqlOf(access.scopeFor('update'), 'deal')).toEqual({ sql: 'FALSE', values: [] });
    expect(sqlOf(access.scopeFor('export'), 'deal')).toEqual({ sql: 'FALSE', values: [] });
  });

  it('an action nobody grants is FALSE', () => {
    const access = accessOf([role({ deal: { actions: ['read'], scope: 'all' } })]);
    expect(sqlOf(access.scopeFor('delete'), 'deal')).toEqual({ sql: 'FALSE', values: [] });
  });

  it('scopes plugin actions the same way', () => {
    const access = accessOf([
      role({ deal: { actions: ['read'], scope: 'own' } }),
      role({ deal: { actions: ['close_deal'], scope: 'all' } }),
    ]);
    expect(sqlOf(access.scopeFor('close_deal'), 'deal')).toEqual({ sql: 't."owner_id" = $1::uuid', values: [ME] });
  });

  it('returns the same scope function for the same action', () => {
    const access = accessOf([role({ deal: { actions: ['read', 'update'], scope: 'own' } })]);
    expect(access.scopeFor('update')).toBe(access.scopeFor('update'));
  });
});

describe('buildAccess: field permissions combine across roles', () => {
  const levels = (access: Access, entityName: string) =>
    Object.fromEntries(entity(entityName).fields.map((f) => [f.name, access.field(entityName, f.name)]));

  it('a role that may write leaves every field without a rule writable; read-only and hidden are what they say', () => {
    const access = accessOf([
      role({ contract: { actions: ['read', 'update'], scope: 'all', fields: { revenue: 'hidden', margin: 'readOnly' } } }),
    ]);
    expect(levels(access, 'contract')).toEqual({
      title: 'write',
      revenue: 'hidden',
      margin: 'readOnly',
      account: 'write',
      org_unit: 'write',
    });
    expect([...hiddenFieldNames(entity('contract'), access)]).toEqual(['revenue']);
  });

  it('a role that only reads makes every field read-only', () => {
    const access = accessOf([role({ contract: { actions: ['read', 'export'], scope: 'all' } })]);
    expect(new Set(Object.values(levels(access, 'contract')))).toEqual(new Set(['readOnly']));
  });

  it('create counts as writing, like update', () => {
    const access = accessOf([role({ contract: { actions: ['read', 'create'], scope: 'all', fields: { margin: 'readOnly' } } })]);
    expect(access.field('contract', 'title')).toBe('write');
    expect(access.field('contract', 'margin')).toBe('readOnly');
  });

  it('a field is visible if any reading role shows it', () => {
    const access = accessOf([
      role({ contract: { actions: ['read'], scope: 'all', fields: { revenue: 'hidden' } } }),
      role({ contract: { actions: ['read'], scope: 'own', fields: { margin: 'hidden' } } }),
    ]);
    expect(access.field('contract', 'revenue')).toBe('readOnly');
    expect(access.field('contract', 'margin')).toBe('readOnly');
  });

  it('a field hidden by every reading role stays hidden, even where a role that cannot read would write it', () => {
    const access = accessOf([
      role({ contract: { actions: ['read'], scope: 'all', fields: { revenue: 'hidden' } } }),
      role({ contract: { actions: ['update'], scope: 'all' } }),
    ]);
    expect(access.field('contract', 'revenue')).toBe('hidden');
    expect(access.field('contract', 'title')).toBe('write');
  });

  it('a field is writable if any writing role leaves it without a rule', () => {
    const access = accessOf([
      role({ contract: { actions: ['read', 'update'], scope: 'all', fields: { margin: 'readOnly', revenue: 'hidden' } } }),
      role({ contract: { actions: ['update'], scope: 'own' } }),
    ]);
    expect(access.field('contract', 'margin')).toBe('write');
    // Visibility still comes from reading roles only: the one that reads hides it.
    expect(access.field('contract', 'revenue')).toBe('hidden');
  });

  it('a read-only rule in one writing role and hidden in another is read-only', () => {
    const access = accessOf([
      role({ contract: { actions: ['read', 'update'], scope: 'all', fields: { margin: 'readOnly' } } }),
      role({ contract: { actions: ['read', 'update'], scope: 'all', fields: { margin: 'hidden' } } }),
    ]);
    expect(access.field('contract', 'margin')).toBe('readOnly');
  });

  it("'*' field rules apply to every entity with that field, unless the entity's own entry replaces them", () => {
    const access = accessOf([
      role({
        '*': { actions: ['read', 'update'], scope: 'all', fields: { owner: 'readOnly', title: 'hidden' } },
        deal: { actions: ['read', 'update'], scope: 'all' },
      }),
    ]);
    expect(access.field('account', 'owner')).toBe('readOnly');
    expect(access.field('contract', 'title')).toBe('hidden');
    expect(access.field('deal', 'owner')).toBe('write');
    expect(access.field('deal', 'title')).toBe('write');
  });

  it('fields of entities the caller has no grant for are hidden', () => {
    const access = accessOf([role({ deal: { actions: ['read', 'update'], scope: 'all' } })]);
    expect(access.field('contract', 'title')).toBe('hidden');
    expect(hiddenFieldNames(entity('contract'), access)).toEqual(new Set(entity('contract').fields.map((f) => f.name)));
  });
});
