// PathResolver turns `var` paths (plain fields, money parts, system columns, belongsTo hops) and collection
// paths into SQL on the packs core + api-demo + security-demo: joins at the top level, subqueries inside
// collections, the read scope on every alias it adds, and filter.unknown_field (400) for anything else.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EQUALITY, ORDERED } from '../../../../engine/src/metadata/field-kinds.js';
import { loadModel } from '../../../../engine/src/metadata/load-model.js';
import type { EntityDef } from '../../../../engine/src/metadata/model.js';
import { AliasCounter, PathResolver, type PathResolverOptions } from '../../../../engine/src/query/path-resolver.js';
import { UNRESTRICTED_SCOPE, type RecordScope } from '../../../../engine/src/query/record-scope.js';
import { kindOperators } from '../../../../engine/src/rules/kind-operators.js';
import { EngineError } from '../../../../engine/src/shared/engine-error.js';
import { SqlParams } from '../../../../engine/src/sql/sql-params.js';
import { BUILTIN_RULES } from '../../../support/builtin-rules.js';

const model = loadModel(
  ['metadata/packs/core', 'tests/fixtures/packs/api-demo', 'tests/fixtures/packs/security-demo'].map((d) => resolve(d)),
  { kinds: BUILTIN_RULES.kinds },
);
const allowed = kindOperators(BUILTIN_RULES);
const operatorsFor = (kind: string): readonly string[] => allowed.get(kind) ?? [];

function entity(name: string): EntityDef {
  const e = model.entitiesByName[name];
  if (!e) throw new Error(`no entity ${name} in the test model`);
  return e;
}

interface Statement {
  readonly resolver: PathResolver;
  readonly joins: string[];
  readonly params: SqlParams;
}

/**
 * A resolver on alias `t`. At the top level (as a list statement makes one) hops become joins collected in
 * `joins` and shared by path; without joins (as inside a collection) they become scalar subqueries.
 */
function statement(entityName: string, over: Partial<PathResolverOptions> = {}, { topLevel = true } = {}): Statement {
  const joins: string[] = [];
  const params = new SqlParams();
  const resolver = new PathResolver({
    model,
    kinds: BUILTIN_RULES.kinds,
    operatorsFor,
    entity: entity(entityName),
    alias: 't',
    params,
    readScope: UNRESTRICTED_SCOPE,
    isHidden: () => false,
    aliases: new AliasCounter(),
    ...(topLevel ? { joins, joinAliases: new Map<string, string>() } : {}),
    ...over,
  });
  return { resolver, joins, params };
}

const subqueries = (entityName: string, over: Partial<PathResolverOptions> = {}): Statement =>
  statement(entityName, over, { topLevel: false });

function failure(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (err) {
    if (err instanceof EngineError) return err;
    throw err;
  }
  throw new Error('expected the path to be refused');
}

/** A scope that names the entity and alias it was asked about, binding the entity name. */
const tracingScope: RecordScope = (e, alias, params) => `${alias}.scoped_${e.name} = ${params.add(e.name)}`;

