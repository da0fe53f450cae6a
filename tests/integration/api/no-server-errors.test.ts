// Requests the #18 fuzz answered with a 500, each now a clear 4xx (or, for an empty PATCH, a no-op): bodies
// nested thousands of levels deep, non-uuid self-references, text PostgreSQL cannot store in action inputs,
// login fields and filters, cursors from another entity, sort lists with empty entries. Packs: core, api-demo
// and plugin-demo (the sample plugin's `archive` action); the default body limit, so deep bodies get parsed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedApiDemo, type ApiDemoSeed } from '../../support/api-demo-seed.js';
import { listUrl } from '../../support/list-url.js';
import { expectProblem } from '../../support/problem-checks.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

let t: TestEngine;
let seed: ApiDemoSeed;
let deal: { id: string; version: number };
let note: { id: string; version: number };
let unit: { id: string; version: number };

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'tests/fixtures/packs/api-demo', 'tests/fixtures/packs/plugin-demo'] });
  seed = await seedApiDemo(t);
  deal = (await t.request('POST', '/api/v1/deal', { title: 'Target', account: seed.accounts.acme, tags: [seed.tags.hot] })).body.data;
  note = (await t.request('POST', '/api/v1/note', { title: 'A note' })).body.data;
  unit = (await t.request('POST', '/api/v1/org_unit', { code: 'U1', name: 'Unit one', unit_type: 'department' })).body.data;
});

afterAll(async () => {
  await t?.stop();
});

function nested(depth: number): string {
  return `{"title":"deep","extra":${'['.repeat(depth)}1${']'.repeat(depth)}}`;
}

async function auditCount(recordId: string): Promise<number> {
  const res = await t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM tessera_audit WHERE record_id = $1', [recordId]);
  return res.rows[0]?.n ?? -1;
}

