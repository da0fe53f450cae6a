// Bad input never gives a 500 or leaks SQL or a stack trace: malformed JSON, non-object bodies, unknown
// entities and fields, deep and huge filters, SQL-looking strings, invalid cursors and ids, oversize bodies.
// Each gets a clear 4xx problem+json. The body limit is set small (TESSERA_BODY_LIMIT=4096) for the 413s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedApiDemo, type ApiDemoSeed } from '../../support/api-demo-seed.js';
import { listUrl } from '../../support/list-url.js';
import { expectProblem, type ApiResponse } from '../../support/problem-checks.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

const BODY_LIMIT = 4096;
const INJECTION = "'; DROP TABLE deal; --";

let t: TestEngine;
let seed: ApiDemoSeed;
let dealId: string;

beforeAll(async () => {
  t = await startTestEngine({
    packs: ['metadata/packs/core', 'tests/fixtures/packs/api-demo'],
    env: { TESSERA_BODY_LIMIT: String(BODY_LIMIT) },
  });
  seed = await seedApiDemo(t);
  const res = await t.request('POST', '/api/v1/deal', { title: 'Target', code: 'TARGET', account: seed.accounts.acme });
  dealId = res.body.data.id;
});

afterAll(async () => {
  await t?.stop();
});

/** A 4xx problem+json that leaks nothing, with the given status when one is named. */
function expectClientProblem(res: ApiResponse, status?: number, code?: string): void {
  expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(400);
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
  expectProblem(res, status ?? res.status, code);
}

async function tableStillThere(): Promise<void> {
  const res = await t.request('GET', `/api/v1/deal/${dealId}`);
  expect(res.status).toBe(200);
  expect(res.body.data.title).toBe('Target');
}

/** Sends a GET whose query is encoded only where URLs require it, to fit long filters under Node's header limit. */
function rawQueryGet(path: string): Promise<ApiResponse> {
  return t.request('GET', path);
}

describe('malformed and non-object bodies', () => {
  it.each([
    ['truncated JSON', '{"title": "x"'],
    ['missing value', '{"title": }'],
    ['trailing comma', '{"title": "x",}'],
    ['single quotes', "{'title': 'x'}"],
    ['bare word', 'hello'],
    ['NaN', '{"quantity": NaN}'],
    ['two documents', '{} {}'],
    ['a lone surrogate pair half in an escape', '{"title": "\\u12"}'],
  ])('%s -> 400', async (_name, body) => {
    expectClientProblem(await t.request('POST', '/api/v1/deal', body), 400, 'request.malformed_json');
    expectClientProblem(await t.request('PATCH', `/api/v1/deal/${dealId}`, body, { 'if-match': '"1"' }), 400, 'request.malformed_json');
  });

  it.each([
    ['an array', '[]'],
    ['an array of records', JSON.stringify([{ title: 'x' }])],
    ['a string', '"deal"'],
    ['a number', '42'],
    ['null', 'null'],
    ['true', 'true'],
  ])('%s -> 400', async (_name, body) => {
    expectClientProblem(await t.request('POST', '/api/v1/deal', body), 400);
    expectClientProblem(await t.request('PATCH', `/api/v1/deal/${dealId}`, body, { 'if-match': '"1"' }), 400);
    expectClientProblem(await t.request('POST', '/api/v1/deal/bulk', body), 400);
  });

  it('a body that is not JSON at all -> 415', async () => {
    expectClientProblem(await t.request('POST', '/api/v1/deal', 'title=x', { 'content-type': 'application/x-www-form-urlencoded' }), 415);
    expectClientProblem(await t.request('POST', '/api/v1/deal', 'title', { 'content-type': 'text/plain' }), 415);
  });

  it('an empty body is an empty object: 422 naming the required fields', async () => {
    expectClientProblem(await t.request('POST', '/api/v1/deal', '', { 'content-type': 'application/json' }), 422, 'validation.failed');
  });

  it('numbers JSON cannot hold exactly are refused', async () => {
    const res = await t.request('POST', '/api/v1/deal', `{"title":"x","account":"${seed.accounts.acme}","quantity":1e400}`);
    expectClientProblem(res, 422, 'validation.failed');
    expectClientProblem(await t.request('POST', '/api/v1/deal', { title: 'x', account: seed.accounts.acme, quantity: 2 ** 31 }), 422);
  });

  it('text with a NUL character is a 4xx, not a database error', async () => {
    expectClientProblem(await t.request('POST', '/api/v1/deal', { title: 'a\u0000b', account: seed.accounts.acme }));
    expectClientProblem(await t.request('POST', '/api/v1/deal', { title: 'a', extra: { note: 'a\u0000b' }, account: seed.accounts.acme }));
    expectClientProblem(await t.request('PATCH', `/api/v1/deal/${dealId}`, { notes: '\u0000' }, { 'if-match': '"1"' }));
  });

  it('deeply nested JSON in a json field is stored or refused, never a 500; a body nested past 64 levels is a 400', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 1500; i++) deep = [deep];
    const res = await t.request('POST', '/api/v1/deal', { title: 'deep', account: seed.accounts.acme, extra: deep });
    expect(res.status).toBeLessThan(500);
    let deepObject: unknown = 1;
    for (let i = 0; i < 600; i++) deepObject = { a: deepObject };
    const res2 = await t.request('POST', '/api/v1/deal', deepObject);
    expectClientProblem(res2, 400, 'request.too_deep');
  });
});

