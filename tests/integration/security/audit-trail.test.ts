// The audit trail: one row per create, update, delete (single and bulk, one per record), per plugin action,
// and with the values plugin before hooks produced — in the write's transaction (a failed write leaves none).
// Rows name entity, record, action, actor, time, request id and the changed fields before/after. Nobody can
// change or remove them: no API route, and UPDATE/DELETE/TRUNCATE on tessera_audit raise. Plugin actions run
// under the action's own record scope.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../../support/problem-checks.js';
import { startTestEngine, type TestEngine, type TestResponse } from '../../support/test-engine.js';

let t: TestEngine;
const PASSWORD = 'audit-tests-password';
const ids: Record<string, string> = {};
const tokens: Record<string, string> = {};

interface AuditDbRow {
  id: string;
  entity: string;
  record_id: string;
  action: string;
  actor_id: string | null;
  actor_name: string;
  request_id: string;
  at: Date;
  changes: Record<string, { before?: unknown; after?: unknown }>;
}

async function rowsFor(recordId: string): Promise<AuditDbRow[]> {
  const res = await t.db.pool.query<AuditDbRow>(
    'SELECT id::text, entity, record_id, action, actor_id, actor_name, request_id, at, changes FROM tessera_audit a WHERE record_id = $1 ORDER BY a.id',
    [recordId],
  );
  return res.rows;
}

async function total(): Promise<number> {
  const res = await t.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM tessera_audit');
  return Number(res.rows[0]!.n);
}

async function user(username: string, grants: unknown): Promise<void> {
  const res = await t.request('POST', '/api/v1/app_user', { username, display_name: username });
  ids[username] = res.body.data.id;
  await t.request('PUT', `/api/admin/users/${ids[username]}/password`, { password: PASSWORD });
  for (const [i, g] of (Array.isArray(grants) ? grants : [grants]).entries()) {
    const role = await t.request('POST', '/api/v1/role', { code: `${username}_${i}`, name: username, grants: g, members: [ids[username]] });
    if (role.status !== 201) throw new Error(JSON.stringify(role.body));
  }
  tokens[username] = await t.login(username, PASSWORD);
}

const as =
  (username: string) =>
  (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<TestResponse> =>
    t.request(method, path, body, { authorization: `Bearer ${tokens[username]!}`, ...headers });

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'tests/fixtures/packs/api-demo', 'tests/fixtures/packs/plugin-demo'] });
  ids.admin = (await t.request('GET', '/api/auth/me')).body.data.id;
  await user('rep', {
    entities: {
      account: { actions: ['read', 'create', 'update'], scope: 'own', fields: { tier: 'hidden' } },
      deal: { actions: ['read', 'create', 'update', 'delete'], scope: 'own' },
      tag: { actions: ['read'], scope: 'all' },
      note: { actions: ['read', 'create', 'update', 'archive'], scope: 'all' },
    },
  });
  // Reads every note, but the archive grant comes with a scope that reaches no note (note has no owner field).
  await user('archivist', [
    { entities: { note: { actions: ['read'], scope: 'all' } } },
    { entities: { note: { actions: ['archive'], scope: 'own' } } },
  ]);
  ids.account = (await as('rep')('POST', '/api/v1/account', { name: 'Rep account' })).body.data.id;
  ids.hot = (await t.request('POST', '/api/v1/tag', { label_text: 'hot' })).body.data.id;
  ids.cold = (await t.request('POST', '/api/v1/tag', { label_text: 'cold' })).body.data.id;
});

afterAll(async () => {
  await t?.stop();
});

