// A role's sharing rules are compiled when the role is saved, as reads will compile them: a rule naming an
// unknown field, or an operator its field's kind does not allow, is a 422 pointing into the rule, instead of
// a 400 on every later read by the role's members (found by the build-access unit tests, #18 part 5).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../../support/problem-checks.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

let t: TestEngine;

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'tests/fixtures/packs/api-demo'] });
});

afterAll(async () => {
  await t?.stop();
});

const role = (code: string, sharing: unknown[], entity = 'account') => ({
  code,
  name: code,
  grants: { entities: { [entity]: { actions: ['read'], scope: 'own', sharing } } },
});

describe('sharing rules are checked when a role is saved', () => {
  it('refuses a rule naming a field the entity does not have, pointing into the rule', async () => {
    const res = await t.request('POST', '/api/v1/role', role('share_unknown', [{ '==': [{ var: 'mystery' }, 1] }]));
    expectProblem(res, 422, 'validation.failed');
    expect(res.body.errors[0]).toMatchObject({ code: 'filter.unknown_field' });
    expect(res.body.errors[0].pointer).toMatch(/^\/grants\/entities\/account\/sharing\/0/);
  });

  it('refuses an operator the field kind does not allow, also under "*" where it names the entity', async () => {
    const res = await t.request('POST', '/api/v1/role', role('share_op', [{ contains: [{ var: 'tier' }, 'x'] }]));
    expectProblem(res, 422, 'validation.failed');
    expect(res.body.errors[0].pointer).toMatch(/^\/grants\/entities\/account\/sharing\/0/);
    const everywhere = await t.request('POST', '/api/v1/role', role('share_star', [{ '==': [{ var: 'tier' }, 1] }], '*'));
    expectProblem(everywhere, 422, 'validation.failed');
    expect(everywhere.body.errors[0].message).toMatch(/\(on [a-z_]+\)$/);
  });

  it('accepts a rule over real fields and the caller, and keeps refusing on update', async () => {
    const created = await t.request('POST', '/api/v1/role', role('share_ok', [{ '==': [{ var: 'owner' }, { var: '$user.id' }] }]));
    expect(created.status).toBe(201);
    const patched = await t.request('PATCH', `/api/v1/role/${created.body.data.id}`, {
      version: created.body.data.version,
      grants: role('x', [{ '==': [{ var: 'region.nope' }, 'north'] }]).grants,
    });
    expectProblem(patched, 422, 'validation.failed');
  });
});