describe('unknown entities, routes, ids', () => {
  it.each([
    ['GET', '/api/v1/nope'],
    ['POST', '/api/v1/nope'],
    ['GET', '/api/v1/nope/01890000-0000-7000-8000-000000000000'],
    ['GET', '/api/v1/deal;DROP'],
    ['GET', `/api/v1/${encodeURIComponent(INJECTION)}`],
    ['GET', '/api/v1/tessera_schema_history'],
    ['GET', '/api/v2/deal'],
    ['GET', '/api/nope'],
    ['GET', `/api/v1/${'x'.repeat(2000)}`],
    ['POST', '/api/v1/deal/01890000-0000-7000-8000-000000000000/actions/nope'],
  ])('%s %s -> 404', async (method, path) => {
    expectClientProblem(await t.request(method, path, method === 'POST' ? {} : undefined), 404);
  });

  it.each([
    'not-a-uuid',
    '1',
    '1%20OR%201%3D1',
    encodeURIComponent(INJECTION),
    '01890000-0000-7000-8000-00000000000',
    '01890000-0000-7000-8000-0000000000000',
    'g1890000-0000-7000-8000-000000000000',
    '%E0%A4%A',
    '..%2F..%2Fetc%2Fpasswd',
  ])('invalid uuid %s -> 404 on GET, PATCH and DELETE', async (id) => {
    expectClientProblem(await t.request('GET', `/api/v1/deal/${id}`), 404, 'record.not_found');
    expectClientProblem(await t.request('PATCH', `/api/v1/deal/${id}`, { title: 'x' }, { 'if-match': '"1"' }), 404, 'record.not_found');
    expectClientProblem(await t.request('DELETE', `/api/v1/deal/${id}`), 404, 'record.not_found');
  });

  it('a well-formed id of no record -> 404', async () => {
    expectClientProblem(await t.request('GET', '/api/v1/deal/01890000-0000-7000-8000-000000000000'), 404, 'record.not_found');
    // an id of another entity is no deal either
    expectClientProblem(await t.request('GET', `/api/v1/deal/${seed.accounts.acme}`), 404, 'record.not_found');
  });

  it('a method the route does not have is a 405 problem', async () => {
    expectClientProblem(await t.request('PUT', `/api/v1/deal/${dealId}`, { title: 'x' }), 405);
    expectClientProblem(await t.request('DELETE', '/api/v1/deal'), 405);
  });
});

