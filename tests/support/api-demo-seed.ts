// Reference data of the api-demo pack created through the API: users, a small account tree and tags.
import type { TestEngine } from './test-engine.js';

export interface ApiDemoSeed {
  readonly users: { alice: string; bob: string };
  /** holding (east, tier 5) is the parent of acme (north, 1) and beta (south, 3); gamma has no region, tier or parent. */
  readonly accounts: { holding: string; acme: string; beta: string; gamma: string };
  readonly tags: { hot: string; cold: string; vip: string };
}

async function create(t: TestEngine, entity: string, body: Record<string, unknown>): Promise<string> {
  const res = await t.request('POST', `/api/v1/${entity}`, body);
  if (res.status !== 201) throw new Error(`seeding ${entity} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data.id as string;
}

export async function seedApiDemo(t: TestEngine): Promise<ApiDemoSeed> {
  const alice = await create(t, 'app_user', { username: 'alice', display_name: 'Alice' });
  const bob = await create(t, 'app_user', { username: 'bob', display_name: 'Bob' });
  const holding = await create(t, 'account', { name: 'Holding', region: 'east', tier: 5 });
  const acme = await create(t, 'account', { name: 'Acme', region: 'north', tier: 1, parent: holding, owner: alice });
  const beta = await create(t, 'account', { name: 'Beta', region: 'south', tier: 3, parent: holding });
  const gamma = await create(t, 'account', { name: 'Gamma' });
  const hot = await create(t, 'tag', { label_text: 'hot' });
  const cold = await create(t, 'tag', { label_text: 'cold' });
  const vip = await create(t, 'tag', { label_text: 'vip' });
  return { users: { alice, bob }, accounts: { holding, acme, beta, gamma }, tags: { hot, cold, vip } };
}
