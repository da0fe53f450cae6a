import { it } from 'vitest';
import { startTestEngine } from '../../support/test-engine.js';
it('probe', async () => {
  const t = await startTestEngine({ packs: ['metadata/packs', 'tests/fixtures/packs/api-demo'] });
  const a = await t.request('POST', '/api/v1/tag', { label_text: 'x' });
  console.log('get1', (await t.request('GET', `/api/v1/tag/${a.body.data.id}`)).status);
  await new Promise((r) => setTimeout(r, 11_000));
  console.log('get2', (await t.request('GET', `/api/v1/tag/${a.body.data.id}`)).status);
  console.log('get3', (await t.request('GET', `/api/v1/tag/${a.body.data.id}`)).status);
  await t.stop();
}, 60_000);
