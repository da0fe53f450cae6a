// Compiled list plans are reused per caller and query string. These tests send the same query string again
// after everything a plan depends on has changed: the data, the caller's scope and hidden fields, the caller
// (another user, a new sign-in) and the published Model. The answer must always be today's.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';
import { publishReviewed } from '../../support/publish-reviewed.js';

const ROOT = resolve(import.meta.dirname, '../../..');
let t: TestEngine;
let packDir: string;
let units: { a: string; b: string };
const PASSWORD = 'plan-cache-password';

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

async function ok(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<any> {
  const res = await t.request(method, path, body, headers);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function user(username: string, unit: string): Promise<{ id: string; token: string }> {
  const u = (await ok('POST', '/api/v1/app_user', { username, display_name: username, org_unit: unit })).data;
  await ok('PUT', `/api/admin/users/${u.id}/password`, { password: PASSWORD });
  return { id: u.id, token: await t.login(username, PASSWORD) };
}

const QUERY = `/api/v1/account?filter=${encodeURIComponent(JSON.stringify({ '>=': [{ var: 'tier' }, 2] }))}&sort=-tier,name&limit=10`;

async function names(token: string, path = QUERY): Promise<string[]> {
  return ((await ok('GET', path, undefined, bearer(token))).data as Array<{ name: string }>).map((r) => r.name);
}

beforeAll(async () => {
  // A private copy of the demo pack, so the test can change it and publish.
  packDir = mkdtempSync(join(tmpdir(), 'tessera-plan-cache-'));
  cpSync(resolve(ROOT, 'tests/fixtures/packs/api-demo'), packDir, { recursive: true });
  t = await startTestEngine({ packs: ['metadata/packs/core', packDir] });
  const unit = async (code: string) => (await ok('POST', '/api/v1/org_unit', { name: code, code, unit_type: 'branch' })).data.id as string;
  units = { a: await unit('PC-A'), b: await unit('PC-B') };
  for (const [name, tier, org] of [
    ['a-two', 2, units.a],
    ['a-three', 3, units.a],
    ['a-one', 1, units.a],
    ['b-four', 4, units.b],
    ['b-two', 2, units.b],
  ] as const) {
    await ok('POST', '/api/v1/account', { name, tier, org_unit: org });
  }
});

afterAll(async () => {
  await t?.stop();
  rmSync(packDir, { recursive: true, force: true });
});

describe('a list asked again with the same query string', () => {
  it('sees rows written since it was first asked', async () => {
    expect(await names(t.adminToken)).toEqual(['b-four', 'a-three', 'a-two', 'b-two']);
    await ok('POST', '/api/v1/account', { name: 'a-five', tier: 5, org_unit: units.a });
    expect(await names(t.adminToken)).toEqual(['a-five', 'b-four', 'a-three', 'a-two', 'b-two']);
  });

  it("follows a change of the caller's scope and hidden fields at once", async () => {
    const rep = await user('pc.rep', units.a);
    const role = (
      await ok('POST', '/api/v1/role', {
        code: 'pc_unit',
        name: 'Unit reader',
        members: [rep.id],
        grants: { entities: { account: { actions: ['read'], scope: 'orgUnit' } } },
      })
    ).data;
    expect(await names(rep.token)).toEqual(['a-five', 'a-three', 'a-two']);
    const widened = await ok(
      'PATCH',
      `/api/v1/role/${role.id}`,
      { grants: { entities: { account: { actions: ['read'], scope: 'all', fields: { tier: 'hidden' } } } } },
      { 'if-match': `"${role.version}"` },
    );
    // The filter and sort name a field that is hidden now: the same query string is refused, not served.
    const refused = await t.request('GET', QUERY, undefined, bearer(rep.token));
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0]).toMatchObject({ pointer: '/>=/0', code: 'filter.unknown_field' });
    const plain = `/api/v1/account?sort=name&limit=10`;
    const all = (await ok('GET', plain, undefined, bearer(rep.token))).data as Array<Record<string, unknown>>;
    expect(all.map((r) => r.name)).toEqual(['a-five', 'a-one', 'a-three', 'a-two', 'b-four', 'b-two']);
    expect(all.every((r) => !('tier' in r))).toBe(true);
    await ok(
      'PATCH',
      `/api/v1/role/${role.id}`,
      { grants: { entities: { account: { actions: ['read'], scope: 'orgUnit' } } } },
      { 'if-match': `"${widened.data.version}"` },
    );
    const narrowed = (await ok('GET', plain, undefined, bearer(rep.token))).data as Array<Record<string, unknown>>;
    expect(narrowed.map((r) => r.name)).toEqual(['a-five', 'a-one', 'a-three', 'a-two']);
    expect(narrowed.every((r) => typeof r.tier === 'number')).toBe(true);
  });

  it('is answered for each caller within their own scope', async () => {
    const east = await user('pc.east', units.a);
    const west = await user('pc.west', units.b);
    await ok('POST', '/api/v1/role', {
      code: 'pc_unit2',
      name: 'Unit reader 2',
      members: [east.id, west.id],
      grants: { entities: { account: { actions: ['read'], scope: 'orgUnit' } } },
    });
    for (let i = 0; i < 2; i++) {
      expect(await names(east.token)).toEqual(['a-five', 'a-three', 'a-two']);
      expect(await names(west.token)).toEqual(['b-four', 'b-two']);
    }
  });

  it('keeps paging: the first page is reused, its cursor still leads to the rest', async () => {
    const first = await ok('GET', '/api/v1/account?sort=name&limit=2');
    const again = await ok('GET', '/api/v1/account?sort=name&limit=2');
    expect(again).toEqual(first);
    const second = await ok('GET', `/api/v1/account?sort=name&limit=2&cursor=${first.meta.nextCursor}`);
    expect([...first.data, ...second.data].map((r: { name: string }) => r.name)).toEqual(['a-five', 'a-one', 'a-three', 'a-two']);
  });

  it('shows a field published since it was first asked', async () => {
    const before = (await ok('GET', QUERY)).data as Array<Record<string, unknown>>;
    expect(before[0]).not.toHaveProperty('website');
    const file = join(packDir, 'entities/account.json');
    const account = JSON.parse(readFileSync(file, 'utf8'));
    account.fields.push({ id: 'demo.account.website', name: 'website', kind: 'url', label: { en: 'Website' } });
    writeFileSync(file, JSON.stringify(account, null, 2));
    const published = (await publishReviewed(t.request)).body;
    expect(published.data.changed).toBe(true);
    const after = (await ok('GET', QUERY)).data as Array<Record<string, unknown>>;
    expect(after.map((r) => r.name)).toEqual(before.map((r) => r.name));
    expect(after.every((r) => r.website === null)).toBe(true);
  });
});
