// Brute force is limited: TESSERA_LOGIN_FAILURES_PER_USER=3 blocks a user after 3 failures (even the right
// password then gets 429) without affecting anyone else; TESSERA_LOGIN_ATTEMPTS_PER_ADDRESS limits one client
// address (X-Forwarded-For does not get round it), while another address still signs in. Unknown users and
// wrong passwords get the same 401.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../../support/problem-checks.js';
import { startPeerEngine, startTestEngine, type TestEngine, type TestResponse } from '../../support/test-engine.js';

const PER_ADDRESS = 40;
let t: TestEngine;
let started = 0;
const PASSWORD = 'limits-password-1';

beforeAll(async () => {
  started = Date.now();
  t = await startTestEngine({
    packs: ['metadata/packs/core'],
    env: { TESSERA_LOGIN_FAILURES_PER_USER: '3', TESSERA_LOGIN_ATTEMPTS_PER_ADDRESS: String(PER_ADDRESS) },
  });
  for (const username of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina']) {
    const res = await t.request('POST', '/api/v1/app_user', { username, display_name: username, active: username !== 'frank' });
    await t.request('PUT', `/api/admin/users/${String(res.body.data.id)}/password`, { password: PASSWORD });
  }
});

afterAll(async () => {
  await t?.stop();
});

let attempts = 1; // the admin's sign-in in startTestEngine
async function login(username: string, password: string, headers: Record<string, string> = {}): Promise<TestResponse> {
  attempts++;
  return t.request('POST', '/api/auth/login', { username, password }, { authorization: '', ...headers });
}

/** A sign-in from another loopback address (the engine listens on 127.0.0.1; Linux routes all of 127/8 to lo). */
function loginFrom(localAddress: string, username: string, password: string): Promise<{ status: number; body: any }> {
  const url = new URL('/api/auth/login', t.url);
  const body = JSON.stringify({ username, password });
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => {
          text += String(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function withoutRequestId(body: Record<string, unknown>): Record<string, unknown> {
  const { requestId: _r, ...rest } = body;
  return rest;
}

describe('per user', () => {
  it('three failures block the fourth attempt with 429, even with the right password', async () => {
    for (let i = 0; i < 3; i++) expectProblem(await login('alice', `wrong-password-${i}`), 401, 'auth.invalid_credentials');
    const blocked = await login('alice', PASSWORD);
    expectProblem(blocked, 429, 'auth.too_many_attempts');
    expect(blocked.body.retryAfter).toBeGreaterThan(0);
    expect(blocked.body.retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(JSON.stringify(blocked.body)).not.toContain('token');
    // Changing the case of the name does not reset the count.
    expectProblem(await login('ALICE', PASSWORD), 429, 'auth.too_many_attempts');
    expectProblem(await login('alice', 'wrong-password-x'), 429, 'auth.too_many_attempts');
  });

  it('a different user still signs in', async () => {
    const res = await login('bob', PASSWORD);
    expect(res.status).toBe(200);
    expect(res.body.data.token).toBeTruthy();
  });

  it('a successful sign-in resets the count', async () => {
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 2; i++) expectProblem(await login('carol', 'wrong-password-0'), 401, 'auth.invalid_credentials');
      expect((await login('carol', PASSWORD)).status).toBe(200);
    }
  });

  it('an unknown user, a wrong password and an inactive user get the same 401; unknown names are limited too', async () => {
    const unknown = await login('nobody-here', PASSWORD);
    const wrong = await login('dave', 'wrong-password-0');
    const inactive = await login('frank', PASSWORD);
    for (const res of [unknown, wrong, inactive]) expectProblem(res, 401, 'auth.invalid_credentials');
    expect(withoutRequestId(unknown.body)).toEqual(withoutRequestId(wrong.body));
    expect(withoutRequestId(inactive.body)).toEqual(withoutRequestId(wrong.body));
    for (let i = 0; i < 2; i++) expectProblem(await login('nobody-here', PASSWORD), 401, 'auth.invalid_credentials');
    expectProblem(await login('nobody-here', PASSWORD), 429, 'auth.too_many_attempts');
  });
});

describe('across engines on one database', () => {
  it('failures on two engines add up: both then refuse the user', async () => {
    const other = await startPeerEngine(t, {
      packs: ['metadata/packs/core'],
      env: { TESSERA_LOGIN_FAILURES_PER_USER: '3', TESSERA_LOGIN_ATTEMPTS_PER_ADDRESS: String(PER_ADDRESS) },
    });
    try {
      const { url } = other;
      const loginOnOther = async (password: string) => {
        attempts++;
        const res = await fetch(`${url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'gina', password }),
        });
        return { status: res.status, body: (await res.json()) as any, headers: res.headers };
      };
      expectProblem(await login('gina', 'wrong-password-0'), 401, 'auth.invalid_credentials');
      expectProblem(await loginOnOther('wrong-password-1'), 401, 'auth.invalid_credentials');
      expectProblem(await login('gina', 'wrong-password-2'), 401, 'auth.invalid_credentials');
      expectProblem(await loginOnOther(PASSWORD), 429, 'auth.too_many_attempts');
      expectProblem(await login('gina', PASSWORD), 429, 'auth.too_many_attempts');
    } finally {
      await other.stop();
    }
  });
});

describe('per address', () => {
  it('after the address limit every sign-in from it is 429 (X-Forwarded-For does not help); another address still works', async () => {
    expect(attempts).toBeLessThan(PER_ADDRESS);
    let first429 = 0;
    while (!first429 && attempts <= 2 * PER_ADDRESS + 2) {
      const res = await login('erin', PASSWORD);
      if (res.status === 429) {
        first429 = attempts;
        expectProblem(res, 429, 'auth.too_many_attempts');
      } else {
        expect(res.status).toBe(200);
      }
    }
    expect(first429, 'the address was limited').toBeGreaterThan(0);
    // The window is a minute from the first attempt: unless this machine was very slow, the count is exact.
    if (Date.now() - started < 50_000) expect(first429).toBe(PER_ADDRESS + 1);
    expectProblem(await login('bob', PASSWORD), 429, 'auth.too_many_attempts');
    expectProblem(
      await login('bob', PASSWORD, { 'x-forwarded-for': '203.0.113.9', 'x-real-ip': '203.0.113.9' }),
      429,
      'auth.too_many_attempts',
    );
    // Signed-in users are not affected: the limit is on signing in.
    expect((await t.request('GET', '/api/auth/me')).status).toBe(200);
    const other = await loginFrom('127.0.0.2', 'bob', PASSWORD);
    expect(other.status, JSON.stringify(other.body)).toBe(200);
    expect(other.body.data.token).toBeTruthy();
  });
});