describe('PathResolver.resolve: fields of the entity itself', () => {
  it.each([
    ['title', 't."title"', 'text', 'text'],
    ['quantity', 't."quantity"', 'integer', 'integer'],
    ['probability', 't."probability"', 'decimal', 'decimal'],
    ['won', 't."won"', 'boolean', 'boolean'],
    ['close_date', 't."close_date"', 'date', 'date'],
    ['signed_at', 't."signed_at"', 'datetime', 'datetime'],
    ['stage', 't."stage"', 'enum', 'enum'],
    ['channels', 't."channels"', 'multienum', 'multienum'],
    ['extra', 't."extra"', 'json', 'json'],
    ['contact_email', 't."contact_email"', 'text', 'email'],
    // References resolve to their id column.
    ['account', 't."account_id"', 'id', 'relation'],
    ['owner', 't."owner_id"', 'id', 'user'],
  ])('%s', (path, sql, operand, kind) => {
    const { resolver, joins, params } = statement('deal');
    expect(resolver.resolve(path, '/x')).toEqual({ sql, operand, operators: operatorsFor(kind), path });
    expect(joins).toEqual([]);
    expect(params.values).toEqual([]);
  });

  it('addresses money by its parts: the amount column (decimal) and the currency column (text, equality only)', () => {
    const { resolver } = statement('deal');
    expect(resolver.resolve('amount.amount', '/x')).toEqual({
      sql: 't."amount"',
      operand: 'decimal',
      operators: operatorsFor('currency'),
      path: 'amount.amount',
    });
    expect(resolver.resolve('amount.currency', '/x')).toEqual({
      sql: 't."amount_currency"',
      operand: 'text',
      operators: EQUALITY,
      path: 'amount.currency',
    });
    expect(operatorsFor('currency')).toEqual(ORDERED);
  });

  it('takes the operators of a part without its own list from operatorsFor (where plugin operators come in)', () => {
    const { resolver } = statement('deal', { operatorsFor: (kind) => [...operatorsFor(kind), `plugin_${kind}`] });
    expect(resolver.resolve('amount.amount', '/x').operators).toContain('plugin_currency');
    expect(resolver.resolve('amount.currency', '/x').operators).toEqual(EQUALITY);
    expect(resolver.resolve('title', '/x').operators).toContain('plugin_text');
  });

  it.each([
    ['id', 't."id"', 'id', EQUALITY],
    ['version', 't."version"', 'integer', ORDERED],
    ['created_at', 't."created_at"', 'datetime', ORDERED],
    ['updated_at', 't."updated_at"', 'datetime', ORDERED],
  ])('system column %s', (path, sql, operand, operators) => {
    expect(statement('deal').resolver.resolve(path, '/x')).toEqual({ sql, operand, operators, path });
  });
});

describe('PathResolver.resolve: belongsTo hops at the top level become LEFT JOINs', () => {
  it('joins the target on its id, live rows only', () => {
    const { resolver, joins } = statement('deal');
    expect(resolver.resolve('account.name', '/x')).toEqual({
      sql: 'j1."name"',
      operand: 'text',
      operators: operatorsFor('text'),
      path: 'account.name',
    });
    expect(joins).toEqual(['LEFT JOIN "account" j1 ON j1.id = t."account_id" AND j1.deleted_at IS NULL']);
  });

  it("puts the read scope of the joined entity on the join, binding into the statement's parameters", () => {
    const { resolver, joins, params } = statement('deal', { readScope: tracingScope });
    resolver.resolve('account.tier', '/x');
    expect(joins).toEqual(['LEFT JOIN "account" j1 ON j1.id = t."account_id" AND j1.deleted_at IS NULL AND (j1.scoped_account = $1)']);
    expect(params.values).toEqual(['account']);
  });

  it('shares one join between paths through the same relation', () => {
    const { resolver, joins } = statement('deal');
    expect(resolver.resolve('account.name', '/a').sql).toBe('j1."name"');
    expect(resolver.resolve('account.tier', '/b').sql).toBe('j1."tier"');
    expect(joins).toHaveLength(1);
  });

  it('chains hops, each with its own join (user fields hop to app_user)', () => {
    const { resolver, joins } = statement('deal');
    expect(resolver.resolve('account.parent.owner.username', '/x').sql).toBe('j3."username"');
    expect(joins).toEqual([
      'LEFT JOIN "account" j1 ON j1.id = t."account_id" AND j1.deleted_at IS NULL',
      'LEFT JOIN "account" j2 ON j2.id = j1."parent_id" AND j2.deleted_at IS NULL',
      'LEFT JOIN "app_user" j3 ON j3.id = j2."owner_id" AND j3.deleted_at IS NULL',
    ]);
    // A shorter path reuses the joins already made.
    expect(resolver.resolve('account.parent.name', '/y').sql).toBe('j2."name"');
    expect(joins).toHaveLength(3);
  });

  it('reaches money parts and system columns of the target', () => {
    const { resolver } = statement('contract');
    expect(resolver.resolve('account.id', '/x')).toMatchObject({ sql: 'j1."id"', operand: 'id' });
    expect(resolver.resolve('account.updated_at', '/x')).toMatchObject({ sql: 'j1."updated_at"', operand: 'datetime' });
    const deal = statement('deal').resolver;
    expect(deal.resolve('account.org_unit.code', '/x').sql).toBe('j2."code"');
  });

  it('numbers aliases from the counter it shares with the rest of the statement', () => {
    const aliases = new AliasCounter();
    aliases.next('j');
    aliases.next('c');
    const { resolver, joins } = statement('deal', { aliases });
    expect(resolver.resolve('owner.display_name', '/x').sql).toBe('j3."display_name"');
    expect(joins[0]).toContain('"app_user" j3');
  });
});

