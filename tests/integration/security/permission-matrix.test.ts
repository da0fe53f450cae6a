// The permission matrix: every user x every entity x every operation — list (+ total), get, relation-path
// filters (some/none and belongsTo hops), include, update, delete, export and history — answers with
// exactly the records and fields the oracle in security-world.ts computes from the fixture data.
// Out-of-scope get/update/delete/history is a 404 identical to a missing id; readable but not changeable
// is a 403; no entity permission at all is a 403. Update and delete are probed with a stale If-Match, so a
// permitted write answers 409 (the record was found in the write scope) and nothing changes.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../../support/problem-checks.js';
import type { TestEngine, TestResponse } from '../../support/test-engine.js';
import {
  ENTITIES,
  RELATIONS,
  USER_KEYS,
  as,
  can,
  expectStatus,
  expectedInclude,
  fieldLevel,
  includeAllowed,
  isAdmin,
  keys,
  normalised404,
  rowIds,
  sortById,
  visible,
  type EntityName,
  type Rec,
  startSecurityWorld,
  type World,
} from '../../support/security-world.js';

let t: TestEngine;
let w: World;

beforeAll(async () => {
  ({ t, w } = await startSecurityWorld());
});
afterAll(() => t?.stop());

const SEEDED = new Set(['unit:HQ', 'user:admin', 'role:admin']);

/** RFC 4180 rows (quoted cells with doubled quotes, CRLF or LF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

const q = (filter: unknown) => encodeURIComponent(JSON.stringify(filter));
const v = (path: string) => ({ var: path });

function allRecords(entity: EntityName): Rec[] {
  return [...w.records[entity].values()];
}

function expectRows(res: TestResponse, userKey: string, entity: EntityName, expected: Set<string>, what: string): void {
  expectStatus(res, 200, what);
  const data = res.body.data as Array<Record<string, unknown>>;
  expect(
    keys(
      w,
      data.map((r) => r.id),
    ),
    `${what}: record ids`,
  ).toEqual(keys(w, expected));
  for (const row of data) {
    const rec = w.records[entity].get(row.id as string)!;
    expect(row, `${what}: fields of ${rec.key}`).toEqual(visible(w, userKey, rec));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Relation-path filters: the JSON Logic, the fields it touches (hidden ones make it a 400), and the oracle.

interface FilterProbe {
  readonly name: string;
  readonly filter: () => unknown;
  /** entity.field pairs the filter reads; a hidden one makes the filter invalid for the user. */
  readonly touches: ReadonlyArray<readonly [EntityName, string]>;
  readonly test: (userKey: string, rec: Rec) => boolean;
}

const readable = (userKey: string, entity: EntityName) => rowIds(w, userKey, entity, 'read');
const ref = (rec: Rec, name: string) => rec.refs[name] as string | null;
const names = () => allRecords('account').map((r) => r.admin.name as string);
const usernames = () => allRecords('app_user').map((r) => r.admin.username as string);
const codes = () => allRecords('org_unit').map((r) => r.admin.code as string);
const roleCodes = () => allRecords('role').map((r) => r.admin.code as string);

/** The live related records through a belongsTo ref that the user may read. */
function visibleTarget(userKey: string, target: EntityName, id: string | null): Rec | undefined {
  if (!id || !readable(userKey, target).has(id)) return undefined;
  const rec = w.records[target].get(id);
  return rec && !rec.deleted ? rec : undefined;
}

function visibleChildren(userKey: string, child: EntityName, refName: string, parentId: string): Rec[] {
  const ids = readable(userKey, child);
  return allRecords(child).filter((c) => !c.deleted && ids.has(c.id) && ref(c, refName) === parentId);
}