describe('every write path writes exactly one audit row per record', () => {
  it('create: actor, request id, time and every set field as before null / after value (incl. assigned owner and manyToMany)', async () => {
    const requestId = `audit-create-${randomUUID()}`;
    const started = Date.now();
    const res = await as('rep')(
      'POST',
      '/api/v1/deal',
      { title: 'Audited', account: ids.account, quantity: 3, tags: [ids.hot] },
      { 'x-request-id': requestId },
    );
    expect(res.status).toBe(201);
    expect(res.headers.get('x-request-id')).toBe(requestId);
    const rows = await rowsFor(res.body.data.id);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row).toMatchObject({
      entity: 'deal',
      record_id: res.body.data.id,
      action: 'create',
      actor_id: ids.rep,
      actor_name: 'rep',
      request_id: requestId,
    });
    expect(new Date(row.at).getTime()).toBeGreaterThanOrEqual(started - 5000);
    expect(new Date(row.at).getTime()).toBeLessThanOrEqual(Date.now() + 5000);
    expect(row.changes).toMatchObject({
      title: { before: null, after: 'Audited' },
      quantity: { before: null, after: 3 },
      account: { before: null, after: ids.account },
      owner: { before: null, after: ids.rep },
      stage: { before: null, after: 'lead' },
      won: { before: null, after: false },
      tags: { after: [ids.hot] },
    });
    expect(row.changes).not.toHaveProperty('version');
    expect(row.changes).not.toHaveProperty('created_at');
    ids.deal = res.body.data.id;
    // The same through the API.
    const history = await as('rep')('GET', `/api/v1/deal/${ids.deal}/history`);
    expect(history.status).toBe(200);
    expect(history.body.data).toHaveLength(1);
    expect(history.body.data[0]).toMatchObject({
      action: 'create',
      actor_id: ids.rep,
      actor_name: 'rep',
      request_id: requestId,
      changes: row.changes,
    });
  });

  it('update: only the changed fields, with before and after', async () => {
    const cur = await as('rep')('GET', `/api/v1/deal/${ids.deal}`);
    const res = await as('rep')(
      'PATCH',
      `/api/v1/deal/${ids.deal}`,
      { title: 'Audited v2', quantity: 3, stage: 'proposal', tags: [ids.cold] },
      { 'if-match': `"${String(cur.body.data.version)}"` },
    );
    expect(res.status).toBe(200);
    const rows = await rowsFor(ids.deal!);
    expect(rows.map((r) => r.action)).toEqual(['create', 'update']);
    expect(rows[1]!.changes).toEqual({
      title: { before: 'Audited', after: 'Audited v2' },
      stage: { before: 'lead', after: 'proposal' },
      tags: { after: [ids.cold] },
    });
    expect(rows[1]!.actor_id).toBe(ids.rep);
  });

  it('delete: one row with the values before', async () => {
    const res = await as('rep')('DELETE', `/api/v1/deal/${ids.deal}`);
    expect(res.status).toBe(200);
    const rows = await rowsFor(ids.deal!);
    expect(rows.map((r) => r.action)).toEqual(['create', 'update', 'delete']);
    expect(rows[2]!.changes).toMatchObject({ title: { before: 'Audited v2', after: null }, stage: { before: 'proposal', after: null } });
  });

  it('bulk create: one row per record, sharing the request id', async () => {
    const requestId = `audit-bulk-${randomUUID()}`;
    const res = await as('rep')(
      'POST',
      '/api/v1/deal/bulk',
      { data: [1, 2, 3].map((n) => ({ title: `Bulk ${n}`, account: ids.account })) },
      { 'x-request-id': requestId },
    );
    expect(res.status).toBe(201);
    const made = res.body.data.map((d: { id: string }) => d.id) as string[];
    const rows = await t.db.pool.query<AuditDbRow>(
      'SELECT record_id, action, actor_id, changes FROM tessera_audit a WHERE request_id = $1 ORDER BY a.id',
      [requestId],
    );
    expect(rows.rows.map((r) => r.record_id)).toEqual(made);
    expect(rows.rows.every((r) => r.action === 'create' && r.actor_id === ids.rep)).toBe(true);
    expect(rows.rows.map((r) => r.changes.title?.after)).toEqual(['Bulk 1', 'Bulk 2', 'Bulk 3']);
  });

  it('writes to users, roles and org units (by the admin) are audited too', async () => {
    const requestId = `audit-core-${randomUUID()}`;
    const unit = await t.request(
      'POST',
      '/api/v1/org_unit',
      { code: 'AUD', name: 'Audit dept', parent: null },
      { 'x-request-id': requestId },
    );
    expect(unit.status).toBe(201);
    const u = await t.request('GET', `/api/v1/app_user/${ids.archivist}`);
    const moved = await t.request(
      'PATCH',
      `/api/v1/app_user/${ids.archivist}`,
      { org_unit: unit.body.data.id },
      { 'if-match': `"${String(u.body.data.version)}"`, 'x-request-id': requestId },
    );
    expect(moved.status).toBe(200);
    const rows = await t.db.pool.query<AuditDbRow>(
      'SELECT entity, record_id, action, actor_id, changes FROM tessera_audit a WHERE request_id = $1 ORDER BY a.id',
      [requestId],
    );
    expect(rows.rows.map((r) => [r.entity, r.action, r.actor_id])).toEqual([
      ['org_unit', 'create', ids.admin],
      ['app_user', 'update', ids.admin],
    ]);
    expect(rows.rows[1]!.changes).toEqual({ org_unit: { before: null, after: unit.body.data.id } });
  });

  it('a failed write leaves no audit row (validation, out of scope after the insert, version conflict, bulk with one bad record)', async () => {
    const before = await total();
    expect((await as('rep')('POST', '/api/v1/deal', { title: '', account: ids.account })).status).toBe(422);
    // Passes every check until the scope check after the INSERT: the row and its audit entry are rolled back.
    const outOfScope = await as('rep')('POST', '/api/v1/account', { name: 'Given away', owner: null });
    expect(outOfScope.status, JSON.stringify(outOfScope.body)).toBe(403);
    const cur = (await as('rep')('GET', `/api/v1/account/${ids.account}`)).body.data;
    expect(
      (await as('rep')('PATCH', `/api/v1/account/${ids.account}`, { name: 'Stale' }, { 'if-match': `"${String(cur.version + 9)}"` }))
        .status,
    ).toBe(409);
    expect(
      (
        await as('rep')('POST', '/api/v1/deal/bulk', {
          data: [
            { title: 'ok', account: ids.account },
            { title: 'bad', account: randomUUID() },
          ],
        })
      ).status,
    ).toBe(422);
    expect(await total()).toBe(before);
    const given = await t.request(
      'GET',
      `/api/v1/account?filter=${encodeURIComponent(JSON.stringify({ '==': [{ var: 'name' }, 'Given away'] }))}&total=exact`,
    );
    expect(given.body.meta.total).toBe(0);
  });
});