describe('unknown fields in filter, sort, fields, include and bodies', () => {
  it.each([
    ['filter', { filter: { '==': [{ var: 'nope' }, 1] } }, 'filter.unknown_field'],
    ['filter var with SQL', { filter: { '==': [{ var: INJECTION }, 1] } }, 'filter.unknown_field'],
    ['filter var path with SQL', { filter: { '==': [{ var: 'account.name; DROP TABLE deal' }, 1] } }, 'filter.unknown_field'],
    ['filter operator with SQL', { filter: { [INJECTION]: [{ var: 'title' }, 1] } }, 'filter.unknown_operator'],
    ['filter some with SQL', { filter: { some: [{ var: `tags) OR (1=1` }, true] } }, 'filter.unknown_field'],
    ['sort', { sort: 'nope' }, undefined],
    ['sort with SQL', { sort: INJECTION }, undefined],
    ['sort with SQL after a field', { sort: 'title desc; DROP TABLE deal' }, undefined],
    ['sort through a relation', { sort: 'account.nope' }, undefined],
    ['fields', { fields: 'title,nope' }, undefined],
    ['fields with SQL', { fields: `title,${INJECTION}` }, undefined],
    ['fields with a star', { fields: '*' }, undefined],
    ['include', { include: 'nope' }, 'query.unknown_include'],
    ['include with SQL', { include: INJECTION }, undefined],
    ['unknown parameter', { where: '1=1' }, 'query.unknown_parameter'],
  ] as Array<[string, Record<string, unknown>, string | undefined]>)('%s -> 400', async (_name, params, code) => {
    expectClientProblem(await t.request('GET', listUrl('deal', params)), 400, code);
  });

  it('a body field named like SQL -> 422 unknown field', async () => {
    const res = await t.request('POST', '/api/v1/deal', { title: 'x', account: seed.accounts.acme, [INJECTION]: 1, 'title"': 2 });
    expectProblem(res, 422, 'validation.failed', [
      { pointer: `/${INJECTION}`, code: 'validation.unknown_field' },
      { pointer: '/title"', code: 'validation.unknown_field' },
    ]);
    await tableStillThere();
  });

  it('SQL-looking strings as values are only values', async () => {
    const created = await t.request('POST', '/api/v1/deal', {
      title: INJECTION,
      notes: "1' OR '1'='1",
      code: 'INJ-1',
      account: seed.accounts.acme,
      extra: { sql: INJECTION },
    });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ title: INJECTION, notes: "1' OR '1'='1", extra: { sql: INJECTION } });
    const found = await t.request('GET', listUrl('deal', { filter: { '==': [{ var: 'title' }, INJECTION] } }));
    expect(found.body.data.map((d: { id: string }) => d.id)).toEqual([created.body.data.id]);
    const contains = await t.request('GET', listUrl('deal', { filter: { contains: [{ var: 'notes' }, "' OR '"] } }));
    expect(contains.body.data).toHaveLength(1);
    const none = await t.request('GET', listUrl('deal', { filter: { in: [{ var: 'code' }, [INJECTION, "') OR 1=1 --"]] } }));
    expect(none.body.data).toEqual([]);
    expectClientProblem(
      await t.request('GET', listUrl('deal', { filter: { '==': [{ var: 'account' }, INJECTION] } })),
      400,
      'filter.invalid_value',
    );
    expectClientProblem(
      await t.request('GET', listUrl('deal', { filter: { '==': [{ var: 'quantity' }, INJECTION] } })),
      400,
      'filter.invalid_value',
    );
    await tableStillThere();
  });
});

describe('hostile filters', () => {
  function nest(depth: number, make: (inner: unknown, level: number) => unknown): unknown {
    let node: unknown = { '==': [{ var: 'code' }, 'TARGET'] };
    for (let i = depth - 1; i >= 0; i--) node = make(node, i);
    return node;
  }

  // Sent with only the escaping URLs require (rawQueryGet), so that deep filters fit in Node's 16 KiB request head.
  it.each([
    ['!', 1000, (x: unknown) => ({ '!': x })],
    ['and', 1000, (x: unknown) => ({ and: [x] })],
    ['or', 1000, (x: unknown) => ({ or: [x] })],
    // deal -> tags -> deals -> tags ...: every level is a real collection of the one before
    ['some', 300, (x: unknown, level: number) => ({ some: [{ var: level % 2 ? 'deals' : 'tags' }, x] })],
  ] as Array<[string, number, (x: unknown, level: number) => unknown]>)(
    'a filter nested deep (%s, %i levels) -> 400 too deep',
    async (_name, depth, make) => {
      const res = await rawQueryGet(`/api/v1/deal?filter=${JSON.stringify(nest(depth, make))}`);
      expectClientProblem(res, 400, 'filter.too_deep');
    },
  );

  it('nested just within the limit still works', async () => {
    const res = await t.request('GET', listUrl('deal', { filter: nest(30, (x) => ({ and: [x] })) }));
    expect(res.status).toBe(200);
    expect(res.body.data.map((d: { code: string }) => d.code)).toEqual(['TARGET']);
  });

  it('JSON nested 7,000 deep -> 400', async () => {
    expectClientProblem(await rawQueryGet(`/api/v1/deal?filter=${'['.repeat(7000)}${']'.repeat(7000)}`), 400);
    expectClientProblem(await rawQueryGet(`/api/v1/deal?filter=${'{"!":'.repeat(1400)}true${'}'.repeat(1400)}`), 400, 'filter.too_deep');
  });

  it('in with 5,000 values -> 400 naming the limit', async () => {
    const filter = JSON.stringify({ in: [{ var: 'quantity' }, Array(5000).fill(7)] });
    const res = await rawQueryGet(`/api/v1/deal?filter=${filter}`);
    expectClientProblem(res, 400, 'filter.too_many_values');
  });

  it('in with 5,000 distinct values -> a 4xx problem, however the URL is sent', async () => {
    const filter = JSON.stringify({ in: [{ var: 'quantity' }, Array.from({ length: 5000 }, (_, i) => i)] });
    expectClientProblem(await t.request('GET', `/api/v1/deal?filter=${encodeURIComponent(filter)}`));
  });

  it('in with 1,000 values is fine', async () => {
    const res = await t.request(
      'GET',
      listUrl('deal', { filter: { in: [{ var: 'code' }, Array.from({ length: 1000 }, (_, i) => `C-${i}`).concat([])] } }),
    );
    expect(res.status).toBe(200);
  });

  it('a filter longer than the filter limit (32 KiB) -> 400', async () => {
    const filter = JSON.stringify({ in: [{ var: 'title' }, Array(40).fill('x'.repeat(1000))] });
    expectClientProblem(await t.request('GET', `/api/v1/deal?filter=${filter}`), 400, 'filter.too_large');
  });

  it.each([
    ['an operator with no arguments', { '==': [] }],
    ['a var of a number', { '==': [{ var: 5 }, 1] }],
    ['a var of an empty string', { '==': [{ var: '' }, 1] }],
    ['a var with a default', { '==': [{ var: ['title', 'x'] }, 1] }],
    ['a nested var', { '==': [{ var: { var: 'title' } }, 1] }],
    ['__proto__', JSON.parse('{"__proto__": [{"var": "title"}, 1]}')],
    ['constructor', { constructor: [{ var: 'title' }, 1] }],
    ['a huge number', { '==': [{ var: 'quantity' }, 1e308] }],
    ['a huge decimal string', { '==': [{ var: 'probability' }, '9'.repeat(500)] }],
    ['a NUL in a string', { '==': [{ var: 'title' }, 'a\u0000b'] }],
    ['an object literal', { '==': [{ var: 'title' }, { a: 1 }] }],
    ['a list literal for ==', { '==': [{ var: 'title' }, ['a']] }],
    ['nested lists for in', { in: [{ var: 'title' }, [['a']]] }],
    ['JSON Logic if', { if: [true, 1, 2] }],
    ['JSON Logic var at the top', { var: 'title' }],
  ])('%s -> 400', async (_name, filter) => {
    expectClientProblem(await t.request('GET', `/api/v1/deal?filter=${encodeURIComponent(JSON.stringify(filter))}`), 400);
  });
});

