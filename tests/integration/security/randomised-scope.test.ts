// Randomised (fast-check, fixed seed): random users issue random list queries — filters over fields, belongsTo
// paths (up to two hops) and some/none collections, combined with and/or/!, random sorts, includes, fields,
// small pages followed by cursor to the end, total=exact — and random gets. The answers are checked against an
// independent evaluation of the same filter over the fixture data as the user may see it: exactly the matching
// readable records (no id outside the scope, in data or included objects), meta.total equal to their number (and
// total=capped to it up to the cap), no hidden field, and unreadable related records sort as missing values.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestEngine } from '../../support/test-engine.js';
import {
  ENTITIES,
  RELATIONS,
  SYSTEM_FIELDS,
  USER_KEYS,
  as,
  can,
  expectedInclude,
  fieldLevel,
  includeAllowed,
  keys,
  rowIds,
  sortById,
  visible,
  type EntityName,
  type Rec,
  startSecurityWorld,
  type World,
} from '../../support/security-world.js';

const SEED = Number(process.env.SECURITY_FUZZ_SEED ?? 20_240_611);
const RUNS = Number(process.env.SECURITY_FUZZ_RUNS ?? 400);
/** Small, so capped totals meet both sides of the cap in the fixture's scopes. */
const COUNT_CAP = 4;

let t: TestEngine;
let w: World;

beforeAll(async () => {
  ({ t, w } = await startSecurityWorld({ TESSERA_COUNT_CAP: String(COUNT_CAP) }));
});
afterAll(() => t?.stop());

type Kind = 'text' | 'int' | 'bool' | 'enum' | 'id';

const LEAVES: Record<EntityName, Record<string, Kind>> = {
  account: { id: 'id', name: 'text', region: 'enum', tier: 'int', owner: 'id', org_unit: 'id', parent: 'id' },
  deal: { id: 'id', title: 'text', code: 'text', notes: 'text', won: 'bool', stage: 'enum', owner: 'id', account: 'id' },
  contract: { id: 'id', title: 'text', margin: 'int', account: 'id', org_unit: 'id' },
  tag: { id: 'id', label_text: 'text' },
  app_user: {
    id: 'id',
    username: 'text',
    display_name: 'text',
    email: 'text',
    phone: 'text',
    active: 'bool',
    locale: 'enum',
    org_unit: 'id',
    manager: 'id',
  },
  org_unit: { id: 'id', code: 'text', name: 'text', unit_type: 'enum', parent: 'id' },
  role: { id: 'id', code: 'text', name: 'text' },
};

/** manyToMany id lists: readable with fields=, not usable as a filter value. */
const LISTS: Record<EntityName, readonly string[]> = {
  account: [],
  deal: ['tags'],
  contract: [],
  tag: [],
  app_user: [],
  org_unit: [],
  role: ['members'],
};

const HOPS: Record<EntityName, Record<string, EntityName>> = {
  account: { owner: 'app_user', org_unit: 'org_unit', parent: 'account' },
  deal: { account: 'account', owner: 'app_user' },
  contract: { account: 'account', org_unit: 'org_unit' },
  tag: {},
  app_user: { org_unit: 'org_unit', manager: 'app_user' },
  org_unit: { parent: 'org_unit' },
  role: {},
};

const OPS: Record<Kind, readonly string[]> = {
  text: ['==', '!=', 'in', 'isNull', 'startsWith', 'contains'],
  int: ['==', '!=', 'in', 'isNull', '<', '<=', '>', '>='],
  bool: ['==', '!=', 'isNull'],
  enum: ['==', '!=', 'in', 'isNull'],
  id: ['==', '!=', 'in', 'isNull'],
};

type Cond =
  | { t: 'cmp'; path: string; kind: Kind; op: string; lit: unknown }
  | { t: 'and' | 'or'; args: Cond[] }
  | { t: 'not'; arg: Cond }
  | { t: 'some' | 'none'; coll: string; inner: Cond };

interface Path {
  readonly path: string;
  readonly kind: Kind;
  readonly leafEntity: EntityName;
  readonly leaf: string;
}

// ---------------------------------------------------------------------------------------------------------
// Arbitraries (built once the world exists: literal pools come from the fixture data)

/** The filter language's text operators ignore ASCII case only (see README, "The REST API in brief"). */
const fold = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