describe('bodies nested too deep', () => {
  it('a body nested 5,000 levels deep is a 400 on every route, not a stack overflow', async () => {
    const body = nested(5000);
    const ifMatch = { 'if-match': `"${deal.version}"` };
    for (const [method, path, headers] of [
      ['POST', '/api/v1/deal', {}],
      ['PATCH', `/api/v1/deal/${deal.id}`, ifMatch],
      ['POST', '/api/v1/deal/bulk', {}],
      ['POST', `/api/v1/note/${note.id}/actions/archive`, {}],
      ['POST', '/api/auth/login', { authorization: '' }],
      ['POST', '/api/auth/tokens', {}],
    ] as const) {
      expectProblem(await t.request(method, path, body, headers), 400, 'request.too_deep');
    }
  });

  it('a json field nested within the depth limit is stored', async () => {
    const res = await t.request(
      'POST',
      '/api/v1/deal',
      `{"title":"nested","account":"${seed.accounts.acme}","extra":${'['.repeat(60)}1${']'.repeat(60)}}`,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });
});

describe('self-references that are not ids', () => {
  it.each(['abc', '$1', 'a\u0000b', ''])(
    'parent %j on an org unit and manager on a user are 422s before the cycle guard',
    async (value) => {
      expectProblem(
        await t.request('PATCH', `/api/v1/org_unit/${unit.id}`, { parent: value }, { 'if-match': `"${unit.version}"` }),
        422,
        'validation.failed',
        [{ pointer: '/parent' }],
      );
      expectProblem(
        await t.request('PATCH', `/api/v1/app_user/${seed.users.alice}`, { manager: value }, { 'if-match': '"1"' }),
        422,
        'validation.failed',
        [{ pointer: '/manager' }],
      );
      expectProblem(
        await t.request('POST', '/api/v1/org_unit', { code: 'U2', name: 'Unit two', unit_type: 'department', parent: value }),
        422,
        'validation.failed',
        [{ pointer: '/parent' }],
      );
    },
  );

  it('a real cycle is still refused', async () => {
    expectProblem(
      await t.request('PATCH', `/api/v1/org_unit/${unit.id}`, { parent: unit.id }, { 'if-match': `"${unit.version}"` }),
      422,
      'validation.failed',
      [{ pointer: '/parent', code: 'validation.cycle' }],
    );
  });
});

describe('text PostgreSQL cannot store', () => {
  it.each(['fin\u0000e', 'half \ud800 pair'])('in a plugin action input (%j) is a 422 and the action does not run', async (reason) => {
    const before = await auditCount(note.id);
    expectProblem(await t.request('POST', `/api/v1/note/${note.id}/actions/archive`, { reason }), 422, 'validation.failed', [
      { pointer: '/reason', code: 'validation.invalid_characters' },
    ]);
    expect((await t.request('GET', `/api/v1/note/${note.id}`)).body.data).toMatchObject({ archived: false, version: note.version });
    expect(await auditCount(note.id)).toBe(before);
  });

  it('in a login username is a 422; in a password it is only a wrong password', async () => {
    expectProblem(
      await t.request('POST', '/api/auth/login', { username: 'ad\u0000min', password: 'whatever-it-is' }, { authorization: '' }),
      422,
      'validation.failed',
      [{ pointer: '/username', code: 'validation.invalid_characters' }],
    );
    expectProblem(
      await t.request('POST', '/api/auth/login', { username: '\udc00', password: 'whatever-it-is' }, { authorization: '' }),
      422,
      'validation.failed',
      [{ pointer: '/username' }],
    );
    expectProblem(
      await t.request('POST', '/api/auth/login', { username: 'admin', password: 'pass\u0000word' }, { authorization: '' }),
      401,
      'auth.invalid_credentials',
    );
  });

  it('in an API token name is a 422', async () => {
    expectProblem(await t.request('POST', '/api/auth/tokens', { name: 'ci\u0000' }), 422, 'validation.failed', [
      { pointer: '/name', code: 'validation.invalid_characters' },
    ]);
  });

  it('in a filter string is a 400 naming where it sits', async () => {
    const filter = { some: [{ var: 'tags' }, { in: [{ var: 'label_text' }, ['hot', 'a\u0000b']] }] };
    expectProblem(await t.request('GET', listUrl('deal', { filter })), 400, undefined, [
      { pointer: '/filter/some/1/in/1/1', code: 'validation.invalid_characters' },
    ]);
  });
});

describe('list parameters', () => {
  it('a cursor issued for another entity is refused', async () => {
    const accounts = await t.request('GET', listUrl('account', { limit: 1 }));
    const cursor = accounts.body.meta.nextCursor as string;
    expect(typeof cursor).toBe('string');
    const res = await t.request('GET', listUrl('deal', { cursor }));
    expectProblem(res, 400, 'query.invalid_cursor', [{ pointer: '/cursor' }]);
    expect(res.body.detail).toContain('another entity');
    expect((await t.request('GET', listUrl('account', { cursor }))).status).toBe(200);
  });

  it.each(['sort=,', 'sort=title,', 'sort=,title', 'sort=-', 'fields=title,,code', 'include=,'])(
    '%s (an empty entry) is a 400',
    async (query) => {
      const name = query.split('=')[0] as string;
      expectProblem(await t.request('GET', `/api/v1/deal?${query}`), 400, 'query.invalid_parameter', [{ pointer: `/${name}` }]);
    },
  );

  it('an empty sort, fields or include is the same as none', async () => {
    for (const query of ['sort=', 'fields=', 'include=']) {
      const res = await t.request('GET', `/api/v1/deal?${query}&limit=1`);
      expect(res.status, query).toBe(200);
      expect(res.body.data[0], query).toHaveProperty('title');
    }
  });
});

describe('an empty PATCH', () => {
  it('changes nothing: the current record at its version, no audit row, no new updated_at', async () => {
    const current = (await t.request('GET', `/api/v1/deal/${deal.id}`)).body.data;
    const audits = await auditCount(deal.id);
    for (const [body, headers] of [
      [{}, { 'if-match': `"${current.version}"` }],
      [{ version: current.version }, {}],
    ] as const) {
      const res = await t.request('PATCH', `/api/v1/deal/${deal.id}`, body, headers);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.data).toEqual(current);
      expect(res.headers.get('etag')).toBe(`"${current.version}"`);
    }
    expect(await auditCount(deal.id)).toBe(audits);
    expect((await t.request('GET', `/api/v1/deal/${deal.id}`)).body.data).toEqual(current);
  });

  it('still checks the version, the record and the permission', async () => {
    const current = (await t.request('GET', `/api/v1/deal/${deal.id}`)).body.data;
    expectProblem(
      await t.request('PATCH', `/api/v1/deal/${deal.id}`, {}, { 'if-match': `"${current.version + 1}"` }),
      409,
      'record.version_conflict',
    );
    expectProblem(
      await t.request('PATCH', `/api/v1/deal/01890000-0000-7000-8000-000000000000`, {}, { 'if-match': '"1"' }),
      404,
      'record.not_found',
    );
    expectProblem(await t.request('PATCH', `/api/v1/deal/${deal.id}`, {}), 428, 'request.version_required');
  });
});
