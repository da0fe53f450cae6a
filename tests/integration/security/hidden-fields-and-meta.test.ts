// Field-level access: hidden fields do not exist for the caller (not in records, includes, fields=, filters,
// sorts, writes or GET /api/meta — and the error for one is the error for an unknown field); read-only
// fields read normally but are refused on write; history masks what is hidden. And GET /api/meta per user.
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../../support/problem-checks.js';
import type { TestEngine, TestResponse } from '../../support/test-engine.js';
import {
  ENTITIES,
  USER_KEYS,
  as,
  can,
  expectStatus,
  fieldLevel,
  isAdmin,
  rowIds,
  startSecurityWorld,
  type World,
} from '../../support/security-world.js';

let t: TestEngine;
let w: World;

beforeAll(async () => {
  ({ t, w } = await startSecurityWorld());
});
afterAll(() => t?.stop());

const q = (value: unknown) => encodeURIComponent(JSON.stringify(value));
const id = (key: string) => w.byKey.get(key)!.id;

/** A problem body with one name swapped for a placeholder and the request id left out, for "same as unknown" checks. */
function shape(res: TestResponse, name: string): unknown {
  const { requestId: _r, ...rest } = res.body as Record<string, unknown>;
  return JSON.parse(JSON.stringify(rest).split(name).join('<name>'));
}

async function expectSameAsUnknown(
  hidden: TestResponse,
  unknown: TestResponse,
  field: string,
  status: number,
  code: string,
  unknownName = 'no_such_field',
): Promise<void> {
  expectProblem(hidden, status, code);
  expectProblem(unknown, status, code);
  expect(shape(hidden, field), 'a hidden field is refused exactly like an unknown one').toEqual(shape(unknown, unknownName));
}