describe('plugin hooks and actions (plugins/sample on the plugin-demo note)', () => {
  it('the values a before hook produced are the audited ones', async () => {
    const res = await as('rep')('POST', '/api/v1/note', { title: '   Trim me   ' });
    expect(res.status).toBe(201);
    expect(res.body.data.title).toBe('Trim me');
    const rows = await rowsFor(res.body.data.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.changes.title).toEqual({ before: null, after: 'Trim me' });
    ids.note = res.body.data.id;
  });

  it('a write a before hook refuses leaves no record and no audit row', async () => {
    const before = await total();
    const res = await as('rep')('POST', '/api/v1/note', { title: 'a forbidden title' });
    expectProblem(res, 422);
    expect(await total()).toBe(before);
  });

  it('an action writes an action:<name> row with its input, actor and request id, in its transaction', async () => {
    const requestId = `audit-action-${randomUUID()}`;
    const res = await as('rep')(
      'POST',
      `/api/v1/note/${ids.note}/actions/archive`,
      { reason: 'done with it' },
      { 'x-request-id': requestId },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toMatchObject({ archived: true, reason: 'done with it' });
    const rows = await rowsFor(ids.note!);
    expect(rows.map((r) => r.action)).toEqual(['create', 'action:archive']);
    expect(rows[1]).toMatchObject({ entity: 'note', actor_id: ids.rep, actor_name: 'rep', request_id: requestId });
    expect(rows[1]!.changes.input).toEqual({ after: { reason: 'done with it' } });
    const history = await as('rep')('GET', `/api/v1/note/${ids.note}/history`);
    expect(history.body.data[0]).toMatchObject({ action: 'action:archive', request_id: requestId });
    // Invalid input: no row.
    const before = await total();
    expectProblem(await as('rep')('POST', `/api/v1/note/${ids.note}/actions/archive`, { reason: 'x' }), 422, 'validation.failed');
    expect(await total()).toBe(before);
  });

  it("an action's audit row records the fields it changed, before and after (archived false -> true)", async () => {
    const note = await as('rep')('POST', '/api/v1/note', { title: 'Archive me' });
    const res = await as('rep')('POST', `/api/v1/note/${String(note.body.data.id)}/actions/archive`, { reason: 'finished' });
    expect(res.status).toBe(200);
    const rows = await rowsFor(note.body.data.id);
    expect(rows[1]!.changes).toMatchObject({ archived: { before: false, after: true } });
  });

  it('an action obeys the scope of the grant that gives it, not just the read scope', async () => {
    const note = await t.request('POST', '/api/v1/note', { title: 'Not yours to archive' });
    const archivist = as('archivist');
    // Readable through the first role ...
    expect((await archivist('GET', `/api/v1/note/${String(note.body.data.id)}`)).status).toBe(200);
    // ... but the archive grant's scope (own, on an entity without owner) reaches no note: readable only -> 403.
    const before = await rowsFor(note.body.data.id);
    const res = await archivist('POST', `/api/v1/note/${String(note.body.data.id)}/actions/archive`, { reason: 'out of scope' });
    expectProblem(res, 403);
    expect((await t.request('GET', `/api/v1/note/${String(note.body.data.id)}`)).body.data.archived).toBe(false);
    expect(await rowsFor(note.body.data.id)).toEqual(before);
  });

  it('an action on a record outside the read scope is a 404, and without the action grant a 403', async () => {
    const res = await as('archivist')('POST', `/api/v1/note/${randomUUID()}/actions/archive`, { reason: 'missing' });
    expectProblem(res, 404, 'record.not_found');
    const deal = await as('rep')('POST', '/api/v1/deal', { title: 'no action here', account: ids.account });
    expect(deal.status).toBe(201);
    await user('reader', { entities: { note: { actions: ['read'], scope: 'all' } } });
    expectProblem(await as('reader')('POST', `/api/v1/note/${ids.note}/actions/archive`, { reason: 'not allowed' }), 403, 'access.denied');
  });
});

describe('audit rows cannot be changed or removed', () => {
  it('UPDATE and DELETE on tessera_audit raise, even straight in SQL', async () => {
    const n = await total();
    await expect(t.db.pool.query("UPDATE tessera_audit SET actor_name = 'someone else'")).rejects.toThrow(/audit rows cannot be changed/);
    await expect(t.db.pool.query('DELETE FROM tessera_audit')).rejects.toThrow(/audit rows cannot be changed/);
    await expect(
      t.db.pool.query("UPDATE tessera_audit SET changes = '{}' WHERE id = (SELECT max(id) FROM tessera_audit)"),
    ).rejects.toThrow();
    expect(await total()).toBe(n);
  });

  it('TRUNCATE on tessera_audit raises as well', async () => {
    const n = await total();
    const client = await t.db.pool.connect();
    let error: unknown;
    try {
      await client.query('BEGIN');
      try {
        await client.query('TRUNCATE tessera_audit');
      } catch (err) {
        error = err;
      }
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
    expect(await total()).toBe(n);
    expect(String(error), 'TRUNCATE must be refused like DELETE').toMatch(/audit rows cannot be changed/);
  });

  it('no API route reads or writes the audit table other than history (read-only)', async () => {
    const n = await total();
    const deal = (await as('rep')('POST', '/api/v1/deal', { title: 'history target', account: ids.account })).body.data.id as string;
    const after = await total();
    expect(after).toBe(n + 1);
    for (const [method, path] of [
      ['GET', '/api/v1/tessera_audit'],
      ['POST', '/api/v1/tessera_audit'],
      ['DELETE', `/api/v1/tessera_audit/${randomUUID()}`],
      ['DELETE', `/api/v1/deal/${deal}/history`],
      ['PATCH', `/api/v1/deal/${deal}/history`],
      ['PUT', `/api/v1/deal/${deal}/history`],
      ['POST', `/api/v1/deal/${deal}/history`],
      ['GET', '/api/audit'],
      ['GET', '/api/v1/audit'],
    ] as const) {
      for (const req of [t.request.bind(t), as('rep')]) {
        const res = await req(method, path, method === 'GET' || method === 'DELETE' ? undefined : {});
        expect([404, 405], `${method} ${path}: ${res.status}`).toContain(res.status);
      }
    }
    expect(await total()).toBe(after);
  });

  it('history is newest first by audit id as a number, also across 99 -> 100 (not ordered as text)', async () => {
    const made = await as('rep')('POST', '/api/v1/account', { name: 'Order check' });
    const max = Number((await t.db.pool.query<{ m: string }>('SELECT max(id)::text AS m FROM tessera_audit')).rows[0]!.m);
    // Push the audit sequence past the next power of ten with one bulk request, then change the account.
    const next = 10 ** String(max).length;
    const filler = next - max + 1;
    expect(filler).toBeLessThanOrEqual(1000);
    const bulk = await t.request('POST', '/api/v1/tag/bulk', {
      data: Array.from({ length: filler }, (_, i) => ({ label_text: `filler-${max}-${i}` })),
    });
    expect(bulk.status).toBe(201);
    const up = await as('rep')(
      'PATCH',
      `/api/v1/account/${String(made.body.data.id)}`,
      { name: 'Order check 2' },
      { 'if-match': `"${String(made.body.data.version)}"` },
    );
    expect(up.status).toBe(200);
    const rows = await rowsFor(made.body.data.id);
    expect(rows.map((r) => r.action)).toEqual(['create', 'update']);
    expect(String(rows[0]!.id).length).toBeLessThan(String(rows[1]!.id).length);
    const history = await as('rep')('GET', `/api/v1/account/${String(made.body.data.id)}/history`);
    expect(
      history.body.data.map((r: { action: string }) => r.action),
      'newest first',
    ).toEqual(['update', 'create']);
    const page = await as('rep')('GET', `/api/v1/account/${String(made.body.data.id)}/history?limit=1`);
    expect(
      page.body.data.map((r: { action: string }) => r.action),
      'the first page holds the newest row',
    ).toEqual(['update']);
  });

  it('history pages through the rows newest first', async () => {
    const made = await as('rep')('POST', '/api/v1/account', { name: 'Pager' });
    let version = made.body.data.version as number;
    for (let i = 0; i < 4; i++) {
      const res = await as('rep')(
        'PATCH',
        `/api/v1/account/${String(made.body.data.id)}`,
        { name: `Pager ${i}` },
        { 'if-match': `"${version}"` },
      );
      version = res.body.data.version;
    }
    const first = await as('rep')('GET', `/api/v1/account/${String(made.body.data.id)}/history?limit=2`);
    expect(first.body.data.map((r: { changes: { name: { after: string } } }) => r.changes.name.after)).toEqual(['Pager 3', 'Pager 2']);
    const next = await as('rep')(
      'GET',
      `/api/v1/account/${String(made.body.data.id)}/history?limit=2&before=${String(first.body.meta.nextBefore)}`,
    );
    expect(next.body.data.map((r: { changes: { name: { after: string } } }) => r.changes.name.after)).toEqual(['Pager 1', 'Pager 0']);
    expectProblem(await as('rep')('GET', `/api/v1/account/${String(made.body.data.id)}/history?before=abc`), 400);
  });
});