describe('PathResolver.resolve: hops without joins become scalar subqueries', () => {
  it('wraps the leaf in a subquery on the target, live and scoped', () => {
    const { resolver, joins, params } = subqueries('deal', { readScope: tracingScope });
    expect(resolver.resolve('account.name', '/x').sql).toBe(
      '(SELECT s1."name" FROM "account" s1 WHERE s1.id = t."account_id" AND s1.deleted_at IS NULL AND (s1.scoped_account = $1))',
    );
    expect(joins).toEqual([]);
    expect(params.values).toEqual(['account']);
  });

  it('nests one subquery per hop, the first hop outermost', () => {
    const { resolver } = subqueries('deal');
    expect(resolver.resolve('account.owner.username', '/x').sql).toBe(
      '(SELECT (SELECT s2."username" FROM "app_user" s2 WHERE s2.id = s1."owner_id" AND s2.deleted_at IS NULL)' +
        ' FROM "account" s1 WHERE s1.id = t."account_id" AND s1.deleted_at IS NULL)',
    );
  });
});

describe('PathResolver.resolve: unknown paths are filter.unknown_field (400) at the pointer', () => {
  it.each([
    ['nope', "'nope' is not a field of deal"],
    ['deleted_at', "'deleted_at' is not a field of deal"],
    ['constructor', "'constructor' is not a field of deal"],
    ['__proto__', "'__proto__' is not a field of deal"],
    ['id.x', "'id.x' is not a field of deal"],
    ['', "'' is not a field of deal"],
    // Inverse relations are collections of the other side, not values of this one.
    ['account.deals', "'account.deals' is not a field of account"],
    ['account.nope', "'account.nope' is not a field of account"],
    ['amount', "'amount' has parts: use 'amount.amount' or 'amount.currency'"],
    ['amount.value', "'amount.value' has parts: use 'amount.amount' or 'amount.currency'"],
    ['amount.currency.x', "'amount.currency.x' has parts: use 'amount.amount' or 'amount.currency'"],
    ['title.length', "'title.length' cannot be followed: title is not a belongsTo relation"],
    ['tags', "'tags' is a collection: use some or none"],
    ['tags.label_text', "'tags.label_text' cannot be followed: tags is not a belongsTo relation"],
  ])('%j', (path, message) => {
    const err = failure(() => statement('deal').resolver.resolve(path, '/filter/==/0'));
    expect(err).toMatchObject({ code: 'filter.unknown_field', status: 400, detail: message });
    expect(err.fieldErrors).toEqual([{ pointer: '/filter/==/0', code: 'filter.unknown_field', message }]);
  });
});

describe('PathResolver.resolve: hidden fields do not exist for the caller', () => {
  const hiding = (hidden: readonly string[]) => ({ isHidden: (e: string, f: string) => hidden.includes(`${e}.${f}`) });

  it('as values, money parts or hops', () => {
    const { resolver, joins } = statement('deal', hiding(['deal.amount', 'deal.account', 'account.tier']));
    expect(failure(() => resolver.resolve('amount.amount', '/x')).detail).toBe("'amount.amount' is not a field of deal");
    expect(failure(() => resolver.resolve('account', '/x')).detail).toBe("'account' is not a field of deal");
    expect(failure(() => resolver.resolve('account.name', '/x')).detail).toBe("'account.name' is not a field of deal");
    expect(joins).toEqual([]);
    expect(resolver.resolve('owner', '/x').sql).toBe('t."owner_id"');
  });

  it('on the far side of a hop', () => {
    const { resolver } = statement('deal', hiding(['account.tier']));
    expect(resolver.resolve('account.name', '/x').sql).toBe('j1."name"');
    expect(failure(() => resolver.resolve('account.tier', '/x')).detail).toBe("'account.tier' is not a field of account");
  });

  it('system columns are never hidden', () => {
    expect(statement('deal', { isHidden: () => true }).resolver.resolve('id', '/x').sql).toBe('t."id"');
  });
});