function pathArb(entity: EntityName, hops: number, prefix = ''): fc.Arbitrary<Path> {
  const leaves = Object.entries(LEAVES[entity]).map(([leaf, kind]) => ({ path: prefix + leaf, kind, leafEntity: entity, leaf }));
  const leafArb = fc.constantFrom(...leaves);
  const hopNames = Object.keys(HOPS[entity]);
  if (hops === 0 || hopNames.length === 0) return leafArb;
  return fc.oneof(
    { weight: 2, arbitrary: leafArb },
    { weight: 1, arbitrary: fc.constantFrom(...hopNames).chain((h) => pathArb(HOPS[entity][h]!, hops - 1, `${prefix}${h}.`)) },
  );
}

function pool(entity: EntityName, leaf: string, kind: Kind): unknown[] {
  const values = [...w.records[entity].values()].map((r) => r.admin[leaf]).filter((x) => x !== null && x !== undefined);
  const extra: unknown[] =
    kind === 'int'
      ? [0, 3, 6, 40]
      : kind === 'text'
        ? ['zz-no-match', 'A', 'e']
        : kind === 'id'
          ? ['0190f000-0000-7000-8000-00000000abcd']
          : [];
  return [...new Set([...values, ...extra])];
}

function literalArb(p: Path, op: string): fc.Arbitrary<unknown> {
  if (op === 'isNull') return fc.constant(undefined);
  if (p.kind === 'bool') return fc.boolean();
  const values = pool(p.leafEntity, p.leaf, p.kind);
  if (op === 'in') return fc.subarray(values, { minLength: 1, maxLength: Math.min(4, values.length) });
  if (op === 'startsWith' || op === 'contains') {
    return fc
      .constantFrom(...values)
      .chain((v) =>
        fc
          .integer({ min: 1, max: Math.max(1, String(v).length) })
          .map((n) => (op === 'startsWith' ? String(v).slice(0, n) : String(v).slice(Math.max(0, String(v).length - n)))),
      );
  }
  return fc.constantFrom(...values);
}

function condArb(entity: EntityName, depth: number): fc.Arbitrary<Cond> {
  const cmp: fc.Arbitrary<Cond> = pathArb(entity, 2).chain((p) =>
    fc
      .constantFrom(...OPS[p.kind])
      .chain((op) => literalArb(p, op).map((lit): Cond => ({ t: 'cmp', path: p.path, kind: p.kind, op, lit }))),
  );
  if (depth === 0) return cmp;
  const colls = Object.entries(RELATIONS[entity])
    .filter(([, r]) => r.kind !== 'belongsTo')
    .map(([n]) => n);
  const options: Array<{ weight: number; arbitrary: fc.Arbitrary<Cond> }> = [
    { weight: 4, arbitrary: cmp },
    {
      weight: 1,
      arbitrary: fc.array(condArb(entity, depth - 1), { minLength: 1, maxLength: 3 }).map((args): Cond => ({ t: 'and', args })),
    },
    { weight: 1, arbitrary: fc.array(condArb(entity, depth - 1), { minLength: 1, maxLength: 3 }).map((args): Cond => ({ t: 'or', args })) },
    { weight: 1, arbitrary: condArb(entity, depth - 1).map((arg): Cond => ({ t: 'not', arg })) },
  ];
  if (colls.length) {
    options.push({
      weight: 2,
      arbitrary: fc
        .constantFrom(...colls)
        .chain((coll) =>
          fc
            .tuple(fc.constantFrom<'some' | 'none'>('some', 'none'), condArb(RELATIONS[entity][coll]!.target, depth - 1))
            .map(([q, inner]): Cond => ({ t: q, coll, inner })),
        ),
    });
  }
  return fc.oneof(...options);
}

function toLogic(c: Cond): unknown {
  switch (c.t) {
    case 'cmp':
      return c.op === 'isNull' ? { isNull: [{ var: c.path }] } : { [c.op]: [{ var: c.path }, c.lit] };
    case 'and':
    case 'or':
      return { [c.t]: c.args.map(toLogic) };
    case 'not':
      return { '!': toLogic(c.arg) };
    case 'some':
    case 'none':
      return { [c.t]: [{ var: c.coll }, toLogic(c.inner)] };
  }
}

// ---------------------------------------------------------------------------------------------------------
// The oracle: validity (hidden fields do not exist) and evaluation over what the user may read