const PROBES: Record<EntityName, FilterProbe[]> = {
  account: [
    {
      name: 'some deals won',
      filter: () => ({ some: [v('deals'), { '==': [v('won'), true] }] }),
      touches: [
        ['deal', 'account'],
        ['deal', 'won'],
      ],
      test: (u, r) => visibleChildren(u, 'deal', 'account', r.id).some((d) => d.admin.won === true),
    },
    {
      name: 'none deals won',
      filter: () => ({ none: [v('deals'), { '==': [v('won'), true] }] }),
      touches: [
        ['deal', 'account'],
        ['deal', 'won'],
      ],
      test: (u, r) => !visibleChildren(u, 'deal', 'account', r.id).some((d) => d.admin.won === true),
    },
    {
      name: 'owner.username in all',
      filter: () => ({ in: [v('owner.username'), usernames()] }),
      touches: [
        ['account', 'owner'],
        ['app_user', 'username'],
      ],
      test: (u, r) => !!visibleTarget(u, 'app_user', ref(r, 'owner')),
    },
    {
      name: 'parent.name in all',
      filter: () => ({ in: [v('parent.name'), names()] }),
      touches: [
        ['account', 'parent'],
        ['account', 'name'],
      ],
      test: (u, r) => !!visibleTarget(u, 'account', ref(r, 'parent')),
    },
    {
      name: 'some subsidiaries',
      filter: () => ({ some: [v('subsidiaries'), { in: [v('name'), names()] }] }),
      touches: [
        ['account', 'parent'],
        ['account', 'name'],
      ],
      test: (u, r) => visibleChildren(u, 'account', 'parent', r.id).length > 0,
    },
    {
      name: 'some contracts margin >= 40',
      filter: () => ({ some: [v('contracts'), { '>=': [v('margin'), 40] }] }),
      touches: [
        ['contract', 'account'],
        ['contract', 'margin'],
      ],
      test: (u, r) => visibleChildren(u, 'contract', 'account', r.id).some((c) => (c.admin.margin as number) >= 40),
    },
  ],
  deal: [
    {
      name: 'account.name in all',
      filter: () => ({ in: [v('account.name'), names()] }),
      touches: [
        ['deal', 'account'],
        ['account', 'name'],
      ],
      test: (u, r) => !!visibleTarget(u, 'account', ref(r, 'account')),
    },
    {
      name: 'account.name == Alpha',
      filter: () => ({ '==': [v('account.name'), 'Alpha'] }),
      touches: [
        ['deal', 'account'],
        ['account', 'name'],
      ],
      test: (u, r) => visibleTarget(u, 'account', ref(r, 'account'))?.admin.name === 'Alpha',
    },
    {
      name: 'account.name != Alpha',
      filter: () => ({ '!=': [v('account.name'), 'Alpha'] }),
      touches: [
        ['deal', 'account'],
        ['account', 'name'],
      ],
      // IS DISTINCT FROM: an unreadable account has no name, which differs from 'Alpha'.
      test: (u, r) => visibleTarget(u, 'account', ref(r, 'account'))?.admin.name !== 'Alpha',
    },
    {
      name: 'account.owner == e1rep',
      filter: () => ({ '==': [v('account.owner'), w.users.e1rep!.id] }),
      touches: [
        ['deal', 'account'],
        ['account', 'owner'],
      ],
      test: (u, r) => {
        const acc = visibleTarget(u, 'account', ref(r, 'account'));
        return !!acc && ref(acc, 'owner') === w.users.e1rep!.id;
      },
    },
    {
      name: 'account.tier == 1',
      filter: () => ({ '==': [v('account.tier'), 1] }),
      touches: [
        ['deal', 'account'],
        ['account', 'tier'],
      ],
      test: (u, r) => visibleTarget(u, 'account', ref(r, 'account'))?.admin.tier === 1,
    },
    {
      name: 'account.parent.name == Golf',
      filter: () => ({ '==': [v('account.parent.name'), 'Golf'] }),
      touches: [
        ['deal', 'account'],
        ['account', 'parent'],
        ['account', 'name'],
      ],
      test: (u, r) => {
        const acc = visibleTarget(u, 'account', ref(r, 'account'));
        return !!acc && visibleTarget(u, 'account', ref(acc, 'parent'))?.admin.name === 'Golf';
      },
    },
    {
      name: 'some tags hot',
      filter: () => ({ some: [v('tags'), { '==': [v('label_text'), 'hot'] }] }),
      touches: [
        ['deal', 'tags'],
        ['tag', 'label_text'],
      ],
      test: (u, r) => (r.refs.tags as string[]).some((id) => visibleTarget(u, 'tag', id)?.admin.label_text === 'hot'),
    },
    {
      name: 'none tags hot',
      filter: () => ({ none: [v('tags'), { '==': [v('label_text'), 'hot'] }] }),
      touches: [
        ['deal', 'tags'],
        ['tag', 'label_text'],
      ],
      test: (u, r) => !(r.refs.tags as string[]).some((id) => visibleTarget(u, 'tag', id)?.admin.label_text === 'hot'),
    },
  ],
  contract: [
    {
      name: 'account.name in all',
      filter: () => ({ in: [v('account.name'), names()] }),
      touches: [
        ['contract', 'account'],
        ['account', 'name'],
      ],
      test: (u, r) => !!visibleTarget(u, 'account', ref(r, 'account')),
    },
    {
      name: 'org_unit.code in all',
      filter: () => ({ in: [v('org_unit.code'), codes()] }),
      touches: [
        ['contract', 'org_unit'],
        ['org_unit', 'code'],
      ],
      test: (u, r) => !!visibleTarget(u, 'org_unit', ref(r, 'org_unit')),
    },
  ],
  tag: [
    {
      name: 'some deals won',
      filter: () => ({ some: [v('deals'), { '==': [v('won'), true] }] }),
      touches: [
        ['deal', 'tags'],
        ['deal', 'won'],
      ],
      test: (u, r) =>
        allRecords('deal').some(
          (d) => !d.deleted && readable(u, 'deal').has(d.id) && (d.refs.tags as string[]).includes(r.id) && d.admin.won === true,
        ),
    },
    {
      name: 'none deals',
      filter: () => ({ none: [v('deals'), { '!': { isNull: [v('title')] } }] }),
      touches: [
        ['deal', 'tags'],
        ['deal', 'title'],
      ],
      test: (u, r) =>
        !allRecords('deal').some((d) => !d.deleted && readable(u, 'deal').has(d.id) && (d.refs.tags as string[]).includes(r.id)),
    },
  ],
  app_user: [
    {
      name: 'org_unit.code in all',
      filter: () => ({ in: [v('org_unit.code'), codes()] }),
      touches: [
        ['app_user', 'org_unit'],
        ['org_unit', 'code'],
      ],
      test: (u, r) => !!visibleTarget(u, 'org_unit', ref(r, 'org_unit')),
    },
    {
      name: 'manager.username in all',
      filter: () => ({ in: [v('manager.username'), usernames()] }),
      touches: [
        ['app_user', 'manager'],
        ['app_user', 'username'],
      ],
      test: (u, r) => !!visibleTarget(u, 'app_user', ref(r, 'manager')),
    },
    {
      name: 'some reports',
      filter: () => ({ some: [v('reports'), { '!': { isNull: [v('username')] } }] }),
      touches: [
        ['app_user', 'manager'],
        ['app_user', 'username'],
      ],
      test: (u, r) => visibleChildren(u, 'app_user', 'manager', r.id).length > 0,
    },
    {
      name: 'some roles',
      filter: () => ({ some: [v('roles'), { in: [v('code'), roleCodes()] }] }),
      touches: [
        ['role', 'members'],
        ['role', 'code'],
      ],
      test: (u, r) => allRecords('role').some((x) => readable(u, 'role').has(x.id) && (x.refs.members as string[]).includes(r.id)),
    },
  ],
  org_unit: [
    {
      name: 'parent.code in all',
      filter: () => ({ in: [v('parent.code'), codes()] }),
      touches: [
        ['org_unit', 'parent'],
        ['org_unit', 'code'],
      ],
      test: (u, r) => !!visibleTarget(u, 'org_unit', ref(r, 'parent')),
    },
    {
      name: 'some members',
      filter: () => ({ some: [v('members'), { '!': { isNull: [v('username')] } }] }),
      touches: [
        ['app_user', 'org_unit'],
        ['app_user', 'username'],
      ],
      test: (u, r) => visibleChildren(u, 'app_user', 'org_unit', r.id).length > 0,
    },
    {
      name: 'some accounts',
      filter: () => ({ some: [v('account_by_org_unit'), { in: [v('name'), names()] }] }),
      touches: [
        ['account', 'org_unit'],
        ['account', 'name'],
      ],
      test: (u, r) => visibleChildren(u, 'account', 'org_unit', r.id).length > 0,
    },
  ],
  role: [
    {
      name: 'some members',
      filter: () => ({ some: [v('members'), { in: [v('username'), usernames()] }] }),
      touches: [
        ['role', 'members'],
        ['app_user', 'username'],
      ],
      test: (u, r) => (r.refs.members as string[]).some((id) => !!visibleTarget(u, 'app_user', id)),
    },
  ],
};

