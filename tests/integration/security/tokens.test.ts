// Bearer tokens: every route but login and health needs one (401 problem+json); session tokens (JWT) cannot
// be tampered with (payload, signature, alg none, other algorithms, issuer, foreign key, forged session, expired
// claim); logout, password resets, deactivation and deletion revoke; API tokens (tsk_...) work as Bearer with the
// owner's access and stop working when revoked or expired.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../../support/problem-checks.js';
import { startTestEngine, type TestEngine, type TestResponse } from '../../support/test-engine.js';

let t: TestEngine;
let secret: Uint8Array;
const users: Record<string, string> = {};
let adminId: string;
let noteId: string;
let accountId: string;
const PASSWORD = 'token-tests-password';

async function createUser(username: string, grants?: unknown): Promise<string> {
  const res = await t.request('POST', '/api/v1/app_user', { username, display_name: username });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  const id = res.body.data.id as string;
  await t.request('PUT', `/api/admin/users/${id}/password`, { password: PASSWORD });
  if (grants) await t.request('POST', '/api/v1/role', { code: `r_${username}`, name: username, grants, members: [id] });
  return id;
}

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'tests/fixtures/packs/api-demo', 'tests/fixtures/packs/plugin-demo'] });
  const s = await t.db.pool.query<{ value: string }>("SELECT value FROM tessera_secret WHERE name = 'jwt'");
  secret = new TextEncoder().encode(s.rows[0]!.value);
  const me = await t.request('GET', '/api/auth/me');
  adminId = me.body.data.id;
  for (const name of ['rep', 'victim', 'leaver', 'deleted', 'reset', 'apiuser']) {
    users[name] = await createUser(name, { entities: { account: { actions: ['read'], scope: 'own' } } });
  }
  accountId = (await t.request('POST', '/api/v1/account', { name: 'Rep account', owner: users.rep })).body.data.id;
  await t.request('POST', '/api/v1/account', { name: "Someone else's account" });
  noteId = (await t.request('POST', '/api/v1/note', { title: 'A note' })).body.data.id;
});

afterAll(async () => {
  await t?.stop();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const parts = (token: string) => {
  const [h, p, s] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h!, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(p!, 'base64url').toString()),
    h: h!,
    p: p!,
    s: s!,
  };
};

function expect401(res: TestResponse, what: string, code = 'auth.invalid_token'): void {
  expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(401);
  expectProblem(res, 401, code);
}