function pathValid(userKey: string, entity: EntityName, path: string): boolean {
  let e = entity;
  const segs = path.split('.');
  for (const [i, seg] of segs.entries()) {
    if (!(seg === 'id' && i === segs.length - 1) && fieldLevel(w, userKey, e, seg) === 'hidden') return false;
    if (i < segs.length - 1) e = HOPS[e][seg]!;
  }
  return true;
}

function condValid(userKey: string, entity: EntityName, c: Cond): boolean {
  switch (c.t) {
    case 'cmp':
      return pathValid(userKey, entity, c.path);
    case 'and':
    case 'or':
      return c.args.every((a) => condValid(userKey, entity, a));
    case 'not':
      return condValid(userKey, entity, c.arg);
    case 'some':
    case 'none': {
      const rel = RELATIONS[entity][c.coll]!;
      return fieldLevel(w, userKey, rel.sourceEntity, rel.sourceField) !== 'hidden' && condValid(userKey, rel.target, c.inner);
    }
  }
}

const readableCache = new Map<string, Set<string>>();
function readable(userKey: string, entity: EntityName): Set<string> {
  const k = `${userKey}/${entity}`;
  let s = readableCache.get(k);
  if (!s) {
    s = rowIds(w, userKey, entity, 'read');
    readableCache.set(k, s);
  }
  return s;
}

/** The value at a path, or null where SQL sees NULL (a missing value, or a hop to a record the user cannot read). */
function valueAt(userKey: string, rec: Rec, path: string): unknown {
  let cur = rec;
  const segs = path.split('.');
  for (const seg of segs.slice(0, -1)) {
    const target = HOPS[cur.entity][seg]!;
    const id = cur.admin[seg] as string | null;
    const next = id ? w.records[target].get(id) : undefined;
    if (!next || next.deleted || !readable(userKey, target).has(next.id)) return null;
    cur = next;
  }
  return cur.admin[segs[segs.length - 1]!] ?? null;
}

