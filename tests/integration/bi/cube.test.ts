// Cube inside the engine (#22 parts 2 and 3), on both databases: a Tessera token is exchanged for a Cube token; random
// queries over users x measures x dimensions x filters equal hand-written SQL under each user's scope (through the join
// to customers too); hidden-field members are refused and absent from /meta; only Cube's query routes are reachable;
// a published Model is compiled without a restart.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../../engine/src/metadata/load-model.js';
import { BI_USERS, setupBiWorld, type BiWorld } from '../../support/bi-world.js';
import { BUILTIN_RULES } from '../../support/builtin-rules.js';
import { makeTempDir, removeDir } from '../../support/pack-builder.js';
import { startTestEngine, type TestEngine, type TestResponse } from '../../support/test-engine.js';

type Rec = Record<string, any>;
let t: TestEngine;
let world: BiWorld;
const cubeTokens: Record<string, string> = {};
const tmp = makeTempDir('tessera-bi-');

async function cubeToken(user: string): Promise<string> {
  const res = await t.request('POST', '/api/bi/token', {}, { authorization: `Bearer ${world.tokens[user]}` });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data.token;
}

async function load(token: string, query: Rec): Promise<TestResponse> {
  for (;;) {
    const res = await t.request('GET', `/cubejs-api/v1/load?query=${encodeURIComponent(JSON.stringify(query))}`, undefined, {
      authorization: token,
    });
    if (res.body?.error !== 'Continue wait') return res;
  }
}

beforeAll(async () => {
  // A copy of the CRM pack, so that a changed version of it can be published later in the file.
  cpSync(resolve('metadata/packs/crm'), join(tmp, 'crm'), { recursive: true });
  t = await startTestEngine({ packs: ['metadata/packs/core', join(tmp, 'crm')] });
  world = await setupBiWorld(t, 18);
  for (const user of BI_USERS) cubeTokens[user] = await cubeToken(user);
});

afterAll(async () => {
  await t?.stop();
  removeDir(tmp);
});

const MEASURES: Record<string, string> = {
  'opportunity.count': 'count(*)',
  'opportunity.amount_sum_cny': `sum(o.amount) FILTER (WHERE o.amount_currency = 'CNY')`,
  'opportunity.amount_sum_usd': `sum(o.amount) FILTER (WHERE o.amount_currency = 'USD')`,
  'opportunity.budget_sum': 'sum(o.budget)',
  'opportunity.budget_avg': 'avg(o.budget)',
  'opportunity.weighted_pipeline': `sum(o.amount_cny * o.confidence / 100) FILTER (WHERE o.stage NOT IN ('won', 'lost'))`,
  'opportunity.won_count': `count(*) FILTER (WHERE o.stage = 'won')`,
};
const DIMENSIONS: Record<string, string> = {
  'opportunity.priority': 'o.priority',
  'opportunity.amount_currency': 'o.amount_currency',
  'customer.region': 'c.region',
  'opportunity.stage': 'o.stage',
};
const FILTERS: ReadonlyArray<{ cube: Rec; sql: string }> = [
  { cube: { member: 'opportunity.priority', operator: 'equals', values: ['high'] }, sql: `o.priority = 'high'` },
  { cube: { member: 'customer.region', operator: 'equals', values: ['east'] }, sql: `c.region = 'east'` },
  { cube: { member: 'opportunity.amount', operator: 'gt', values: ['5000'] }, sql: 'o.amount > 5000' },
];

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

function pick<T>(next: () => number, items: readonly T[], n: number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < n && pool.length) out.push(...pool.splice(Math.floor(next() * pool.length), 1));
  return out;
}

/** Rows as comparable text: dimension values, then measures as numbers to 6 places. */
function normalise(rows: Rec[], dims: string[], measures: string[]): string[] {
  const num = (v: unknown) => (v === null || v === undefined ? 'null' : Number(v).toFixed(6));
  return rows.map((r) => [...dims.map((d) => String(r[d] ?? null)), ...measures.map((m) => num(r[m]))].join(' | ')).sort();
}