describe('invalid cursors and parameters', () => {
  it.each([
    'x',
    '====',
    '%00',
    encodeURIComponent(INJECTION),
    Buffer.from(`{"s":"","v":["${INJECTION}"]}`).toString('base64url'),
    Buffer.from('{"s":"","v":[1e400]}').toString('base64url'),
  ])('cursor %s -> 400', async (cursor) => {
    expectClientProblem(await t.request('GET', `/api/v1/deal?cursor=${cursor}`), 400, 'query.invalid_cursor');
  });

  it('a cursor naming no position yields a page, not an error', async () => {
    const res = await t.request('GET', `/api/v1/deal?cursor=${Buffer.from('{"e":"deal","s":"","v":[null]}').toString('base64url')}`);
    expect(res.status).toBe(200);
  });

  it.each(['limit=1e3', 'limit=', 'offset=-1', 'offset=100001', 'total=true', 'sort=', 'sort=,,,', 'fields=', 'include=,'])(
    '%s -> 400 or ignored, never a 500',
    async (query) => {
      const res = await t.request('GET', `/api/v1/deal?${query}`);
      expect(res.status).toBeLessThan(500);
      if (res.status >= 400) expectProblem(res, res.status);
    },
  );

  it('If-Match that is not a version -> 400', async () => {
    for (const ifMatch of ['*', '"abc"', 'W/""', '"1", "2"', '"99999999999"']) {
      expectClientProblem(await t.request('PATCH', `/api/v1/deal/${dealId}`, { title: 'x' }, { 'if-match': ifMatch }), 400);
    }
  });
});

describe('oversize bodies', () => {
  it('a create over the limit -> 413 and nothing written', async () => {
    const before = await t.db.pool.query('SELECT count(*)::int AS n FROM deal');
    const res = await t.request('POST', '/api/v1/deal', { title: 'big', account: seed.accounts.acme, notes: 'x'.repeat(BODY_LIMIT) });
    expectClientProblem(res, 413, 'request.too_large');
    const after = await t.db.pool.query('SELECT count(*)::int AS n FROM deal');
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
  });

  it('a patch, a bulk create and an action body over the limit -> 413', async () => {
    expectClientProblem(
      await t.request('PATCH', `/api/v1/deal/${dealId}`, { notes: 'x'.repeat(BODY_LIMIT * 4) }, { 'if-match': '"1"' }),
      413,
      'request.too_large',
    );
    const items = Array.from({ length: 100 }, (_, i) => ({ title: `bulk ${i}`, account: seed.accounts.acme }));
    expectClientProblem(await t.request('POST', '/api/v1/deal/bulk', { data: items }), 413, 'request.too_large');
    expectClientProblem(await t.request('POST', '/api/v1/deal', 'x'.repeat(BODY_LIMIT + 1)), 413, 'request.too_large');
  });

  it('a body just under the limit is accepted', async () => {
    const res = await t.request('POST', '/api/v1/deal', {
      title: 'fits',
      account: seed.accounts.acme,
      notes: 'x'.repeat(BODY_LIMIT - 200),
    });
    expect(res.status).toBe(201);
  });
});