function compare(kind: Kind, a: unknown, b: unknown): number {
  if (kind === 'int') return (a as number) - (b as number);
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function evaluate(userKey: string, rec: Rec, c: Cond): boolean {
  switch (c.t) {
    case 'cmp': {
      const v = valueAt(userKey, rec, c.path);
      const isNull = v === null;
      switch (c.op) {
        case 'isNull':
          return isNull;
        case '==':
          return !isNull && compare(c.kind, v, c.lit) === 0;
        case '!=':
          return isNull || compare(c.kind, v, c.lit) !== 0;
        case 'in':
          return !isNull && (c.lit as unknown[]).some((l) => compare(c.kind, v, l) === 0);
        case '<':
          return !isNull && compare(c.kind, v, c.lit) < 0;
        case '<=':
          return !isNull && compare(c.kind, v, c.lit) <= 0;
        case '>':
          return !isNull && compare(c.kind, v, c.lit) > 0;
        case '>=':
          return !isNull && compare(c.kind, v, c.lit) >= 0;
        case 'startsWith':
          return !isNull && fold(String(v)).startsWith(fold(String(c.lit)));
        case 'contains':
          return !isNull && fold(String(v)).includes(fold(String(c.lit)));
      }
      throw new Error(`operator ${c.op}`);
    }
    case 'and':
      return c.args.every((a) => evaluate(userKey, rec, a));
    case 'or':
      return c.args.some((a) => evaluate(userKey, rec, a));
    case 'not':
      return !evaluate(userKey, rec, c.arg);
    case 'some':
    case 'none': {
      const rel = RELATIONS[rec.entity][c.coll]!;
      const ids = readable(userKey, rel.target);
      const children = [...w.records[rel.target].values()].filter((x) => !x.deleted && ids.has(x.id) && isRelated(rec, x, c.coll));
      const any = children.some((x) => evaluate(userKey, x, c.inner));
      return c.t === 'some' ? any : !any;
    }
  }
}

function isRelated(parent: Rec, child: Rec, name: string): boolean {
  const rel = RELATIONS[parent.entity][name]!;
  if (rel.kind === 'hasMany') return child.refs[rel.ref] === parent.id;
  if (rel.inverseOfList) return ((child.refs[rel.ref] as string[] | undefined) ?? []).includes(parent.id);
  return ((parent.refs[rel.ref] as string[] | undefined) ?? []).includes(child.id);
}

// ---------------------------------------------------------------------------------------------------------

interface Query {
  user: string;
  entity: EntityName;
  filter: Cond | null;
  sort: Array<{ path: Path; desc: boolean }>;
  include: string[];
  fields: string[] | null;
  limit: number;
}

function queryArb(): fc.Arbitrary<Query> {
  return fc.tuple(fc.constantFrom(...USER_KEYS), fc.constantFrom(...ENTITIES)).chain(([user, entity]) =>
    fc.record({
      user: fc.constant(user),
      entity: fc.constant(entity),
      filter: fc.option(condArb(entity, 2), { freq: 5 }),
      sort: fc.array(fc.record({ path: pathArb(entity, 2), desc: fc.boolean() }), { maxLength: 2 }),
      include: fc.subarray(Object.keys(RELATIONS[entity]), { maxLength: Math.min(2, Object.keys(RELATIONS[entity]).length) }),
      fields: fc.option(
        fc.subarray([...Object.keys(LEAVES[entity]).filter((f) => f !== 'id'), ...LISTS[entity]], {
          minLength: 1,
          maxLength: Math.min(3, Object.keys(LEAVES[entity]).length - 1),
        }),
        { freq: 3 },
      ),
      limit: fc.integer({ min: 1, max: 6 }),
    }),
  );
}

function url(qr: Query, cursor?: string): string {
  const parts = [`limit=${qr.limit}`, 'total=exact'];
  if (qr.filter) parts.push(`filter=${encodeURIComponent(JSON.stringify(toLogic(qr.filter)))}`);
  if (qr.sort.length) parts.push(`sort=${qr.sort.map((s) => (s.desc ? '-' : '') + s.path.path).join(',')}`);
  if (qr.include.length) parts.push(`include=${qr.include.join(',')}`);
  if (qr.fields) parts.push(`fields=${qr.fields.join(',')}`);
  if (cursor) parts.push(`cursor=${cursor}`);
  return `/api/v1/${qr.entity}?${parts.join('&')}`;
}

function describeQuery(qr: Query): string {
  return JSON.stringify({
    ...qr,
    filter: qr.filter ? toLogic(qr.filter) : null,
    sort: qr.sort.map((s) => (s.desc ? '-' : '') + s.path.path),
  });
}

/** Every id of the whole fixture that the user may not read, for scanning error answers. */
function unreadableIds(userKey: string): string[] {
  return ENTITIES.flatMap((e) => [...w.records[e].values()].filter((r) => !readable(userKey, e).has(r.id)).map((r) => r.id));
}

async function checkList(qr: Query): Promise<void> {
  const { user, entity } = qr;
  const what = describeQuery(qr);
  const req = as(w, user);
  const first = await req('GET', url(qr));
  if (!can(w, user, entity, 'read')) {
    expect(first.status, what).toBe(403);
    return;
  }
  const valid =
    (qr.filter === null || condValid(user, entity, qr.filter)) &&
    qr.sort.every((s) => pathValid(user, entity, s.path.path)) &&
    qr.include.every((i) => includeAllowed(w, user, entity, i)) &&
    (qr.fields ?? []).every((f) => fieldLevel(w, user, entity, f) !== 'hidden');
  if (!valid) {
    expect(first.status, `${what} -> ${JSON.stringify(first.body)}`).toBe(400);
    const text = JSON.stringify(first.body);
    for (const id of unreadableIds(user)) expect(text.includes(id), `${what}: an error names an unreadable id`).toBe(false);
    return;
  }
  expect(first.status, `${what} -> ${JSON.stringify(first.body).slice(0, 500)}`).toBe(200);
  const inScope = readable(user, entity);
  const matches = [...w.records[entity].values()].filter(
    (r) => !r.deleted && inScope.has(r.id) && (qr.filter === null || evaluate(user, r, qr.filter)),
  );
  expect(first.body.meta.total, `${what}: meta.total`).toBe(matches.length);
  expect(first.body.data.length, `${what}: first page`).toBe(Math.min(qr.limit, matches.length));
  const capped = (await req('GET', url(qr).replace('total=exact', 'total=capped'))).body.meta;
  expect(capped.total, `${what}: capped total`).toBe(Math.min(matches.length, COUNT_CAP));
  expect(capped.totalCapped === true, `${what}: totalCapped`).toBe(matches.length > COUNT_CAP);

  // Follow the cursor to the end: the pages together are exactly the matches, each once.
  const rows: Array<Record<string, unknown>> = [...first.body.data];
  let cursor = first.body.meta.nextCursor as string | null;
  for (let pages = 0; cursor && pages < 40; pages++) {
    const page = await req('GET', url(qr, cursor));
    expect(page.status, `${what}: page ${pages + 2}`).toBe(200);
    expect(page.body.meta.total).toBe(matches.length);
    rows.push(...page.body.data);
    cursor = page.body.meta.nextCursor;
  }
  expect(
    keys(
      w,
      rows.map((r) => r.id),
    ),
    `${what}: all pages`,
  ).toEqual(
    keys(
      w,
      matches.map((m) => m.id),
    ),
  );

  for (const row of rows) {
    const rec = w.records[entity].get(row.id as string)!;
    const full = visible(w, user, rec);
    const allowedKeys = new Set([...SYSTEM_FIELDS, ...(qr.fields ?? Object.keys(full)), ...qr.include]);
    for (const f of qr.fields ?? []) expect(row, `${what}: requested field ${f}`).toHaveProperty(f);
    for (const [k, v] of Object.entries(row)) {
      expect(allowedKeys.has(k), `${what}: unexpected field ${k}`).toBe(true);
      expect(fieldLevel(w, user, entity, k) !== 'hidden' || SYSTEM_FIELDS.has(k), `${what}: hidden field ${k} shown`).toBe(true);
      if (qr.include.includes(k)) {
        const want = expectedInclude(w, user, rec, k, v);
        expect(Array.isArray(v) ? sortById(v as Array<{ id: unknown }>) : v, `${what}: include ${k} on ${rec.key}`).toEqual(want);
      } else {
        expect(v, `${what}: ${k} of ${rec.key}`).toEqual(full[k]);
      }
    }
  }

  // Unreadable related records sort as missing values: they never take part in the order.
  const key = qr.sort[0];
  if (key) {
    const values = rows.map((r) => valueAt(user, w.records[entity].get(r.id as string)!, key.path.path));
    const nullAt = values.map((v) => v === null);
    const [firstNull, lastNull] = [nullAt.indexOf(true), nullAt.lastIndexOf(true)];
    const [firstValue, lastValue] = [nullAt.indexOf(false), nullAt.lastIndexOf(false)];
    if (firstNull >= 0 && firstValue >= 0) {
      if (key.desc) expect(lastNull < firstValue, `${what}: NULLS FIRST`).toBe(true);
      else expect(lastValue < firstNull, `${what}: NULLS LAST`).toBe(true);
    }
    if (key.path.kind === 'int') {
      const nums = values.filter((v): v is number => v !== null);
      const sorted = [...nums].sort((a, b) => (key.desc ? b - a : a - b));
      expect(nums, `${what}: order of ${key.path.path}`).toEqual(sorted);
    }
  }
}

describe("randomised queries never reach outside the caller's scope", () => {
  it(`${RUNS} random list queries (seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(queryArb(), async (qr) => {
        await checkList(qr);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  }, 120_000);

  it('random gets by id (with include and fields) answer 200 exactly for readable records, else 404 or 403', async () => {
    const everything = ENTITIES.flatMap((e) => [...w.records[e].values()]);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...USER_KEYS),
        fc.constantFrom(...everything),
        fc.integer({ min: 0, max: 3 }),
        async (user, rec, n) => {
          const include = Object.keys(RELATIONS[rec.entity])
            .filter((i) => includeAllowed(w, user, rec.entity, i))
            .slice(0, n);
          const res = await as(w, user)('GET', `/api/v1/${rec.entity}/${rec.id}${include.length ? `?include=${include.join(',')}` : ''}`);
          if (!can(w, user, rec.entity, 'read')) {
            expect(res.status).toBe(403);
            return;
          }
          if (rec.deleted || !readable(user, rec.entity).has(rec.id)) {
            expect(res.status, `${user} ${rec.key}`).toBe(404);
            expect(JSON.stringify(res.body)).not.toContain(String(rec.admin.name ?? rec.admin.title ?? '\u0000'));
            return;
          }
          expect(res.status).toBe(200);
          for (const i of include) {
            const got = res.body.data[i];
            expect(Array.isArray(got) ? sortById(got) : got, `${user} ${rec.key} include ${i}`).toEqual(
              expectedInclude(w, user, rec, i, got),
            );
          }
        },
      ),
      { seed: SEED + 1, numRuns: 150 },
    );
  }, 60_000);
});
