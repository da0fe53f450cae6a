// GET /api/v1/<entity>/aggregate (#22 part 5) on the CRM pack, both databases: a scoped user gets exactly the
// aggregates of the records in their scope (compared with SQL written by hand over the same tables), through a join
// too; money is summed per currency; hidden fields and unknown members are refused with problem+json 400.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../../support/problem-checks.js';
import { listUrl } from '../../support/list-url.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';
import { setupBiWorld } from '../../support/bi-world.js';

type Rec = Record<string, any>;
let t: TestEngine;
let tokens: Record<string, string> = {};
let ids: Record<string, string> = {};

function aggregateUrl(entity: string, params: Record<string, unknown>): string {
  return listUrl(entity, params).replace(`/api/v1/${entity}`, `/api/v1/${entity}/aggregate`);
}

async function aggregate(user: string, entity: string, params: Record<string, unknown>) {
  return t.request('GET', aggregateUrl(entity, params), undefined, { authorization: `Bearer ${tokens[user]}` });
}

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'metadata/packs/crm'] });
  ({ ids, tokens } = await setupBiWorld(t, 24));
});

afterAll(async () => {
  await t?.stop();
});

/** Rows of a hand-written SQL aggregate, keyed as the API keys them, with decimals as text. */
async function sql(text: string, values: unknown[]): Promise<Rec[]> {
  const res = await t.db.pool.query(text, values);
  return res.rows.map((r: Rec) => ({ ...r, count: Number(r.count) }));
}

describe('GET /api/v1/<entity>/aggregate', () => {
  it('gives a rep exactly the aggregates of their own records, money per currency', async () => {
    for (const user of ['rep_east', 'rep_south', 'mgr_east']) {
      const res = await aggregate(user, 'opportunity', { groupBy: 'priority', measures: 'count,sum:amount,max:amount' });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      // mgr_east reads their own and their report's (rep_east's) records.
      const scope = user === 'mgr_east' ? [ids.mgr_east, ids.rep_east] : [ids[user]];
      const expected = await sql(
        `SELECT priority, amount_currency AS "amount.currency", count(*) AS count, sum(amount) AS "sum:amount", max(amount) AS "max:amount"
           FROM opportunity WHERE deleted_at IS NULL AND owner_id = ANY($1) GROUP BY 1, 2 ORDER BY 1, 2`,
        [scope],
      );
      expect(expected.length).toBeGreaterThan(3);
      expect(res.body.meta).toEqual({
        groupBy: ['priority', 'amount.currency'],
        measures: ['count', 'sum:amount', 'max:amount'],
        truncated: false,
      });
      expect(res.body.data).toEqual(expected);
    }
    const avg = await aggregate('rep_east', 'opportunity', { measures: 'avg:budget,sum:budget' });
    expect(avg.body.data).toEqual(
      await t.db.pool
        .query(
          `SELECT avg(budget) AS "avg:budget", sum(budget) AS "sum:budget" FROM opportunity WHERE deleted_at IS NULL AND owner_id = $1`,
          [ids.rep_east],
        )
        .then((r) => r.rows),
    );
  });

  it('scopes the joined records too, and applies the filter as the list does', async () => {
    const filter = { '>=': [{ var: 'amount.amount' }, 5000] };
    const res = await aggregate('mgr_east', 'opportunity', { groupBy: 'customer.region', measures: 'count,sum:budget', filter });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // The manager reads their own and rep_east's opportunities and customers; a customer out of scope groups as null.
    const scope = [ids.mgr_east, ids.rep_east];
    const expected = await sql(
      `SELECT c.region AS "customer.region", count(*) AS count, sum(o.budget) AS "sum:budget"
         FROM opportunity o LEFT JOIN customer c ON c.id = o.customer_id AND c.deleted_at IS NULL AND c.owner_id = ANY($1)
        WHERE o.deleted_at IS NULL AND o.owner_id = ANY($1) AND o.amount >= 5000 GROUP BY 1 ORDER BY 1 NULLS LAST`,
      [scope],
    );
    expect(expected.some((r) => r['customer.region'] === null)).toBe(true);
    expect(res.body.data).toEqual(expected);
    // The same total as the list with the same filter.
    const list = await t.request('GET', listUrl('opportunity', { filter, total: 'exact', limit: 1 }), undefined, {
      authorization: `Bearer ${tokens.mgr_east}`,
    });
    expect(res.body.data.reduce((n: number, r: Rec) => n + r.count, 0)).toBe(list.body.meta.total);
  });

  it('groups dates by a granularity and counts without groups', async () => {
    const res = await aggregate('rep_east', 'opportunity', { groupBy: 'created_at:month', measures: 'count,min:created_at' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const expected = await sql(
      `SELECT to_char(date_trunc('month', created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS "created_at:month", count(*) AS count
         FROM opportunity WHERE deleted_at IS NULL AND owner_id = $1 GROUP BY 1 ORDER BY 1`,
      [ids.rep_east],
    );
    expect(res.body.data.map((r: Rec) => ({ 'created_at:month': r['created_at:month'], count: r.count }))).toEqual(expected);
    const all = await aggregate('rep_east', 'opportunity', {});
    expect(all.body.data).toEqual([{ count: expected.reduce((n, r) => n + r.count, 0) }]);
  });

  it('refuses hidden fields, unknown members and sums across currencies with problem+json 400', async () => {
    expectProblem(await aggregate('rep_south', 'opportunity', { measures: 'sum:budget' }), 400, 'filter.unknown_field', [
      { pointer: '/measures' },
    ]);
    expectProblem(await aggregate('rep_south', 'opportunity', { groupBy: 'budget' }), 400, 'filter.unknown_field', [
      { pointer: '/groupBy' },
    ]);
    expectProblem(await aggregate('rep_south', 'opportunity', { filter: { '>': [{ var: 'budget' }, 1] } }), 400, 'filter.unknown_field', [
      { pointer: '/>/0' },
    ]);
    expectProblem(await aggregate('rep_east', 'opportunity', { measures: 'sum:nope' }), 400, 'filter.unknown_field', [
      { pointer: '/measures' },
    ]);
    expectProblem(await aggregate('rep_east', 'opportunity', { measures: 'sum:amount.amount' }), 400, 'aggregate.invalid_member', [
      { pointer: '/measures' },
    ]);
    expectProblem(await aggregate('rep_east', 'opportunity', { measures: 'sum:name' }), 400, 'aggregate.invalid_member', [
      { pointer: '/measures' },
    ]);
    expectProblem(await aggregate('rep_east', 'opportunity', { measures: 'median:budget' }), 400, 'query.invalid_parameter', [
      { pointer: '/measures' },
    ]);
    expectProblem(await aggregate('rep_east', 'opportunity', { groupBy: 'priority:month' }), 400, 'aggregate.invalid_member', [
      { pointer: '/groupBy' },
    ]);
    expectProblem(await aggregate('rep_east', 'opportunity', { sort: 'x' }), 400, 'query.unknown_parameter', [{ pointer: '/sort' }]);
    expect((await aggregate('rep_east', 'lead', {})).status).toBe(403);
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = await t.request('GET', '/api/openapi.json');
    const op = doc.body.paths['/api/v1/opportunity/aggregate']?.get;
    expect(op.operationId).toBe('aggregateOpportunity');
    const params = op.parameters.map((p: Rec) => doc.body.components.parameters[String(p.$ref).split('/').pop() ?? '']?.name);
    expect(params).toEqual(['groupBy', 'measures', 'filter', 'limit']);
  });
});
