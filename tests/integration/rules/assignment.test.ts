// Assignment rules and the public pool (#19) on the assignment-demo pack, through HTTP, on both databases:
// round-robin fairness over 1,000 records, least-loaded, the cap, release and claim, the return of stale records
// (admin endpoint and `tessera pool-return`), and the assignment history with its reasons.
//
//   HQ ─┬─ EAST (e1, e2, e3: role sales_east)
//       ├─ WEST (w1, w2: role sales_west)
//       └─ NORTH (n1; role north_team has no members, so its rule is skipped)
// lead: east+it/telecom -> sales_east round-robin; west -> org unit WEST least-loaded; north -> north_team (nobody)
// then users [n1]; anything else -> the pool. Cap: 3 open (status != closed) leads per user.
// inquiry: every record -> sales_east round-robin, no cap.
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, readPack, removeDir, writePackSource } from '../../support/pack-builder.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

const run = promisify(execFile);
const PACKS = ['metadata/packs/core', 'tests/fixtures/packs/assignment-demo'];
const POOL_SHARING = { isNull: [{ var: 'owner' }] };

let t: TestEngine;
const users: Record<string, { id: string; token: string }> = {};
const nameOf = new Map<string, string>();

async function post(path: string, body: unknown, token?: string): Promise<any> {
  const res = await t.request('POST', path, body, token ? { authorization: `Bearer ${token}` } : {});
  if (res.status !== 201) throw new Error(`POST ${path} ${JSON.stringify(body)}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
}

function lead(region: string, industry: string | null, extra: Record<string, unknown> = {}): Promise<any> {
  return post('/api/v1/lead', { title: `${region} ${industry ?? '-'}`, region, ...(industry ? { industry } : {}), ...extra });
}

const ownerName = (rec: { owner: string | null }) => (rec.owner === null ? null : (nameOf.get(rec.owner) ?? rec.owner));

function action(name: string, id: string, who: string) {
  return t.request('POST', `/api/v1/lead/${id}/actions/${name}`, undefined, { authorization: `Bearer ${users[who]!.token}` });
}

async function sql(text: string, values: unknown[] = []): Promise<any[]> {
  return (await t.db.pool.query(text, values)).rows;
}

beforeAll(async () => {
  t = await startTestEngine({ packs: PACKS });
  const hq = await t.request('GET', `/api/v1/org_unit?filter=${encodeURIComponent(JSON.stringify({ '==': [{ var: 'code' }, 'HQ'] }))}`);
  const units: Record<string, string> = {};
  for (const code of ['EAST', 'WEST', 'NORTH']) {
    units[code] = (await post('/api/v1/org_unit', { code, name: `Unit ${code}`, unit_type: 'branch', parent: hq.body.data[0].id })).id;
  }
  // Created in this order, so ids (UUIDv7) order them: e1 < e2 < e3, w1 < w2.
  const defs: Array<[string, string]> = [
    ['e1', 'EAST'],
    ['e2', 'EAST'],
    ['e3', 'EAST'],
    ['w1', 'WEST'],
    ['w2', 'WEST'],
    ['n1', 'NORTH'],
  ];
  for (const [username, unit] of defs) {
    const u = await post('/api/v1/app_user', { username, display_name: username.toUpperCase(), org_unit: units[unit], locale: 'en' });
    const pw = await t.request('PUT', `/api/admin/users/${u.id}/password`, { password: `${username}-password-1` });
    expect(pw.status).toBe(204);
    users[username] = { id: u.id, token: '' };
    nameOf.set(u.id, username);
  }
  const grants = {
    entities: {
      lead: { actions: ['read', 'create', 'update'], scope: 'own', sharing: [POOL_SHARING] },
      inquiry: { actions: ['read'], scope: 'own' },
    },
  };
  const members = (...names: string[]) => names.map((n) => users[n]!.id);
  await post('/api/v1/role', { code: 'sales_east', name: 'Sales east', grants, members: members('e1', 'e2', 'e3') });
  await post('/api/v1/role', { code: 'sales_west', name: 'Sales west', grants, members: members('w1', 'w2', 'n1') });
  await post('/api/v1/role', { code: 'north_team', name: 'North team', grants, members: [] });
  for (const [username] of defs) users[username]!.token = await t.login(username, `${username}-password-1`);
});

afterAll(async () => {
  await t?.stop();
});

describe('round-robin', () => {
  it('spreads 1,000 records sent concurrently over the role members, counts differing by at most 1', async () => {
    const batches = await Promise.all(
      [0, 1, 2, 3].map((b) =>
        post('/api/v1/inquiry/bulk', { data: Array.from({ length: 250 }, (_, i) => ({ subject: `inquiry ${b}-${i}` })) }),
      ),
    );
    const counts = new Map<string | null, number>();
    for (const rec of batches.flat()) counts.set(ownerName(rec), (counts.get(ownerName(rec)) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual(['e1', 'e2', 'e3']);
    const values = [...counts.values()];
    expect(values.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(Math.max(...values) - Math.min(...values)).toBeLessThanOrEqual(1);
    const history = await sql(
      `SELECT reason, rule_name, count(*)::int AS n FROM tessera_assignment_history WHERE entity = 'inquiry' GROUP BY 1, 2`,
    );
    expect(history).toEqual([{ reason: 'rule', rule_name: 'everyone_east', n: 1000 }]);
  });
});

describe('leads', () => {
  // Each test starts with no open leads, so earlier tests' assignments do not count against the cap.
  beforeEach(async () => {
    await sql(`UPDATE lead SET status = 'closed'`);
  });

  it('tries the rules in order: conditions, a rule whose target has no users is skipped, no match goes to the pool', async () => {
    const eastIt = await lead('east', 'it');
    expect(['e1', 'e2', 'e3']).toContain(ownerName(eastIt));
    const eastRetail = await lead('east', 'retail');
    expect(eastRetail.owner).toBeNull();
    const north = await lead('north', 'retail');
    expect(ownerName(north)).toBe('n1');
    const reasons = await sql(
      `SELECT record_id::text AS id, reason, rule_name FROM tessera_assignment_history WHERE record_id = ANY($1::uuid[])`,
      [[eastIt.id, eastRetail.id, north.id]],
    );
    const byId = Object.fromEntries(reasons.map((r) => [r.id, [r.reason, r.rule_name]]));
    expect(byId[eastIt.id]).toEqual(['rule', 'east_it']);
    expect(byId[eastRetail.id]).toEqual(['no_match', null]);
    expect(byId[north.id]).toEqual(['rule', 'north_named']);
  });

  it('an owner named by the client is kept and recorded as manual', async () => {
    const rec = await lead('east', 'it', { owner: users.w2!.id });
    expect(ownerName(rec)).toBe('w2');
    const h = await t.request('GET', `/api/v1/lead/${rec.id}/assignments`);
    expect(h.body.data.map((r: any) => [r.reason, r.to?.username])).toEqual([['manual', 'w2']]);
  });

  it('least-loaded picks the user with the fewest open records, and the pool when all are at the cap', async () => {
    await lead('south', null, { owner: users.w1!.id });
    await lead('south', null, { owner: users.w1!.id });
    const owners: Array<string | null> = [];
    for (let i = 0; i < 5; i++) owners.push(ownerName(await lead('west', 'retail')));
    // w1 2 / w2 0 -> w2, w2; tie 2/2 -> w1 (first by id); w1 3 / w2 2 -> w2; both at the cap -> pool.
    expect(owners).toEqual(['w2', 'w2', 'w1', 'w2', null]);
    const last = await sql(`SELECT reason, rule_name FROM tessera_assignment_history WHERE entity = 'lead' ORDER BY id DESC LIMIT 1`);
    expect(last).toEqual([{ reason: 'cap_full', rule_name: 'west' }]);
  });

  it('round-robin skips users at the cap; when every user is at it the record goes to the pool', async () => {
    const e1Leads = [];
    for (let i = 0; i < 3; i++) e1Leads.push(await lead('south', null, { owner: users.e1!.id }));
    const owners: Array<string | null> = [];
    for (let i = 0; i < 6; i++) owners.push(ownerName(await lead('east', 'telecom')));
    expect(owners).not.toContain('e1');
    expect(owners.filter((o) => o === 'e2')).toHaveLength(3);
    expect(owners.filter((o) => o === 'e3')).toHaveLength(3);
    expect(ownerName(await lead('east', 'it'))).toBeNull();
    // A closed lead no longer counts: e1 has room again.
    const first = e1Leads[0];
    const closed = await t.request('PATCH', `/api/v1/lead/${first.id}`, { status: 'closed' }, { 'if-match': `"${first.version}"` });
    expect(closed.status).toBe(200);
    expect(ownerName(await lead('east', 'it'))).toBe('e1');
  });

  it('release and claim: the owner releases, another rep claims, the cap holds on claims', async () => {
    const rec = await lead('east', 'it');
    const owner = ownerName(rec)!;
    const other = ['e1', 'e2', 'e3'].find((u) => u !== owner)!;
    // Someone else's lead is not theirs to see, release or claim.
    expect((await action('release', rec.id, other)).status).toBe(404);
    expect((await action('claim', rec.id, other)).status).toBe(404);
    const released = await action('release', rec.id, owner);
    expect(released.status).toBe(200);
    expect(released.body.data).toMatchObject({ id: rec.id, owner: null, version: rec.version + 1 });
    const again = await action('release', rec.id, owner);
    expect([again.status, again.body.type]).toEqual([409, expect.stringContaining('assignment.already_in_pool')]);
    // Pool records are shared with every rep (the role's sharing rule), so w1 sees and claims it.
    const claimed = await action('claim', rec.id, 'w1');
    expect(claimed.status).toBe(200);
    expect(claimed.body.data.owner).toBe(users.w1!.id);
    const stored = (await t.request('GET', `/api/v1/lead/${rec.id}`)).body.data;
    expect(stored.last_activity_at).not.toBeNull();
    const notInPool = await action('claim', rec.id, 'w2');
    expect(notInPool.status).toBe(404);
    const own = await action('claim', rec.id, 'w1');
    expect([own.status, own.body.type]).toEqual([409, expect.stringContaining('assignment.not_in_pool')]);
    // The administrator may release anyone's lead (update scope all).
    expect((await t.request('POST', `/api/v1/lead/${rec.id}/actions/release`)).status).toBe(200);
    // w1 at the cap cannot claim.
    for (let i = 0; i < 3; i++) await lead('south', null, { owner: users.w1!.id });
    const capped = await action('claim', rec.id, 'w1');
    expect([capped.status, capped.body.type]).toEqual([409, expect.stringContaining('assignment.cap_reached')]);
    expect((await action('claim', rec.id, 'w2')).status).toBe(200);
  });

  it('returns records without activity for 30 days to the pool: the admin endpoint, then tessera pool-return', async () => {
    const mk = () => lead('south', null, { owner: users.n1!.id, status: 'working' });
    const old = await mk();
    const recent = await mk();
    const neverActive = await mk();
    const inPool = await lead('south', null);
    await sql(`UPDATE lead SET last_activity_at = now() - interval '40 days' WHERE id = ANY($1::uuid[])`, [[old.id, inPool.id]]);
    await sql(`UPDATE lead SET last_activity_at = now() - interval '10 days' WHERE id = $1`, [recent.id]);
    await sql(`UPDATE lead SET created_at = now() - interval '40 days' WHERE id = $1`, [neverActive.id]);
    const denied = await t.request('POST', '/api/admin/assignment/lead/pool-return', undefined, {
      authorization: `Bearer ${users.n1!.token}`,
    });
    expect(denied.status).toBe(403);
    const res = await t.request('POST', '/api/admin/assignment/lead/pool-return');
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ entity: 'lead', returned: 2 });
    const owners = async () =>
      Object.fromEntries(
        (await sql(`SELECT id::text AS id, owner_id FROM lead WHERE id = ANY($1::uuid[])`, [[old.id, recent.id, neverActive.id]])).map(
          (r) => [r.id, r.owner_id],
        ),
      );
    expect(await owners()).toEqual({ [old.id]: null, [recent.id]: users.n1!.id, [neverActive.id]: null });
    const audit = await sql(`SELECT action, changes FROM tessera_audit WHERE record_id = $1 ORDER BY id DESC LIMIT 1`, [old.id]);
    expect(audit[0]).toEqual({ action: 'action:pool_return', changes: { owner: { before: users.n1!.id, after: null } } });

    await sql(`UPDATE lead SET last_activity_at = now() - interval '31 days' WHERE id = $1`, [recent.id]);
    const env = { ...process.env, DATABASE_URL: t.db.url, TESSERA_PACKS: resolve(PACKS[0]!), LOG_LEVEL: 'warn' };
    const cli = await run(process.execPath, [resolve('bin/tessera.js'), 'pool-return', 'lead'], { env, timeout: 60_000 });
    expect(cli.stdout).toContain('Returned 1 lead record(s) to the pool.');
    expect((await owners())[recent.id]).toBeNull();
    const last = await t.request('GET', `/api/v1/lead/${recent.id}/assignments`);
    expect(last.body.data[0]).toMatchObject({
      reason: 'pool_return',
      from: { username: 'n1' },
      to: null,
      actor: { id: null, name: 'tessera pool-return' },
    });
  });

  it('keeps every change of assignee with its reason, for readers of the record', async () => {
    const rec = await lead('east', 'it');
    const first = ownerName(rec)!;
    const next = ['e1', 'e2', 'e3'].find((u) => u !== first)!;
    expect((await action('release', rec.id, first)).status).toBe(200);
    expect((await action('claim', rec.id, next)).status).toBe(200);
    const current = (await t.request('GET', `/api/v1/lead/${rec.id}`)).body.data;
    const patched = await t.request('PATCH', `/api/v1/lead/${rec.id}`, { owner: users.n1!.id }, { 'if-match': `"${current.version}"` });
    expect(patched.status).toBe(200);
    await sql(`UPDATE lead SET last_activity_at = now() - interval '31 days' WHERE id = $1`, [rec.id]);
    expect((await t.request('POST', '/api/admin/assignment/lead/pool-return')).body.data.returned).toBeGreaterThanOrEqual(1);

    const res = await t.request('GET', `/api/v1/lead/${rec.id}/assignments`);
    expect(res.status).toBe(200);
    const rows = res.body.data.map((r: any) => [
      r.reason,
      r.from?.username ?? null,
      r.to?.username ?? null,
      r.rule?.name ?? null,
      r.actor.name,
    ]);
    expect(rows).toEqual([
      ['pool_return', 'n1', null, null, 'admin'],
      ['manual', next, 'n1', null, 'admin'],
      ['claim', null, next, null, next],
      ['release', first, null, null, first],
      ['rule', null, first, 'east_it', 'admin'],
    ]);
    // In the pool the lead is shared with every rep; owned by someone else it is not readable, nor its history.
    expect(
      (await t.request('GET', `/api/v1/lead/${rec.id}/assignments`, undefined, { authorization: `Bearer ${users.w2!.token}` })).status,
    ).toBe(200);
    expect((await action('claim', rec.id, 'w2')).status).toBe(200);
    expect(
      (await t.request('GET', `/api/v1/lead/${rec.id}/assignments`, undefined, { authorization: `Bearer ${users.e1!.token}` })).status,
    ).toBe(404);
  });
});

describe('meta', () => {
  it('shows the assignment configuration of the entity', async () => {
    const res = await t.request('GET', '/api/meta');
    const leadMeta = res.body.entities.find((e: any) => e.name === 'lead');
    expect(leadMeta.assignment).toMatchObject({
      ownerField: 'owner',
      cap: { max: 3 },
      pool: { returnAfterDays: 30, activityField: 'last_activity_at' },
    });
    expect(leadMeta.assignment.rules.map((r: any) => [r.name, r.strategy])).toEqual([
      ['east_it', 'roundRobin'],
      ['west', 'leastLoaded'],
      ['north_nobody', 'roundRobin'],
      ['north_named', 'roundRobin'],
    ]);
    expect(res.body.entities.find((e: any) => e.name === 'app_user').assignment).toBeUndefined();
  });

  it('documents the pool actions and the history in OpenAPI, for each caller what they may use', async () => {
    const doc = (await t.request('GET', '/api/openapi.json')).body;
    expect((await new Validator().validate(doc)).valid).toBe(true);
    expect(Object.keys(doc.paths).filter((p) => /assignment|actions/.test(p))).toEqual(
      expect.arrayContaining([
        '/api/v1/lead/{id}/actions/release',
        '/api/v1/lead/{id}/actions/claim',
        '/api/v1/lead/{id}/assignments',
        '/api/admin/assignment/lead/pool-return',
      ]),
    );
    const rep = (await t.request('GET', '/api/openapi.json', undefined, { authorization: `Bearer ${users.e1!.token}` })).body;
    expect(rep.paths['/api/v1/lead/{id}/actions/claim']).toBeDefined();
    expect(rep.paths['/api/admin/assignment/lead/pool-return']).toBeUndefined();
  });
});

describe('tessera validate', () => {
  it('refuses a bad condition and an unknown target form, naming file, pointer and rule', async () => {
    const root = makeTempDir('tessera-assignment-cli-');
    try {
      const pack = readPack(resolve(PACKS[1]!));
      const lead: any = pack.entities.find((e) => e.name === 'lead');
      lead.assignment.rules[0].when = { '==': [{ var: 'regoin' }, 'east'] };
      lead.assignment.rules[2].to = { team: 'north' };
      const dir = writePackSource(join(root, 'assignment_demo'), pack);
      const env = { ...process.env, TESSERA_PACKS: resolve(PACKS[0]!), LOG_LEVEL: 'warn' };
      const failed = await run(process.execPath, [resolve('bin/tessera.js'), 'validate', dir], { env, timeout: 60_000 }).then(
        () => undefined,
        (e: { code: number; stderr: string }) => e,
      );
      expect(failed?.code).toBe(1);
      const file = join(dir, 'entities', 'lead.json');
      expect(failed?.stderr).toContain(`${file}#/assignment/rules/2/to  [assignment.unknown_target]`);
      // The meta-schema and cross-reference problems come first; conditions are checked once those pass.
      lead.assignment.rules[2].to = { role: 'north_team' };
      writePackSource(dir, pack);
      const again = await run(process.execPath, [resolve('bin/tessera.js'), 'validate', dir], { env, timeout: 60_000 }).then(
        () => undefined,
        (e: { code: number; stderr: string }) => e,
      );
      expect(again?.stderr).toContain(`${file}#/assignment/rules/0/when/==/0  [filter.unknown_field]`);
    } finally {
      removeDir(root);
    }
  });
});
