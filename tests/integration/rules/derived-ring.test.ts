// Derived values across records (#21 found it with bills of materials): rules are acyclic field by field, but records
// may read each other in a ring (node a weighs what b weighs, and b what a weighs). Values then never settle: the
// write that closes the ring is refused with 422, and nothing of it is written. Chains that end settle as usual.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../../support/problem-checks.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

type Rec = Record<string, any>;
let t: TestEngine;

async function node(name: string, own: number): Promise<Rec> {
  const res = await t.request('POST', '/api/v1/node', { name, own });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

const edge = (from: Rec, to: Rec) => t.request('POST', '/api/v1/edge', { from_node: from.id, to_node: to.id });
const weight = async (n: Rec) => (await t.request('GET', `/api/v1/node/${n.id}`)).body.data.weight as number;

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'tests/fixtures/packs/ring-demo'] });
});

afterAll(async () => {
  await t?.stop();
});

describe('derived values across records', () => {
  it('settle along a chain, and refuse the write that closes a ring', async () => {
    const a = await node('a', 1);
    const b = await node('b', 10);
    const c = await node('c', 100);
    expect((await edge(a, b)).status).toBe(201);
    expect((await edge(b, c)).status).toBe(201);
    expect([await weight(a), await weight(b), await weight(c)]).toEqual([111, 110, 100]);

    expectProblem(await edge(c, a), 422, 'validation.derived_cycle');
    expect([await weight(a), await weight(b), await weight(c)]).toEqual([111, 110, 100]);
    expect((await t.request('GET', `/api/v1/node/${c.id}?include=edges`)).body.data.edges).toEqual([]);
    expectProblem(await edge(a, a), 422, 'validation.derived_cycle');
  });
});
