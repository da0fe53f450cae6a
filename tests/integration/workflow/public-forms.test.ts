// Public forms (#21 part 6, the order satisfaction survey; #25 builds signing links on them) on the public-form-demo
// fixture: a user who may update a resolved ticket issues a link; the customer reads the form and submits it without
// an account, once, through the write pipeline (validation rules hold, the audit names the issuer); nothing else of
// the record is shown or written; expired, spent and unknown links all answer the same 404. Metadata problems name
// file#pointer [rule].
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePublicForms } from '../../../engine/src/workflow/compile-public-forms.js';
import { BUILTIN_RULES } from '../../support/builtin-rules.js';
import { fixtureProblems } from '../../support/fixture-problems.js';
import { expectProblem } from '../../support/problem-checks.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

type Rec = Record<string, any>;
let t: TestEngine;
const none = { authorization: '' };

async function ticket(subject: string, status = 'resolved'): Promise<Rec> {
  const res = await t.request('POST', '/api/v1/ticket', { subject, status: 'open', internal_note: '内部' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  if (status === 'open') return res.body.data;
  const done = await t.request('PATCH', `/api/v1/ticket/${res.body.data.id}`, { status }, { 'if-match': `"${res.body.data.version}"` });
  expect(done.status).toBe(200);
  return done.body.data;
}

const issue = (rec: Rec, headers: Record<string, string> = {}) =>
  t.request('POST', `/api/v1/ticket/${rec.id}/public-links/survey`, {}, headers);

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'tests/fixtures/packs/public-form-demo'] });
});

afterAll(async () => {
  await t?.stop();
});

describe('public forms', () => {
  it('lets the customer read and submit the form through its link, once, without an account', async () => {
    const rec = await ticket('打印机卡纸');
    const issued = await issue(rec);
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);
    const { token, path, expiresAt } = issued.body.data;
    expect(path).toBe(`/f/${token}`);
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);

    const form = await t.request('GET', `/api/public/forms/${token}?locale=zh-CN`, undefined, none);
    expect(form.status, JSON.stringify(form.body)).toBe(200);
    expect(form.body.data).toMatchObject({
      entity: { name: 'ticket', label: '工单' },
      title: '打印机卡纸',
      form: { name: 'survey', label: '服务满意度调查', description: '一分钟，三个问题' },
      values: { rating: null, feedback: null },
    });
    expect(form.body.data.fields.map((f: Rec) => [f.name, f.required])).toEqual([
      ['rating', true],
      ['feedback', false],
    ]);
    expect(form.body.data.fields[0].options).toContainEqual({ value: 'poor', label: '不满意' });
    // Only the form's fields: nothing else of the record leaves, or can be written.
    expect(JSON.stringify(form.body)).not.toContain('内部');
    const send = (body: Rec) => t.request('POST', `/api/public/forms/${token}`, body, none);
    expectProblem(await send({ rating: 'good', internal_note: 'x' }), 422, 'validation.failed', [{ pointer: '/internal_note' }]);
    expectProblem(await send({ feedback: '还行' }), 422, 'validation.failed', [{ pointer: '/rating' }]);
    // The record's own rules hold: a poor rating needs a word of feedback.
    expectProblem(await send({ rating: 'poor' }), 422, 'validation.failed', [{ pointer: '/feedback' }]);
    expectProblem(await send({ rating: 'awful' }), 422, 'validation.failed', [{ pointer: '/rating' }]);

    const ok = await send({ rating: 'poor', feedback: '等了两天' });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const after = (await t.request('GET', `/api/v1/ticket/${rec.id}`)).body.data;
    expect(after).toMatchObject({ rating: 'poor', feedback: '等了两天', internal_note: '内部' });
    const history = (await t.request('GET', `/api/v1/ticket/${rec.id}/history`)).body.data as Rec[];
    expect(history[0]).toMatchObject({ action: 'update', actor_name: 'admin' });
    // Spent: the link reads like one that never was.
    expectProblem(await send({ rating: 'good' }), 404, 'public_form.link_invalid');
    expectProblem(await t.request('GET', `/api/public/forms/${token}`, undefined, none), 404, 'public_form.link_invalid');
  });

  it('issues links only to those who may update the record, and only while the form applies', async () => {
    const open = await ticket('网络中断', 'open');
    expectProblem(await issue(open), 409, 'public_form.not_now');
    expectProblem(await t.request('POST', `/api/v1/ticket/${open.id}/public-links/nope`, {}), 404, 'public_form.unknown');
    const user = await t.request('POST', '/api/v1/app_user', { username: 'reader', display_name: 'Reader' });
    await t.request('PUT', `/api/admin/users/${user.body.data.id}/password`, { password: 'reader-password-1' });
    await t.request('POST', '/api/v1/role', {
      code: 'readers',
      name: 'Readers',
      members: [user.body.data.id],
      grants: { entities: { ticket: { actions: ['read'], scope: 'all' } } },
    });
    const token = await t.login('reader', 'reader-password-1');
    const resolved = await ticket('系统升级');
    expectProblem(await issue(resolved, { authorization: `Bearer ${token}` }), 403, 'access.denied');
    // A ticket reopened after its link was issued takes no answer until it is resolved again.
    const link = (await issue(resolved)).body.data.token as string;
    const reopened = await t.request('PATCH', `/api/v1/ticket/${resolved.id}`, { status: 'open' }, { 'if-match': `"${resolved.version}"` });
    expect(reopened.status).toBe(200);
    expectProblem(await t.request('POST', `/api/public/forms/${link}`, { rating: 'good' }, none), 404, 'public_form.link_invalid');
    // An expired link, and one that never was, read the same.
    const fresh = await ticket('账单错误');
    const old = (await issue(fresh)).body.data.token as string;
    await t.db.pool.query(
      `UPDATE tessera_public_link SET expires_at = now() - interval '1 second' WHERE entity = 'ticket' AND record_id = $1`,
      [fresh.id],
    );
    expectProblem(await t.request('GET', `/api/public/forms/${old}`, undefined, none), 404, 'public_form.link_invalid');
    expectProblem(await t.request('GET', '/api/public/forms/not-a-token', undefined, none), 404, 'public_form.link_invalid');
  });

  it('reports a form asking for what the engine sets, an unknown field, a bad duration and a bad condition', () => {
    const problems = fixtureProblems(
      'public-form-demo',
      (entity) => {
        const form = entity('ticket').publicForms[0];
        form.fields = ['rating', 'nope'];
        form.required = ['feedback'];
        form.validFor = 'P0D';
        form.when = { '==': [{ var: 'missing' }, 1] };
      },
      (model) => compilePublicForms(model, BUILTIN_RULES).problems,
    );
    expect(problems.map((p) => [p.pointer, p.rule])).toEqual([
      ['/publicForms/0/fields/1', 'public_form.unknown_field'],
      ['/publicForms/0/required/0', 'public_form.unknown_field'],
      ['/publicForms/0/validFor', 'public_form.bad_duration'],
    ]);
    const when = fixtureProblems(
      'public-form-demo',
      (entity) => {
        entity('ticket').publicForms[0].when = { '==': [{ var: 'missing' }, 1] };
      },
      (model) => compilePublicForms(model, BUILTIN_RULES).problems,
    );
    expect(when).toEqual([
      expect.objectContaining({ file: 'ticket.json', pointer: '/publicForms/0/when/==/0', rule: 'filter.unknown_field' }),
    ]);
  });
});