describe('Cube in the engine', () => {
  it('gives each user exactly the aggregates of their scope, for random queries', async () => {
    const next = random(22);
    for (let i = 0; i < 24; i++) {
      const user = BI_USERS[i % 3] ?? 'rep_east';
      const measures = pick(next, Object.keys(MEASURES), 1 + Math.floor(next() * 3)).filter(
        (m) => user !== 'rep_south' || !m.startsWith('opportunity.budget'),
      );
      if (measures.length === 0) measures.push('opportunity.count');
      const dims = pick(next, Object.keys(DIMENSIONS), Math.floor(next() * 3));
      const filters = pick(next, FILTERS, Math.floor(next() * 2));
      const query = { measures, dimensions: dims, filters: filters.map((f) => f.cube), limit: 10000 };
      const res = await load(cubeTokens[user] ?? '', query);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const sql = `SELECT ${[...dims.map((d, j) => `${DIMENSIONS[d]} AS "d${j}"`), ...measures.map((m, j) => `${MEASURES[m]} AS "m${j}"`)].join(', ')}
        FROM opportunity o LEFT JOIN customer c ON c.id = o.customer_id AND c.deleted_at IS NULL AND c.owner_id = ANY($1)
        WHERE o.deleted_at IS NULL AND o.owner_id = ANY($1) ${filters.map((f) => `AND ${f.sql}`).join(' ')}
        ${dims.length ? `GROUP BY ${dims.map((_, j) => j + 1).join(', ')}` : ''}`;
      const expected = (await t.db.pool.query(sql, [world.scope[user]])).rows.map((r: Rec) =>
        Object.fromEntries([...dims.map((d, j) => [d, r[`d${j}`]]), ...measures.map((m, j) => [m, r[`m${j}`]])]),
      );
      expect(normalise(res.body.data, dims, measures), `${user}: ${JSON.stringify(query)}`).toEqual(normalise(expected, dims, measures));
      expect(expected.length).toBeGreaterThan(0);
    }
  });

  it('refuses members on hidden fields and leaves them out of /meta', async () => {
    const south = cubeTokens.rep_south ?? '';
    for (const query of [
      { measures: ['opportunity.budget_sum'] },
      { measures: ['opportunity.count'], dimensions: ['opportunity.budget'] },
      { measures: ['opportunity.count'], filters: [{ member: 'opportunity.budget', operator: 'gt', values: ['1'] }] },
      { measures: ['opportunity.count'], filters: [{ or: [{ member: 'opportunity.budget', operator: 'set' }] }] },
      { measures: ['lead.count'] },
    ]) {
      const res = await load(south, query);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(JSON.stringify(res.body)).not.toMatch(/SELECT|stack/);
    }
    const meta = await t.request('GET', '/cubejs-api/v1/meta', undefined, { authorization: south });
    expect(meta.status).toBe(200);
    const cubes = meta.body.cubes as Rec[];
    // The opportunities, their customers, and the opportunities rolled up along the org tree (a report's cube).
    expect(cubes.map((c) => c.name).sort()).toEqual(['customer', 'opportunity', 'opportunity__department_tree']);
    const names = cubes.flatMap((c) => [...(c.measures ?? []), ...(c.dimensions ?? [])].map((m: Rec) => m.name as string));
    expect(names).toContain('opportunity.amount_sum_cny');
    expect(names).toContain('opportunity__department_tree.amount_sum_cny');
    expect(names.filter((n) => n.includes('budget'))).toEqual([]);
    // Another user still sees the budget.
    const east = await t.request('GET', '/cubejs-api/v1/meta', undefined, { authorization: cubeTokens.rep_east ?? '' });
    expect(east.body.cubes.find((c: Rec) => c.name === 'opportunity').measures.map((m: Rec) => m.name)).toContain('opportunity.budget_sum');
  });

  it('lets only a Cube token of a signed-in user reach Cube, and only its query routes', async () => {
    const query = encodeURIComponent(JSON.stringify({ measures: ['opportunity.count'] }));
    expect((await t.request('GET', `/cubejs-api/v1/load?query=${query}`, undefined, { authorization: '' })).status).toBe(401);
    const withSession = await t.request('GET', `/cubejs-api/v1/load?query=${query}`, undefined, {
      authorization: world.tokens.rep_east ?? '',
    });
    expect(withSession.status).toBe(401);
    expect((await t.request('POST', '/api/bi/token', {}, { authorization: '' })).status).toBe(401);
    for (const path of ['/cubejs-api/v1/run-scheduled-refresh', '/cubejs-api/v1/pre-aggregations/jobs', '/cubejs-api/playground/token']) {
      const res = await t.request('GET', path, undefined, { authorization: cubeTokens.rep_east ?? '' });
      expect(res.status, path).toBe(404);
    }
    // A Cube token lasts only while the token it was exchanged for: signing out ends it.
    const session = await t.login('rep_east', 'rep_east-password');
    const exchanged = await t.request('POST', '/api/bi/token', {}, { authorization: `Bearer ${session}` });
    const cube = exchanged.body.data.token as string;
    expect((await load(cube, { measures: ['opportunity.count'] })).status).toBe(200);
    expect((await t.request('POST', '/api/auth/logout', {}, { authorization: `Bearer ${session}` })).status).toBeLessThan(300);
    expect((await load(cube, { measures: ['opportunity.count'] })).status).toBe(401);
    // Cube's system routes and the playground's are not mounted at all.
    for (const path of ['/cubejs-system/v1/context', '/playground/token', '/playground/db-schema', '/playground/env']) {
      const res = await t.request('POST', path, {}, { authorization: `Bearer ${world.tokens.rep_east}` });
      expect(res.status, path).toBe(404);
    }
  });

  it('compiles a published Model without a restart', async () => {
    const file = join(tmp, 'crm', 'entities', 'opportunity.json');
    const spec = JSON.parse(readFileSync(file, 'utf8')) as Rec;
    spec.analytics.measures.push({
      name: 'high_count',
      label: { en: 'High priority' },
      aggregate: 'count',
      filter: { '==': [{ var: 'priority' }, 'high'] },
    });
    writeFileSync(file, JSON.stringify(spec));
    const before = await load(cubeTokens.rep_east ?? '', { measures: ['opportunity.high_count'] });
    expect(before.status).toBe(400);
    const model = loadModel([resolve('metadata/packs/core'), join(tmp, 'crm')], { kinds: BUILTIN_RULES.kinds });
    await t.engine.publish(model);
    const after = await load(cubeTokens.rep_east ?? '', { measures: ['opportunity.high_count'] });
    expect(after.status, JSON.stringify(after.body)).toBe(200);
    const { rows } = await t.db.pool.query(
      `SELECT count(*) AS n FROM opportunity WHERE deleted_at IS NULL AND owner_id = $1 AND priority = 'high'`,
      [world.ids.rep_east],
    );
    expect(Number(after.body.data[0]['opportunity.high_count'])).toBe(Number(rows[0].n));
  });
});
