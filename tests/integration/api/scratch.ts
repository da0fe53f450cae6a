import { startTestEngine } from '../../support/test-engine.js';
const t = await startTestEngine({ packs: ['metadata/packs', 'tests/fixtures/packs/api-demo'], env: { TESSERA_BODY_LIMIT: '4096' } });
const log = (x: unknown) => console.log(JSON.stringify(x, null, 1));
try {
  const p = await t.request('POST', '/api/v1/account', { name: 'Acme', region: 'north', tier: 2 });
  log(p);
  const acc = p.body.data.id;
  const tag = await t.request('POST', '/api/v1/tag', { label_text: 'hot' });
  const user = await t.request('POST', '/api/v1/app_user', { username: 'bob', display_name: 'Bob' });
  log(user.body);
  const d = await t.request('POST', '/api/v1/deal', {
    title: 'D1', code: 'D-1', notes: 'long\nnote', quantity: 5, probability: '12.50', amount: { amount: '1000.00', currency: 'USD' },
    won: false, close_date: '2024-03-31', signed_at: '2024-03-31T08:00:00.000Z', stage: 'qualified', channels: ['web', 'phone'],
    contact_email: 'a@b.co', contact_phone: '+86 10 1234', website: 'https://x.example/a', extra: { a: [1, 2], b: null },
    account: acc, tags: [tag.body.data.id], owner: user.body.data.id,
  });
  log({ status: d.status, body: d.body, loc: d.headers.get('location'), etag: d.headers.get('etag') });
    log((await t.request('GET', `/api/v1/deal?filter=${encodeURIComponent(JSON.stringify({ some: [{ var: 'tags' }, { '==': [{ var: 'label_text' }, 'hot'] }] }))}`)).body);
  log((await t.request('POST', '/api/v1/deal', { title: 'x', id: 'abc', version: 3, created_at: 'x', deleted_at: null, bogus: 1 })).body);
  log((await t.request('POST', '/api/v1/deal', '{bad json')));
  log((await t.request('POST', '/api/v1/deal', 'x'.repeat(5000))));
  log((await t.request('POST', '/api/v1/deal', JSON.stringify({ title: 'x'.repeat(5000) }))));
  log((await t.request('GET', '/api/v1/deal/not-a-uuid')));
  log((await t.request('GET', '/api/v1/nope')));
  log((await t.request('GET', '/api/v1/deal?limit=501')).body);
} finally { await t.stop(); }