describe('every route but login and health needs a token', () => {
  function routes(): Array<[string, string, unknown?]> {
    const x = randomUUID();
    const list: Array<[string, string, unknown?]> = [
      ['GET', '/api/meta'],
      ['GET', '/api/openapi.json'],
      ['GET', '/api/auth/me'],
      ['POST', '/api/auth/logout', {}],
      ['GET', '/api/auth/tokens'],
      ['POST', '/api/auth/tokens', { name: 'x' }],
      ['DELETE', `/api/auth/tokens/${x}`],
      ['PUT', '/api/auth/password', { currentPassword: 'a', newPassword: 'b' }],
      ['PUT', `/api/admin/users/${x}/password`, { password: 'abcdefghijk' }],
      ['GET', '/api/admin/model/plan'],
      ['POST', '/api/admin/model/publish', {}],
      ['GET', '/api/admin/model/history'],
      ['GET', '/api/plugins/sample/ping'],
      ['POST', `/api/v1/note/${noteId}/actions/archive`, { reason: 'because' }],
      ['GET', '/api/nope'],
      ['GET', '/api/v1/nope'],
      // `/` is the runtime UI's page (public: it signs in by itself); the API beneath it is not.
      ['GET', '/api'],
      ['GET', '/api/v1/tessera_audit'],
    ];
    for (const e of ['account', 'deal', 'tag', 'note', 'note_event', 'app_user', 'org_unit', 'role']) {
      list.push(
        ['GET', `/api/v1/${e}`],
        ['POST', `/api/v1/${e}`, {}],
        ['POST', `/api/v1/${e}/bulk`, { data: [{}] }],
        ['GET', `/api/v1/${e}/export`],
        ['GET', `/api/v1/${e}/${x}`],
        ['PATCH', `/api/v1/${e}/${x}`, {}],
        ['DELETE', `/api/v1/${e}/${x}`],
        ['GET', `/api/v1/${e}/${x}/history`],
      );
    }
    return list;
  }

  it('without a token: 401 problem+json with WWW-Authenticate, before any routing or validation', async () => {
    for (const [method, path, body] of routes()) {
      const res = await t.request(method, path, body, { authorization: '' });
      expect401(res, `${method} ${path}`, 'auth.required');
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
  });

  it('with a malformed or unknown token, or another scheme: 401', async () => {
    const bad = [
      'Bearer nonsense',
      'Bearer tsk_unknown',
      'Bearer a.b.c',
      `Basic ${Buffer.from('admin:test-admin-password').toString('base64')}`,
      'Bearer',
      t.adminToken,
    ];
    for (const [method, path, body] of routes().slice(0, 20)) {
      for (const header of bad) {
        const res = await t.request(method, path, body, { authorization: header });
        expect(res.status, `${method} ${path} with ${header.slice(0, 20)}`).toBe(401);
        expectProblem(res, 401);
      }
    }
    // A token elsewhere than the Authorization header is not looked at.
    expect401(
      await t.request('GET', `/api/meta?access_token=${t.adminToken}`, undefined, { authorization: '' }),
      'query token',
      'auth.required',
    );
    expect401(
      await t.request('GET', '/api/meta', undefined, { authorization: '', cookie: `token=${t.adminToken}` }),
      'cookie token',
      'auth.required',
    );
  });

  it('health and login are public; login answers 401 only for wrong credentials', async () => {
    const health = await t.request('GET', '/api/health', undefined, { authorization: '' });
    expect(health.status).toBe(200);
    expect(JSON.stringify(health.body)).not.toMatch(/admin|password|secret/i);
    const login = await t.request('POST', '/api/auth/login', { username: 'rep', password: PASSWORD }, { authorization: '' });
    expect(login.status).toBe(200);
    expect(login.body.data.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(login.body.data.user).toMatchObject({ username: 'rep', isAdmin: false });
  });
});

describe('session token tampering', () => {
  let token: string;
  beforeAll(async () => {
    token = await t.login('victim', PASSWORD);
  });

  it('the genuine token works', async () => {
    const me = await t.request('GET', '/api/auth/me', undefined, bearer(token));
    expect(me.status).toBe(200);
    expect(me.body.data.id).toBe(users.victim);
    const { header, payload } = parts(token);
    expect(header.alg).toBe('HS256');
    expect(payload).toMatchObject({ iss: 'tessera', sub: users.victim });
  });

  it('a changed payload (sub = admin, later exp) with the original signature is refused', async () => {
    const { h, s, payload } = parts(token);
    expect401(await t.request('GET', '/api/auth/me', undefined, bearer(`${h}.${b64({ ...payload, sub: adminId })}.${s}`)), 'sub changed');
    expect401(
      await t.request('GET', '/api/auth/me', undefined, bearer(`${h}.${b64({ ...payload, exp: payload.exp + 86400 })}.${s}`)),
      'exp changed',
    );
  });

  it('a changed signature is refused', async () => {
    const { h, p, s } = parts(token);
    const flipped = (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    expect401(await t.request('GET', '/api/auth/me', undefined, bearer(`${h}.${p}.${flipped}`)), 'signature changed');
    expect401(await t.request('GET', '/api/auth/me', undefined, bearer(`${h}.${p}.`)), 'signature dropped');
  });

  it('alg none and other algorithms are refused', async () => {
    const { p, payload } = parts(token);
    for (const alg of ['none', 'None', 'NONE']) {
      expect401(await t.request('GET', '/api/auth/me', undefined, bearer(`${b64({ alg, typ: 'JWT' })}.${p}.`)), `alg ${alg}`);
      expect401(
        await t.request('GET', '/api/auth/me', undefined, bearer(`${b64({ alg, typ: 'JWT' })}.${b64({ ...payload, sub: adminId })}.`)),
        `alg ${alg} as admin`,
      );
    }
    const hs512 = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS512' })
      .setIssuer('tessera')
      .setSubject(users.victim!)
      .setJti(payload.jti)
      .setExpirationTime('1h')
      .sign(secret);
    expect401(await t.request('GET', '/api/auth/me', undefined, bearer(hs512)), 'HS512 with the real key');
  });

  it('a wrong issuer, a foreign key, a forged session id or a swapped subject are refused even when well signed', async () => {
    const { payload } = parts(token);
    const sign = (claims: { iss?: string; sub: string; jti: string; exp?: number }, key = secret) => {
      let jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(claims.sub).setJti(claims.jti).setIssuedAt();
      if (claims.iss) jwt = jwt.setIssuer(claims.iss);
      jwt = jwt.setExpirationTime(claims.exp ?? Math.floor(Date.now() / 1000) + 3600);
      return jwt.sign(key);
    };
    // Control: the real key, issuer and session make a token that works (so the refusals below are about the claim changed).
    expect(
      (await t.request('GET', '/api/auth/me', undefined, bearer(await sign({ iss: 'tessera', sub: users.victim!, jti: payload.jti }))))
        .status,
    ).toBe(200);
    expect401(
      await t.request('GET', '/api/auth/me', undefined, bearer(await sign({ iss: 'evil', sub: users.victim!, jti: payload.jti }))),
      'wrong issuer',
    );
    expect401(await t.request('GET', '/api/auth/me', undefined, bearer(await sign({ sub: users.victim!, jti: payload.jti }))), 'no issuer');
    expect401(
      await t.request(
        'GET',
        '/api/auth/me',
        undefined,
        bearer(await sign({ iss: 'tessera', sub: users.victim!, jti: payload.jti }, new TextEncoder().encode('x'.repeat(64)))),
      ),
      'foreign key',
    );
    expect401(
      await t.request('GET', '/api/auth/me', undefined, bearer(await sign({ iss: 'tessera', sub: adminId, jti: randomUUID() }))),
      'forged session for admin',
    );
    expect401(
      await t.request('GET', '/api/auth/me', undefined, bearer(await sign({ iss: 'tessera', sub: adminId, jti: payload.jti }))),
      'victim session, admin subject',
    );
    expect401(
      await t.request(
        'GET',
        '/api/auth/me',
        undefined,
        bearer(await sign({ iss: 'tessera', sub: users.victim!, jti: payload.jti, exp: Math.floor(Date.now() / 1000) - 10 })),
      ),
      'expired claim',
    );
    expect401(
      await t.request('GET', '/api/auth/me', undefined, bearer(await sign({ iss: 'tessera', sub: users.victim!, jti: 'not-a-uuid' }))),
      'junk session id',
    );
    // The original still works: none of this revoked it.
    expect((await t.request('GET', '/api/auth/me', undefined, bearer(token))).status).toBe(200);
  });
});

describe('revocation', () => {
  it('logout revokes the session token at once; other sessions of the user stay', async () => {
    const a = await t.login('rep', PASSWORD);
    const b = await t.login('rep', PASSWORD);
    expect((await t.request('GET', '/api/v1/account', undefined, bearer(a))).status).toBe(200);
    expect((await t.request('POST', '/api/auth/logout', undefined, bearer(a))).status).toBe(204);
    expect401(await t.request('GET', '/api/v1/account', undefined, bearer(a)), 'after logout');
    expect401(await t.request('POST', '/api/auth/logout', undefined, bearer(a)), 'logout twice');
    expect((await t.request('GET', '/api/v1/account', undefined, bearer(b))).status).toBe(200);
  });

  it('an admin password reset signs the user out everywhere', async () => {
    const token = await t.login('reset', PASSWORD);
    expect((await t.request('GET', '/api/auth/me', undefined, bearer(token))).status).toBe(200);
    expect((await t.request('PUT', `/api/admin/users/${users.reset}/password`, { password: 'a-new-password-1' })).status).toBe(204);
    expect401(await t.request('GET', '/api/auth/me', undefined, bearer(token)), 'after reset');
    expectProblem(
      await t.request('POST', '/api/auth/login', { username: 'reset', password: PASSWORD }, { authorization: '' }),
      401,
      'auth.invalid_credentials',
    );
    await t.login('reset', 'a-new-password-1');
  });

  it('deactivating or deleting a user ends their session and API tokens, and they cannot sign in', async () => {
    const session = await t.login('leaver', PASSWORD);
    const api = (await t.request('POST', '/api/auth/tokens', { name: 'ci' }, bearer(session))).body.data.token as string;
    expect((await t.request('GET', '/api/auth/me', undefined, bearer(api))).status).toBe(200);
    const u = await t.request('GET', `/api/v1/app_user/${users.leaver}`);
    expect(
      (await t.request('PATCH', `/api/v1/app_user/${users.leaver}`, { active: false }, { 'if-match': `"${String(u.body.data.version)}"` }))
        .status,
    ).toBe(200);
    expect401(await t.request('GET', '/api/auth/me', undefined, bearer(session)), 'deactivated session');
    expect401(await t.request('GET', '/api/auth/me', undefined, bearer(api)), 'deactivated api token');
    expectProblem(
      await t.request('POST', '/api/auth/login', { username: 'leaver', password: PASSWORD }, { authorization: '' }),
      401,
      'auth.invalid_credentials',
    );

    const gone = await t.login('deleted', PASSWORD);
    expect((await t.request('DELETE', `/api/v1/app_user/${users.deleted}`)).status).toBe(200);
    expect401(await t.request('GET', '/api/auth/me', undefined, bearer(gone)), 'deleted user');
    expectProblem(
      await t.request('POST', '/api/auth/login', { username: 'deleted', password: PASSWORD }, { authorization: '' }),
      401,
      'auth.invalid_credentials',
    );
  });
});

describe('API tokens', () => {
  it("are created once (tsk_...), listed without the secret, and act as their owner with the owner's access", async () => {
    const session = await t.login('apiuser', PASSWORD);
    const created = await t.request('POST', '/api/auth/tokens', { name: 'integration', expiresInDays: 30 }, bearer(session));
    expect(created.status).toBe(201);
    const token = created.body.data.token as string;
    expect(token).toMatch(/^tsk_[A-Za-z0-9_-]{40,}$/);
    const listed = await t.request('GET', '/api/auth/tokens', undefined, bearer(session));
    expect(listed.body.data).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain(token);
    expect(JSON.stringify(listed.body)).not.toContain(token.slice(4));
    const stored = await t.db.pool.query('SELECT token_hash FROM tessera_api_token WHERE id = $1', [created.body.data.id]);
    expect(stored.rows[0].token_hash).not.toContain(token.slice(4, 20));
    const me = await t.request('GET', '/api/auth/me', undefined, bearer(token));
    expect(me.status).toBe(200);
    expect(me.body.data).toMatchObject({ id: users.apiuser, isAdmin: false });
    // The token carries the user's access: own accounts only (none), no admin routes.
    const accounts = await t.request('GET', '/api/v1/account?total=exact', undefined, bearer(token));
    expect(accounts.status).toBe(200);
    expect(accounts.body.meta.total).toBe(0);
    expectProblem(await t.request('GET', '/api/admin/model/plan', undefined, bearer(token)), 403, 'access.admin_required');
    expectProblem(await t.request('GET', '/api/v1/deal', undefined, bearer(token)), 403, 'access.denied');
    // Another user's token is never visible nor revocable.
    const other = await t.request('GET', '/api/auth/tokens');
    expect(other.body.data).toEqual([]);
    expectProblem(await t.request('DELETE', `/api/auth/tokens/${String(created.body.data.id)}`), 404, 'record.not_found');
    expect((await t.request('GET', '/api/auth/me', undefined, bearer(token))).status).toBe(200);
  });

  it("a rep's API token lists exactly the rep's own accounts", async () => {
    const session = await t.login('rep', PASSWORD);
    const token = (await t.request('POST', '/api/auth/tokens', { name: 'rep-ci' }, bearer(session))).body.data.token as string;
    const res = await t.request('GET', '/api/v1/account?total=exact', undefined, bearer(token));
    expect(res.body.data.map((a: { id: string }) => a.id)).toEqual([accountId]);
    expect(res.body.meta.total).toBe(1);
  });

  it('revoking one makes it fail at once; a revoked token cannot be revoked again', async () => {
    const session = await t.login('apiuser', PASSWORD);
    const created = (await t.request('POST', '/api/auth/tokens', { name: 'temp' }, bearer(session))).body.data;
    expect((await t.request('GET', '/api/auth/me', undefined, bearer(created.token))).status).toBe(200);
    expect((await t.request('DELETE', `/api/auth/tokens/${String(created.id)}`, undefined, bearer(session))).status).toBe(204);
    expect401(await t.request('GET', '/api/auth/me', undefined, bearer(created.token)), 'revoked api token');
    expectProblem(await t.request('DELETE', `/api/auth/tokens/${String(created.id)}`, undefined, bearer(session)), 404);
    // Logging out with an API token revokes that token.
    const second = (await t.request('POST', '/api/auth/tokens', { name: 'temp2' }, bearer(session))).body.data;
    expect((await t.request('POST', '/api/auth/logout', undefined, bearer(second.token))).status).toBe(204);
    expect401(await t.request('GET', '/api/auth/me', undefined, bearer(second.token)), 'api token after logout');
    expect((await t.request('GET', '/api/auth/me', undefined, bearer(session))).status).toBe(200);
  });

  it('an expired API token is refused; expiresInDays is checked', async () => {
    const session = await t.login('apiuser', PASSWORD);
    const created = (await t.request('POST', '/api/auth/tokens', { name: 'short', expiresInDays: 1 }, bearer(session))).body.data;
    await t.db.pool.query("UPDATE tessera_api_token SET expires_at = now() - interval '1 second' WHERE id = $1", [created.id]);
    expect401(await t.request('GET', '/api/auth/me', undefined, bearer(created.token)), 'expired api token');
    for (const days of [0, -1, 1.5, 4000, '7']) {
      expectProblem(
        await t.request('POST', '/api/auth/tokens', { name: 'x', expiresInDays: days }, bearer(session)),
        422,
        'validation.failed',
      );
    }
    // A near miss of a real token is not a token.
    const real = (await t.request('POST', '/api/auth/tokens', { name: 'real' }, bearer(session))).body.data.token as string;
    expect401(
      await t.request('GET', '/api/auth/me', undefined, bearer(real.slice(0, -1) + (real.endsWith('A') ? 'B' : 'A'))),
      'altered api token',
    );
    expect401(await t.request('GET', '/api/auth/me', undefined, bearer(real.toUpperCase())), 'case-changed api token');
  });
});