/** Valid when no field the filter reads is hidden (without a read grant on an entity, all its fields are hidden). */
function filterValid(userKey: string, probe: FilterProbe): boolean {
  return probe.touches.every(([e, f]) => fieldLevel(w, userKey, e, f) !== 'hidden');
}

// ---------------------------------------------------------------------------------------------------------

function writeProbeStatus(userKey: string, rec: Rec, op: 'update' | 'delete'): number {
  if (!can(w, userKey, rec.entity, op)) return 403;
  if ((rec.entity === 'app_user' || rec.entity === 'role') && !isAdmin(w, userKey)) return 403;
  if (rec.deleted) return 404;
  if (rowIds(w, userKey, rec.entity, op).has(rec.id)) return 409;
  if (rowIds(w, userKey, rec.entity, 'read').has(rec.id)) return 403;
  return 404;
}

const adminHistory = new Map<string, Array<Record<string, any>>>();
async function historyOf(rec: Rec): Promise<Array<Record<string, any>>> {
  let rows = adminHistory.get(rec.id);
  if (!rows) {
    const res = await t.request('GET', `/api/v1/${rec.entity}/${rec.id}/history`);
    expectStatus(res, 200, `admin history of ${rec.key}`);
    rows = res.body.data as Array<Record<string, any>>;
    adminHistory.set(rec.id, rows);
  }
  return rows;
}

