// Error messages that say what to send instead (#18 part 8): an invalid decimal names its digits and decimals
// rather than the regex, a bad enum value gets one error at its pointer, a bare var as a filter suggests a
// comparison, and null inside `in` suggests isNull. Packs: core and api-demo.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedApiDemo, type ApiDemoSeed } from '../../support/api-demo-seed.js';
import { listUrl } from '../../support/list-url.js';
import { expectProblem } from '../../support/problem-checks.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

let t: TestEngine;
let seed: ApiDemoSeed;

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'tests/fixtures/packs/api-demo'] });
  seed = await seedApiDemo(t);
});

afterAll(async () => {
  await t?.stop();
});

type FieldError = { pointer: string; code: string; message: string };

describe('validation messages', () => {
  it.each([
    [
      'a decimal with too many decimals',
      { probability: '12.345' },
      '/probability',
      'must be a decimal string with at most 5 digits and 2 decimals',
    ],
    ['a decimal with too many digits', { probability: '1000' }, '/probability', 'at most 5 digits and 2 decimals'],
    [
      'a money amount',
      { amount: { amount: '1e3', currency: 'USD' } },
      '/amount/amount',
      'must be a decimal string with at most 14 digits and 2 decimals',
    ],
  ])('%s names its digits and decimals, not the regex', async (_name, body, pointer, message) => {
    const res = await t.request('POST', '/api/v1/deal', { title: 'x', account: seed.accounts.acme, ...body });
    expectProblem(res, 422, 'validation.failed', [{ pointer, code: 'validation.pattern' }]);
    const error = (res.body.errors as FieldError[]).find((e) => e.pointer === pointer);
    expect(error?.message).toContain(message);
    expect(error?.message).not.toContain('^');
  });

  it.each([
    ['a nullable enum', 'account', { name: 'x', region: 'nowhere' }, '/region'],
    ['a required enum', 'deal', { title: 'x', account: '', stage: 'nope' }, '/stage'],
  ])('a bad value of %s is one error at its pointer', async (_name, entity, body, pointer) => {
    const res = await t.request('POST', `/api/v1/${entity}`, { ...body, ...(entity === 'deal' ? { account: seed.accounts.acme } : {}) });
    expectProblem(res, 422, 'validation.failed', [{ pointer, code: 'validation.enum' }]);
    expect((res.body.errors as FieldError[]).filter((e) => e.pointer === pointer)).toHaveLength(1);
  });
});

describe('filter messages', () => {
  it('a bare var as the whole filter suggests a comparison with true', async () => {
    const res = await t.request('GET', listUrl('deal', { filter: { var: 'won' } }));
    expectProblem(res, 400, 'filter.malformed', [{ pointer: '' }]);
    expect(res.body.errors[0].message).toContain('{"==": [{"var":"won"}, true]}');
  });

  it('null inside in suggests isNull', async () => {
    const res = await t.request('GET', listUrl('deal', { filter: { in: [{ var: 'quantity' }, [1, null]] } }));
    expectProblem(res, 400, 'filter.invalid_value', [{ pointer: '/in/1/1' }]);
    expect(res.body.errors[0].message).toContain('{"isNull": [{"var": "quantity"}]}');
  });
});