describe('PathResolver.collection', () => {
  it('opens EXISTS over a hasMany inverse, joined on the source field', () => {
    const { resolver } = statement('account');
    const c = resolver.collection('deals', '/x');
    expect(c).toMatchObject({ entity: entity('deal'), alias: 'c1', path: 'deals', close: ')' });
    expect(c.open).toBe('EXISTS (SELECT 1 FROM "deal" c1 WHERE c1."account_id" = t.id AND c1.deleted_at IS NULL AND ');
  });

  it('opens EXISTS through the junction of an own manyToMany field', () => {
    const c = statement('deal').resolver.collection('tags', '/x');
    expect(c).toMatchObject({ entity: entity('tag'), alias: 'c1', path: 'tags', close: ')' });
    expect(c.open).toBe(
      'EXISTS (SELECT 1 FROM "deal_tags" x2 JOIN "tag" c1 ON c1.id = x2."target_id" WHERE x2."source_id" = t.id AND c1.deleted_at IS NULL AND ',
    );
  });

  it('opens EXISTS through the junction from the target side of a manyToMany', () => {
    const c = statement('tag').resolver.collection('deals', '/x');
    expect(c).toMatchObject({ entity: entity('deal'), alias: 'c1' });
    expect(c.open).toBe(
      'EXISTS (SELECT 1 FROM "deal_tags" x2 JOIN "deal" c1 ON c1.id = x2."source_id" WHERE x2."target_id" = t.id AND c1.deleted_at IS NULL AND ',
    );
  });

  it('scopes the elements with the read scope', () => {
    const { resolver, params } = statement('org_unit', { readScope: tracingScope });
    expect(resolver.collection('contract_by_org_unit', '/x').open).toBe(
      'EXISTS (SELECT 1 FROM "contract" c1 WHERE c1."org_unit_id" = t.id AND c1.deleted_at IS NULL AND (c1.scoped_contract = $1) AND ',
    );
    expect(params.values).toEqual(['contract']);
  });

  it('nested resolvers read the elements, with subqueries for their hops', () => {
    const { resolver, joins } = statement('account');
    const c = resolver.collection('deals', '/x');
    const inner = resolver.nested(c.entity, c.alias);
    expect(inner.resolve('title', '/y').sql).toBe('c1."title"');
    expect(inner.resolve('owner.username', '/y').sql).toBe(
      '(SELECT s2."username" FROM "app_user" s2 WHERE s2.id = c1."owner_id" AND s2.deleted_at IS NULL)',
    );
    expect(joins).toEqual([]);
  });

  it.each([
    ['title', "'title' is not a hasMany or manyToMany relation of account"],
    ['parent', "'parent' is not a hasMany or manyToMany relation of account"],
    ['nope', "'nope' is not a hasMany or manyToMany relation of account"],
  ])('refuses %s', (path, message) => {
    expect(failure(() => statement('account').resolver.collection(path, '/p'))).toMatchObject({
      code: 'filter.unknown_field',
      status: 400,
      detail: message,
    });
  });

  it('refuses a collection whose relation field is hidden from the caller', () => {
    const isHidden = (e: string, f: string) => e === 'deal' && f === 'account';
    expect(failure(() => statement('account', { isHidden }).resolver.collection('deals', '/p')).detail).toBe(
      "'deals' is not a hasMany or manyToMany relation of account",
    );
    const tagsHidden = (e: string, f: string) => e === 'deal' && f === 'tags';
    expect(failure(() => statement('deal', { isHidden: tagsHidden }).resolver.collection('tags', '/p')).code).toBe('filter.unknown_field');
    expect(failure(() => statement('tag', { isHidden: tagsHidden }).resolver.collection('deals', '/p')).code).toBe('filter.unknown_field');
  });
});