describe.each(USER_KEYS)('as %s', (userKey) => {
  describe.each(ENTITIES)('%s', (entity) => {
    it('list with total=exact and export show exactly the records in scope, without hidden fields', async () => {
      const req = as(w, userKey);
      const list = await req('GET', `/api/v1/${entity}?limit=500&total=exact`);
      const small = await req('GET', `/api/v1/${entity}?limit=1&total=exact`);
      if (!can(w, userKey, entity, 'read')) {
        expectProblem(list, 403, 'access.denied');
        expectProblem(small, 403, 'access.denied');
      } else {
        const expected = rowIds(w, userKey, entity, 'read');
        expectRows(list, userKey, entity, expected, `list ${entity}`);
        expect(list.body.meta.total).toBe(expected.size);
        expect(small.body.meta.total, 'the count ignores the page').toBe(expected.size);
        expect(small.body.data.length).toBe(Math.min(1, expected.size));
      }
      const json = await req('GET', `/api/v1/${entity}/export?format=json`);
      const csv = await req('GET', `/api/v1/${entity}/export?format=csv`);
      if (!can(w, userKey, entity, 'export')) {
        expectProblem(json, 403, 'access.denied');
        expectProblem(csv, 403, 'access.denied');
        return;
      }
      const exportable = rowIds(w, userKey, entity, 'export');
      expectRows(json, userKey, entity, exportable, `export ${entity}`);
      expect(json.body.meta.count).toBe(exportable.size);
      expectStatus(csv, 200, `csv export ${entity}`);
      const [header = [], ...lines] = parseCsv(String(csv.body).replace(/^\ufeff/, ''));
      const idAt = header.indexOf('id');
      expect(
        keys(
          w,
          lines.map((l) => l[idAt]),
        ),
        `csv export of ${entity}`,
      ).toEqual(keys(w, exportable));
      if (exportable.size > 0) {
        const sample = w.records[entity].get([...exportable][0]!)!;
        expect([...header].sort()).toEqual(Object.keys(visible(w, userKey, sample)).sort());
      }
    });

    it('get, history, update and delete by id: 200/409 in scope, 403 when readable only, 404 like a missing id', async () => {
      const req = as(w, userKey);
      const mayRead = can(w, userKey, entity, 'read');
      const inRead = rowIds(w, userKey, entity, 'read');
      const missing = randomUUID();
      const missingGet = await req('GET', `/api/v1/${entity}/${missing}`);
      const missingHistory = await req('GET', `/api/v1/${entity}/${missing}/history`);
      if (mayRead) {
        expectProblem(missingGet, 404, 'record.not_found');
        expectProblem(missingHistory, 404, 'record.not_found');
      } else {
        expectProblem(missingGet, 403, 'access.denied');
        expectProblem(missingHistory, 403, 'access.denied');
      }
      for (const rec of allRecords(entity)) {
        const what = `${userKey} ${entity} ${rec.key}`;
        const get = await req('GET', `/api/v1/${entity}/${rec.id}`);
        const history = await req('GET', `/api/v1/${entity}/${rec.id}/history`);
        if (!mayRead) {
          expectProblem(get, 403, 'access.denied');
          expectProblem(history, 403, 'access.denied');
        } else if (inRead.has(rec.id)) {
          expectStatus(get, 200, `get ${what}`);
          expect(get.body.data, `get ${what}`).toEqual(visible(w, userKey, rec));
          expectStatus(history, 200, `history ${what}`);
          // manyToMany link lists in history are checked on their own (hidden-fields-and-meta.test.ts).
          const lists = new Set(
            Object.entries(RELATIONS[entity])
              .filter(([, r]) => r.kind === 'manyToMany' && !r.inverseOfList)
              .map(([n]) => n),
          );
          const withoutLists = (rows: Array<Record<string, any>>) =>
            rows.map((row) => ({
              ...row,
              changes: Object.fromEntries(Object.entries(row.changes as Record<string, unknown>).filter(([f]) => !lists.has(f))),
            }));
          const masked = (await historyOf(rec)).map((row) => ({
            ...row,
            changes: Object.fromEntries(
              Object.entries(row.changes as Record<string, unknown>).map(([f, c]) => [
                f,
                fieldLevel(w, userKey, entity, f) === 'hidden' ? { before: '***', after: '***' } : c,
              ]),
            ),
          }));
          expect(withoutLists(history.body.data), `history ${what}`).toEqual(withoutLists(masked));
          // Records made through the API have at least their create row; the first-start seed writes none.
          if (!SEEDED.has(rec.key)) expect(history.body.data.length, `history ${what}`).toBeGreaterThan(0);
        } else {
          expectProblem(get, 404, 'record.not_found');
          expect(normalised404(get, rec.id), `an out-of-scope get looks like a missing id: ${what}`).toEqual(
            normalised404(missingGet, missing),
          );
          expectProblem(history, 404, 'record.not_found');
          expect(normalised404(history, rec.id)).toEqual(normalised404(missingHistory, missing));
        }
        for (const op of ['update', 'delete'] as const) {
          const res =
            op === 'update'
              ? await req('PATCH', `/api/v1/${entity}/${rec.id}`, {}, { 'if-match': '"999999"' })
              : await req('DELETE', `/api/v1/${entity}/${rec.id}`, undefined, { 'if-match': '"999999"' });
          const want = writeProbeStatus(userKey, rec, op);
          if (want === 409) expectProblem(res, 409, 'record.version_conflict');
          else if (want === 404) expectProblem(res, 404, 'record.not_found');
          else expectProblem(res, 403);
          if (want === 404) {
            const missingWrite =
              op === 'update'
                ? await req('PATCH', `/api/v1/${entity}/${missing}`, {}, { 'if-match': '"999999"' })
                : await req('DELETE', `/api/v1/${entity}/${missing}`, undefined, { 'if-match': '"999999"' });
            expect(normalised404(res, rec.id), `${op} out of scope looks like a missing id: ${what}`).toEqual(
              normalised404(missingWrite, missing),
            );
          }
        }
      }
    });

    it('relation-path filters (belongsTo hops, some, none) only ever match through readable records', async () => {
      const req = as(w, userKey);
      for (const probe of PROBES[entity]) {
        const res = await req('GET', `/api/v1/${entity}?limit=500&total=exact&filter=${q(probe.filter())}`);
        const what = `${userKey} ${entity} filter ${probe.name}`;
        if (!can(w, userKey, entity, 'read')) {
          expectProblem(res, 403, 'access.denied');
          continue;
        }
        if (!filterValid(userKey, probe)) {
          expectProblem(res, 400, 'filter.unknown_field');
          continue;
        }
        const inRead = rowIds(w, userKey, entity, 'read');
        const expected = new Set(
          allRecords(entity)
            .filter((r) => inRead.has(r.id) && probe.test(userKey, r))
            .map((r) => r.id),
        );
        expectRows(res, userKey, entity, expected, what);
        expect(res.body.meta.total, what).toBe(expected.size);
      }
    });

    it('include of every relation shows readable related records only (null / left out otherwise)', async () => {
      const req = as(w, userKey);
      for (const name of Object.keys(RELATIONS[entity])) {
        const what = `${userKey} ${entity} include=${name}`;
        const res = await req('GET', `/api/v1/${entity}?limit=500&include=${name}`);
        if (!can(w, userKey, entity, 'read')) {
          expectProblem(res, 403, 'access.denied');
          continue;
        }
        if (!includeAllowed(w, userKey, entity, name)) {
          expectProblem(res, 400, 'query.unknown_include');
          continue;
        }
        expectStatus(res, 200, what);
        const data = res.body.data as Array<Record<string, unknown>>;
        expect(
          keys(
            w,
            data.map((r) => r.id),
          ),
          what,
        ).toEqual(keys(w, rowIds(w, userKey, entity, 'read')));
        for (const row of data) {
          const rec = w.records[entity].get(row.id as string)!;
          const got = row[name];
          const want = expectedInclude(w, userKey, rec, name, got);
          expect(Array.isArray(got) ? sortById(got as Array<{ id: unknown }>) : got, `${what} on ${rec.key}`).toEqual(want);
          const { [name]: _drop, ...rest } = row;
          const { [name]: _drop2, ...restWant } = visible(w, userKey, rec);
          expect(rest, `${what}: the record's own fields on ${rec.key}`).toEqual(restWant);
        }
        // The same through get by id.
        const first = data[0];
        if (first) {
          const one = await req('GET', `/api/v1/${entity}/${String(first.id)}?include=${name}`);
          expectStatus(one, 200, `${what} by id`);
          const got = one.body.data[name];
          expect(Array.isArray(got) ? sortById(got) : got).toEqual(
            expectedInclude(w, userKey, w.records[entity].get(first.id as string)!, name, got),
          );
        }
      }
    });
  });
});

describe('the matrix covers what it claims', () => {
  it('every scope kind, a union of roles, a user without roles, field rules and sharing are in the fixture', () => {
    const scopes = new Set(Object.values(w.roles).flatMap((r) => Object.values(r.entities ?? {}).map((g) => g.scope)));
    expect([...scopes].sort()).toEqual(['all', 'orgUnit', 'orgUnitAndBelow', 'own', 'subordinates']);
    expect(w.users.e1rep2!.roles.length).toBe(2);
    expect(w.users.nobody!.roles.length).toBe(0);
    // The oracle is not trivial: users see different, overlapping slices.
    const slices = USER_KEYS.map((u) => keys(w, rowIds(w, u, 'deal', 'read')).join(','));
    expect(new Set(slices).size).toBeGreaterThan(6);
    // e1rep sees D2 (owned by e1rep2) through the sharing rule, and not D12 (its account is deleted).
    const e1rep = rowIds(w, 'e1rep', 'deal', 'read');
    expect(e1rep.has(w.byKey.get('D2')!.id)).toBe(true);
    expect(e1rep.has(w.byKey.get('D7')!.id)).toBe(true);
    expect(e1rep.has(w.byKey.get('D12')!.id)).toBe(false);
  });
});
