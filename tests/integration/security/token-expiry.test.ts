// Session tokens expire: with TESSERA_TOKEN_TTL=1 a token works at once and is refused once its second is
// up — also when it was used (and so cached) just before it expired.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../../support/problem-checks.js';
import { TEST_ADMIN_PASSWORD, startTestEngine, type TestEngine } from '../../support/test-engine.js';

let t: TestEngine;

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core'], env: { TESSERA_TOKEN_TTL: '1' } });
});

afterAll(async () => {
  await t?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const me = (token: string) => t.request('GET', '/api/auth/me', undefined, { authorization: `Bearer ${token}` });

describe('token expiry', () => {
  it('the login answer says when the token expires, and the JWT carries the same exp', async () => {
    const res = await t.request('POST', '/api/auth/login', { username: 'admin', password: TEST_ADMIN_PASSWORD }, { authorization: '' });
    expect(res.status).toBe(200);
    const expiresAt = Date.parse(res.body.data.expiresAt);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(1500);
    const payload = JSON.parse(Buffer.from(String(res.body.data.token).split('.')[1]!, 'base64url').toString());
    expect(payload.exp).toBe(Math.floor(expiresAt / 1000));
  });

  it('an unused token is refused after its lifetime', async () => {
    const token = await t.login('admin', TEST_ADMIN_PASSWORD);
    await sleep(2100);
    const res = await me(token);
    expectProblem(res, 401, 'auth.invalid_token');
  });

  it('a token used just before it expires is refused right after (the token cache does not outlive the token)', async () => {
    const token = await t.login('admin', TEST_ADMIN_PASSWORD);
    expect((await me(token)).status).toBe(200);
    await sleep(2100);
    expectProblem(await me(token), 401, 'auth.invalid_token');
  });

  it('after expiry, signing in again gives a working token', async () => {
    const token = await t.login('admin', TEST_ADMIN_PASSWORD);
    expect((await me(token)).status).toBe(200);
  });
});