describe('hidden fields on read', () => {
  it('are stripped from list, get and write answers (west: account.tier, deal.amount/notes, contract.revenue)', async () => {
    const west = as(w, 'west');
    const accounts = await west('GET', '/api/v1/account?limit=500');
    expectStatus(accounts, 200, 'list');
    expect(accounts.body.data.length).toBeGreaterThan(0);
    for (const a of accounts.body.data) {
      expect(a).not.toHaveProperty('tier');
      expect(a).toHaveProperty('region');
    }
    const deal = await west('GET', `/api/v1/deal/${id('D6')}`);
    expectStatus(deal, 200, 'get');
    expect(deal.body.data).not.toHaveProperty('amount');
    expect(deal.body.data).not.toHaveProperty('notes');
    expect(JSON.stringify(deal.body)).not.toContain('notes of D6');
    const contract = await west('GET', `/api/v1/contract/${id('C4')}`);
    expect(contract.body.data).not.toHaveProperty('revenue');
    expect(contract.body.data.margin).toBe(40);
    // A write answers with what the writer may read.
    const acc = w.byKey.get('A_w1rep')!;
    const current = await t.request('GET', `/api/v1/account/${acc.id}`);
    const patched = await west(
      'PATCH',
      `/api/v1/account/${acc.id}`,
      { name: 'Foxtrot' },
      { 'if-match': `"${String(current.body.data.version)}"` },
    );
    expectStatus(patched, 200, 'patch');
    expect(patched.body.data).not.toHaveProperty('tier');
    expect(patched.body.data.region).toBe('east');
  });

  it('are stripped from included records (belongsTo and hasMany)', async () => {
    const west = as(w, 'west');
    const deals = await west('GET', '/api/v1/deal?limit=500&include=account');
    expectStatus(deals, 200, 'deals with account');
    const withAccount = (deals.body.data as Array<{ account: unknown }>).filter((d) => d.account !== null);
    expect(withAccount.length).toBeGreaterThan(0);
    for (const d of withAccount) expect(d.account).not.toHaveProperty('tier');
    const accounts = await west('GET', '/api/v1/account?limit=500&include=deals,contracts');
    expectStatus(accounts, 200, 'accounts with deals');
    const nested = accounts.body.data as Array<{ deals: unknown[]; contracts: unknown[] }>;
    expect(nested.flatMap((a) => a.deals).length).toBeGreaterThan(0);
    for (const a of nested) {
      for (const d of a.deals) {
        expect(d).not.toHaveProperty('amount');
        expect(d).not.toHaveProperty('notes');
      }
      for (const c of a.contracts) expect(c).not.toHaveProperty('revenue');
    }
    const users = await west('GET', '/api/v1/org_unit?limit=500&include=members');
    for (const u of (users.body.data as Array<{ members: unknown[] }>).flatMap((x) => x.members)) {
      expect(u).not.toHaveProperty('email');
      expect(u).not.toHaveProperty('phone');
    }
  });

  it('asking for one in fields= is a 400 exactly like an unknown field (list and get)', async () => {
    const west = as(w, 'west');
    await expectSameAsUnknown(
      await west('GET', '/api/v1/account?fields=name,tier'),
      await west('GET', '/api/v1/account?fields=name,no_such_field'),
      'tier',
      400,
      'query.unknown_field',
    );
    await expectSameAsUnknown(
      await west('GET', `/api/v1/deal/${id('D6')}?fields=amount`),
      await west('GET', `/api/v1/deal/${id('D6')}?fields=no_such_field`),
      'amount',
      400,
      'query.unknown_field',
    );
    const ok = await west('GET', '/api/v1/account?fields=name,region');
    expectStatus(ok, 200, 'fields=name,region');
    // fields= leaves out the system fields it does not list, but the id (#18 part 10).
    for (const a of ok.body.data) expect(Object.keys(a).sort()).toEqual(['id', 'name', 'region']);
  });

  it('filtering or sorting on one (directly, through a relation or inside some/none) is a 400 like an unknown field', async () => {
    const west = as(w, 'west');
    const e1rep = as(w, 'e1rep');
    const cases: Array<[ReturnType<typeof as>, string, string, string, string]> = [
      // [user, entity, hidden query, unknown query, hidden name]
      [west, 'account', `filter=${q({ '==': [{ var: 'tier' }, 1] })}`, `filter=${q({ '==': [{ var: 'no_such_field' }, 1] })}`, 'tier'],
      [west, 'account', `filter=${q({ isNull: [{ var: 'tier' }] })}`, `filter=${q({ isNull: [{ var: 'no_such_field' }] })}`, 'tier'],
      [
        west,
        'deal',
        `filter=${q({ '>': [{ var: 'amount.amount' }, '0'] })}`,
        `filter=${q({ '>': [{ var: 'no_such_field.amount' }, '0'] })}`,
        'amount',
      ],
      [
        west,
        'deal',
        `filter=${q({ '==': [{ var: 'account.tier' }, 1] })}`,
        `filter=${q({ '==': [{ var: 'account.no_such_field' }, 1] })}`,
        'tier',
      ],
      [
        west,
        'account',
        `filter=${q({ some: [{ var: 'contracts' }, { '!': { isNull: [{ var: 'revenue.amount' }] } }] })}`,
        `filter=${q({ some: [{ var: 'contracts' }, { '!': { isNull: [{ var: 'no_such_field.amount' }] } }] })}`,
        'revenue',
      ],
      [
        west,
        'app_user',
        `filter=${q({ startsWith: [{ var: 'email' }, 'e'] })}`,
        `filter=${q({ startsWith: [{ var: 'no_such_field' }, 'e'] })}`,
        'email',
      ],
      [
        e1rep,
        'app_user',
        `filter=${q({ '==': [{ var: 'phone' }, '+86 10 0004'] })}`,
        `filter=${q({ '==': [{ var: 'no_such_field' }, '+86 10 0004'] })}`,
        'phone',
      ],
      [
        e1rep,
        'deal',
        `filter=${q({ '==': [{ var: 'account.tier' }, 1] })}`,
        `filter=${q({ '==': [{ var: 'account.no_such_field' }, 1] })}`,
        'tier',
      ],
    ];
    for (const [req, entity, hidden, unknown, name] of cases) {
      const unknownName = name === 'amount' || name === 'revenue' ? 'no_such_field.amount' : 'no_such_field';
      const hiddenName = name === 'amount' || name === 'revenue' ? `${name}.amount` : name;
      await expectSameAsUnknown(
        await req('GET', `/api/v1/${entity}?${hidden}`),
        await req('GET', `/api/v1/${entity}?${unknown}`),
        hiddenName,
        400,
        'filter.unknown_field',
        unknownName,
      );
    }
    await expectSameAsUnknown(
      await west('GET', '/api/v1/account?sort=-tier'),
      await west('GET', '/api/v1/account?sort=-no_such_field'),
      'tier',
      400,
      'filter.unknown_field',
    );
    await expectSameAsUnknown(
      await e1rep('GET', '/api/v1/deal?sort=account.tier'),
      await e1rep('GET', '/api/v1/deal?sort=account.no_such_field'),
      'tier',
      400,
      'filter.unknown_field',
    );
    // Export takes the same query: no way round through it.
    expectProblem(
      await west('GET', `/api/v1/account/export?format=json&filter=${q({ '==': [{ var: 'tier' }, 1] })}`),
      400,
      'filter.unknown_field',
    );
    expectProblem(await west('GET', '/api/v1/account/export?format=csv&fields=tier'), 400, 'query.unknown_field');
    // The union of roles decides: e1rep2 (sales_rep hides tier, dept_viewer makes it read-only) may filter on it.
    const union = await as(w, 'e1rep2')('GET', `/api/v1/account?filter=${q({ '>=': [{ var: 'tier' }, 1] })}&sort=tier`);
    expectStatus(union, 200, 'e1rep2 filters on tier');
    expect(union.body.data.every((a: { tier?: number }) => typeof a.tier === 'number')).toBe(true);
  });

  it('history masks hidden values (before and after) and shows the rest', async () => {
    const acc = w.byKey.get('A_w1rep')!;
    const current = await t.request('GET', `/api/v1/account/${acc.id}`);
    const changed = await t.request(
      'PATCH',
      `/api/v1/account/${acc.id}`,
      { tier: 4, name: 'Foxtrot Ltd' },
      { 'if-match': `"${String(current.body.data.version)}"` },
    );
    expectStatus(changed, 200, 'admin patch');
    const asWest = await as(w, 'west')('GET', `/api/v1/account/${acc.id}/history`);
    expectStatus(asWest, 200, 'west history');
    const last = asWest.body.data[0];
    expect(last.action).toBe('update');
    expect(last.changes).toEqual({ tier: { before: '***', after: '***' }, name: { before: 'Foxtrot', after: 'Foxtrot Ltd' } });
    for (const row of asWest.body.data) {
      if (row.changes.tier) expect(row.changes.tier).toEqual({ before: '***', after: '***' });
    }
    expect(JSON.stringify(asWest.body)).not.toMatch(/"tier":\{"before":[0-9n]/);
    const asAdmin = await t.request('GET', `/api/v1/account/${acc.id}/history`);
    expect(asAdmin.body.data[0].changes.tier).toEqual({ before: 1, after: 4 });
    // w1rep owns the account; sales_rep hides tier too.
    const asOwner = await as(w, 'w1rep')('GET', `/api/v1/account/${acc.id}/history`);
    expectStatus(asOwner, 200, 'owner history');
    expect(asOwner.body.data[0].changes.tier).toEqual({ before: '***', after: '***' });
    await t.request('PATCH', `/api/v1/account/${acc.id}`, { name: 'Foxtrot' }, { 'if-match': `"${String(changed.body.data.version)}"` });
  });
});

describe('manyToMany link lists', () => {
  it('records list only the linked records the reader may see (role members for a branch manager)', async () => {
    const role = await as(w, 'east')('GET', `/api/v1/role/${w.roles.sales_rep!.id}`);
    expectStatus(role, 200, 'east reads the sales_rep role');
    const readable = rowIds(w, 'east', 'app_user', 'read');
    expect(role.body.data.members.length).toBeGreaterThan(0);
    expect((role.body.data.members as string[]).every((m) => readable.has(m))).toBe(true);
    expect(role.body.data.members).not.toContain(w.users.w1rep!.id);
  });

  it('history does not list linked records the reader may not see either', async () => {
    const history = await as(w, 'east')('GET', `/api/v1/role/${w.roles.sales_rep!.id}/history`);
    expectStatus(history, 200, 'east reads the sales_rep history');
    const created = (history.body.data as Array<{ action: string; changes: Record<string, { after?: unknown }> }>).find(
      (r) => r.action === 'create',
    )!;
    const readable = rowIds(w, 'east', 'app_user', 'read');
    const listed = created.changes.members?.after as string[];
    expect(listed.length).toBeGreaterThan(0);
    expect(
      listed.filter((m) => !readable.has(m)),
      'member ids in history that east cannot read (w1rep is in the West branch)',
    ).toEqual([]);
  });
});

describe('hidden and read-only fields on write', () => {
  it('writing a hidden field is a 422 unknown field, like a field that does not exist', async () => {
    const e1rep = as(w, 'e1rep');
    const mine = w.byKey.get('A_e1rep')!;
    const v = (await t.request('GET', `/api/v1/account/${mine.id}`)).body.data.version as number;
    const hiddenPatch = await e1rep('PATCH', `/api/v1/account/${mine.id}`, { tier: 2 }, { 'if-match': `"${v}"` });
    const unknownPatch = await e1rep('PATCH', `/api/v1/account/${mine.id}`, { no_such_field: 2 }, { 'if-match': `"${v}"` });
    expectProblem(hiddenPatch, 422, 'validation.failed', [{ pointer: '/tier', code: 'validation.unknown_field' }]);
    expectProblem(unknownPatch, 422, 'validation.failed', [{ pointer: '/no_such_field', code: 'validation.unknown_field' }]);
    const hiddenCreate = await e1rep('POST', '/api/v1/account', { name: 'Sneaky', tier: 5 });
    expectProblem(hiddenCreate, 422, 'validation.failed', [{ pointer: '/tier', code: 'validation.unknown_field' }]);
    const west = as(w, 'west');
    const c4 = (await t.request('GET', `/api/v1/contract/${id('C4')}`)).body.data;
    expectProblem(
      await west(
        'PATCH',
        `/api/v1/contract/${c4.id}`,
        { revenue: { amount: '1.00', currency: 'CNY' } },
        { 'if-match': `"${String(c4.version)}"` },
      ),
      422,
      'validation.failed',
      [{ pointer: '/revenue', code: 'validation.unknown_field' }],
    );
    const after = await t.request('GET', `/api/v1/account/${mine.id}`);
    expect(after.body.data.tier).toBe(1);
    expect(after.body.data.version).toBe(v);
  });

  it('writing a read-only field is a 422 validation.read_only; other fields still write', async () => {
    const e1rep = as(w, 'e1rep');
    const mine = w.byKey.get('A_e1rep')!;
    const cur = (await t.request('GET', `/api/v1/account/${mine.id}`)).body.data;
    expectProblem(
      await e1rep('PATCH', `/api/v1/account/${mine.id}`, { region: 'south' }, { 'if-match': `"${String(cur.version)}"` }),
      422,
      'validation.failed',
      [{ pointer: '/region', code: 'validation.read_only' }],
    );
    expectProblem(await e1rep('POST', '/api/v1/account', { name: 'Read-only region', region: 'south' }), 422, 'validation.failed', [
      { pointer: '/region', code: 'validation.read_only' },
    ]);
    const west = as(w, 'west');
    const c4 = (await t.request('GET', `/api/v1/contract/${id('C4')}`)).body.data;
    expectProblem(
      await west('PATCH', `/api/v1/contract/${c4.id}`, { margin: 99 }, { 'if-match': `"${String(c4.version)}"` }),
      422,
      'validation.failed',
      [{ pointer: '/margin', code: 'validation.read_only' }],
    );
    const renamed = await west('PATCH', `/api/v1/contract/${c4.id}`, { title: 'W1 contract' }, { 'if-match': `"${String(c4.version)}"` });
    expectStatus(renamed, 200, 'west renames a contract');
    expect(renamed.body.data.margin).toBe(40);
    expect(renamed.body.data).not.toHaveProperty('revenue');
    expect((await t.request('GET', `/api/v1/account/${mine.id}`)).body.data.region).toBe('north');
  });
});

describe('GET /api/meta per user', () => {
  const STANDARD = ['read', 'create', 'update', 'delete', 'export', 'approve'];

  it.each(USER_KEYS)('as %s: only readable entities, no hidden fields, read-only marked, granted actions only', async (userKey) => {
    const adminMeta = await t.request('GET', '/api/meta');
    expectStatus(adminMeta, 200, 'admin meta');
    const allFields = new Map<string, string[]>(
      (adminMeta.body.entities as Array<{ name: string; fields: Array<{ name: string }> }>).map((e) => [
        e.name,
        e.fields.map((f) => f.name),
      ]),
    );
    const res = await as(w, userKey)('GET', '/api/meta');
    expectStatus(res, 200, `meta as ${userKey}`);
    const entities = res.body.entities as Array<Record<string, any>>;
    expect(entities.map((e) => e.name).sort(), 'entities').toEqual(ENTITIES.filter((e) => can(w, userKey, e, 'read')).sort());
    for (const e of entities) {
      const name = e.name as string;
      const shown = allFields.get(name)!.filter((f) => fieldLevel(w, userKey, name, f) !== 'hidden');
      expect(
        e.fields.map((f: { name: string }) => f.name),
        `${name} fields`,
      ).toEqual(shown);
      for (const f of e.fields) expect(f.readOnly, `${name}.${f.name} readOnly`).toBe(fieldLevel(w, userKey, name, f.name) === 'readOnly');
      const hidden = allFields.get(name)!.filter((f) => !shown.includes(f));
      for (const schema of Object.values(e.jsonSchema as Record<string, { properties: Record<string, unknown>; required?: string[] }>)) {
        for (const h of hidden) {
          expect(schema.properties, `${name} schema`).not.toHaveProperty(h);
          expect(schema.required ?? []).not.toContain(h);
        }
      }
      for (const h of hidden) expect(e.uiSchema).not.toHaveProperty(h);
      expect((e.uiSchema['ui:order'] as string[]).filter((n) => hidden.includes(n))).toEqual([]);
      for (const rel of e.relations as Array<{ entity: string; field: string }>) {
        expect(can(w, userKey, rel.entity, 'read'), `${name} relation from ${rel.entity}`).toBe(true);
        expect(fieldLevel(w, userKey, rel.entity, rel.field)).not.toBe('hidden');
      }
      // Permissions name what the user can actually do: users and roles are changed by administrators only.
      const usable = STANDARD.filter(
        (a) => can(w, userKey, name, a) && (isAdmin(w, userKey) || !['app_user', 'role'].includes(name) || a === 'read' || a === 'export'),
      );
      expect(e.permissions, `${name} permissions of ${userKey}`).toEqual(usable);
    }
    // Nothing hidden leaks anywhere in the document, e.g. through a schema or default.
    const text = JSON.stringify(res.body);
    if (!isAdmin(w, userKey) && rowIds(w, userKey, 'account', 'read').size > 0 && fieldLevel(w, userKey, 'account', 'tier') === 'hidden') {
      expect(text).not.toMatch(/"tier"/);
    }
  });
});

describe('GET /api/openapi.json per user', () => {
  const pascal = (name: string) =>
    name
      .split('_')
      .map((x) => x.charAt(0).toUpperCase() + x.slice(1))
      .join('');

  it.each(USER_KEYS)('as %s: a valid document with only readable entities, granted operations and visible fields', async (userKey) => {
    const adminMeta = await t.request('GET', '/api/meta');
    const allFields = new Map<string, string[]>(
      (adminMeta.body.entities as Array<{ name: string; fields: Array<{ name: string }> }>).map((e) => [
        e.name,
        e.fields.map((f) => f.name),
      ]),
    );
    const res = await as(w, userKey)('GET', '/api/openapi.json');
    expectStatus(res, 200, `openapi as ${userKey}`);
    const doc = res.body as {
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
    };
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? [], 'OpenAPI 3.1 schema').toEqual([]);
    // Admin routes are documented for administrators only; export only where it is granted.
    expect(Boolean(doc.paths['/api/admin/model/publish']), 'admin routes').toBe(isAdmin(w, userKey));
    for (const entity of ENTITIES) {
      const P = pascal(entity);
      const readable = can(w, userKey, entity, 'read');
      expect(Boolean(doc.paths[`/api/v1/${entity}`]), `${entity} listed`).toBe(readable);
      if (!readable) {
        expect(Object.keys(doc.components.schemas).filter((k) => k === P || k.startsWith(`${P}C`) || k.startsWith(`${P}U`))).toEqual([]);
        continue;
      }
      const writes = (a: string) => can(w, userKey, entity, a) && (isAdmin(w, userKey) || !['app_user', 'role'].includes(entity));
      expect('post' in doc.paths[`/api/v1/${entity}`]!, `${entity} create`).toBe(writes('create'));
      expect(Boolean(doc.paths[`/api/v1/${entity}/bulk`]), `${entity} bulk`).toBe(writes('create'));
      expect('patch' in doc.paths[`/api/v1/${entity}/{id}`]!, `${entity} update`).toBe(writes('update'));
      expect('delete' in doc.paths[`/api/v1/${entity}/{id}`]!, `${entity} delete`).toBe(writes('delete'));
      expect(Boolean(doc.paths[`/api/v1/${entity}/export`]), `${entity} export`).toBe(can(w, userKey, entity, 'export'));
      const fields = allFields.get(entity)!;
      const hidden = fields.filter((f) => fieldLevel(w, userKey, entity, f) === 'hidden');
      const unwritable = fields.filter((f) => fieldLevel(w, userKey, entity, f) !== 'write');
      const read = doc.components.schemas[P]!;
      expect(Object.keys(read.properties ?? {}), `${entity} read schema`).toEqual(
        expect.arrayContaining(fields.filter((f) => !hidden.includes(f))),
      );
      for (const h of hidden) expect(read.properties, `${entity}.${h}`).not.toHaveProperty(h);
      for (const kind of ['Create', 'Update']) {
        const schema = doc.components.schemas[`${P}${kind}`];
        if (!schema) continue;
        for (const f of unwritable) {
          expect(schema.properties, `${entity} ${kind} ${f}`).not.toHaveProperty(f);
          expect(schema.required ?? []).not.toContain(f);
        }
      }
    }
  });
});

describe('a role\'s "*" entry is a default, not a way round its own entity rules', () => {
  it('a hidden field in a role\'s entity entry stays hidden when the same role also has a "*" entry', async () => {
    const u = await t.request('POST', '/api/v1/app_user', { username: 'wild', display_name: 'Wild', org_unit: w.units.E1 });
    await t.request('PUT', `/api/admin/users/${String(u.body.data.id)}/password`, { password: 'wild-card-password' });
    const role = await t.request('POST', '/api/v1/role', {
      code: 'wildcard_default',
      name: 'Default read, accounts by unit',
      members: [u.body.data.id],
      grants: {
        entities: {
          '*': { actions: ['read'], scope: 'own' },
          account: { actions: ['read'], scope: 'orgUnit', fields: { tier: 'hidden' } },
        },
      },
    });
    expectStatus(role, 201, 'role');
    const token = await t.login('wild', 'wild-card-password');
    const res = await t.request('GET', '/api/v1/account?limit=500', undefined, { authorization: `Bearer ${token}` });
    expectStatus(res, 200, 'list');
    expect(res.body.data.length).toBeGreaterThan(0);
    for (const a of res.body.data) expect(a, `tier of ${String(a.name)}`).not.toHaveProperty('tier');
  });
});
