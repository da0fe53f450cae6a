// The CRM's demo data (#21 part 8), small size, on both databases: counts per entity; the same data on two
// databases; a second seed adds nothing; derived values are what the rules compute (a recompute changes no
// row); and the story holds for the demo users: they sign in, a manager sees the reps' customers and not
// another branch's, the team reaches its customers, and the next customer created through the API gets the
// number after the seeded ones.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recomputeAll } from '../../../engine/src/data/recompute-all.js';
import type { SeedPackResult } from '../../../engine/src/data/seed-pack.js';
import { previewSchema } from '../../../engine/src/schema/apply-schema.js';
import { DEMO_PASSWORD } from '../../../plugins/crm-demo/sales-org.js';
import { VOLUMES } from '../../../plugins/crm-demo/volumes.js';
import { runtimeOf, seedDemo } from '../../support/seed-demo.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

type Rec = Record<string, any>;
let a: TestEngine;
let b: TestEngine;

function seed(t: TestEngine, options: { pack?: string; size?: 'small' | 'large'; onlyIntoEmpty?: boolean } = {}): Promise<SeedPackResult> {
  return seedDemo(t, options.pack ?? 'crm', options);
}

async function one<R extends Rec>(t: TestEngine, sql: string, params: unknown[] = []): Promise<R> {
  const res = await t.engine.db.pool.query(sql, params);
  return res.rows[0] as R;
}

/** Names, amounts and choices of everything seeded, in a stable order; ids, numbers and dates left out. */
const CHECKSUM = `SELECT md5(concat_ws('|',
  (SELECT string_agg(concat_ws(',', name, short_name, region, industry, customer_type, annual_revenue, stage, won_amount, value_score), ';' ORDER BY id) FROM customer),
  (SELECT string_agg(concat_ws(',', name, stage, amount, amount_currency, amount_cny, expected_profit), ';' ORDER BY id) FROM opportunity),
  (SELECT string_agg(concat_ws(',', company_name, contact_name, status, budget, score), ';' ORDER BY id) FROM lead),
  (SELECT string_agg(concat_ws(',', name, title, mobile), ';' ORDER BY id) FROM contact),
  (SELECT string_agg(concat_ws(',', kind, subject, status), ';' ORDER BY id) FROM activity),
  (SELECT string_agg(concat_ws(',', username, display_name), ';' ORDER BY id) FROM app_user),
  (SELECT string_agg(concat_ws(',', name, tier, status, region, points_balance, spend_total), ';' ORDER BY id) FROM member),
  (SELECT string_agg(concat_ws(',', receipt_id, store, amount, paid_amount, points_awarded), ';' ORDER BY id) FROM member_purchase)
)) AS sum`;

beforeAll(async () => {
  [a, b] = await Promise.all([startTestEngine({ packs: ['metadata/packs'] }), startTestEngine({ packs: ['metadata/packs'] })]);
  // b first meets a customer of its own: a first start's demo data does not go into a CRM that is in use.
  const own = await b.request('POST', '/api/v1/customer', { name: '已有客户' });
  expect(own.status, JSON.stringify(own.body)).toBe(201);
  expect(await seed(b, { onlyIntoEmpty: true })).toMatchObject({ status: 'skipped' });
  await b.engine.db.pool.query('DELETE FROM customer');
  const [seededA, seededB] = await Promise.all([seed(a), seed(b)]);
  expect(seededA.status).toBe('seeded');
  expect(seededB.status).toBe('seeded');
}, 60_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

describe('tessera seed crm --size small', () => {
  it('writes the small volumes and the sales organisation', async () => {
    const v = VOLUMES.small;
    const counts = await one(
      a,
      `SELECT (SELECT count(*) FROM customer)::int AS customer, (SELECT count(*) FROM contact)::int AS contact,
        (SELECT count(*) FROM address)::int AS address, (SELECT count(*) FROM lead)::int AS lead,
        (SELECT count(*) FROM opportunity)::int AS opportunity, (SELECT count(*) FROM activity)::int AS activity,
        (SELECT count(*) FROM brand)::int AS brand, (SELECT count(*) FROM related_party)::int AS related_party,
        (SELECT count(*) FROM app_user WHERE username <> 'admin')::int AS users,
        (SELECT count(DISTINCT unit_type) FROM org_unit)::int AS unit_levels`,
    );
    expect(counts).toEqual({
      customer: v.customers,
      contact: v.contacts,
      address: v.addresses,
      lead: v.leads,
      opportunity: v.opportunities,
      activity: v.activities,
      brand: v.brands,
      related_party: v.relatedParties,
      users: 35,
      unit_levels: 3,
    });
    // Every status and stage is there, and the lead assignment pools have members.
    const spread = await one(
      a,
      `SELECT (SELECT array_agg(DISTINCT status ORDER BY status) FROM lead) AS lead_statuses,
        (SELECT array_agg(DISTINCT stage ORDER BY stage) FROM opportunity) AS stages,
        (SELECT array_agg(r.code ORDER BY r.code) FROM role r WHERE r.code LIKE 'sales\\_%' AND EXISTS (SELECT 1 FROM role_members m WHERE m.source_id = r.id)) AS pools,
        (SELECT count(*) FROM customer WHERE parent_id IS NOT NULL)::int AS subsidiaries,
        (SELECT count(*) FROM customer WHERE name ~ '有限公司$')::int AS chinese,
        (SELECT count(*) FROM customer WHERE name ~ '^[A-Za-z]')::int AS english`,
    );
    expect(spread.lead_statuses).toEqual(['contacted', 'converted', 'disqualified', 'new', 'qualified']);
    expect(spread.stages).toEqual(['lost', 'needs_analysis', 'negotiation', 'proposal', 'qualification', 'won']);
    expect(spread.pools).toEqual(expect.arrayContaining(['sales_east', 'sales_east_key', 'sales_north', 'sales_south']));
    expect(spread.subsidiaries).toBeGreaterThan(0);
    expect(spread.chinese).toBeGreaterThan(v.customers / 2);
    expect(spread.english).toBeGreaterThan(0);
  });

  it('writes members with fees, purchases and a points ledger their rollups add up', async () => {
    const v = VOLUMES.small;
    const m = await one(
      a,
      `SELECT (SELECT count(*) FROM member)::int AS members, (SELECT count(*) FROM member_purchase)::int AS purchases,
        (SELECT count(*) FROM member_plan)::int AS plans, (SELECT count(*) FROM member_fee)::int AS fees,
        (SELECT count(*) FROM points_entry WHERE kind = 'redeem')::int AS redemptions,
        (SELECT array_agg(DISTINCT tier ORDER BY tier) FROM member) AS tiers,
        (SELECT array_agg(DISTINCT member_type ORDER BY member_type) FROM member) AS types,
        (SELECT count(*) FROM member WHERE points_balance IS DISTINCT FROM
          (SELECT coalesce(sum(points), 0) FROM points_entry e WHERE e.member_id = member.id))::int AS wrong_balance,
        (SELECT count(*) FROM member WHERE points_balance < 0)::int AS negative,
        (SELECT count(*) FROM member WHERE name ~ '^[一-龥]')::int AS chinese,
        (SELECT count(DISTINCT member_no) FROM member WHERE member_no !~ '(888|666)$')::int AS numbered`,
    );
    // Numbers the plan reserves (ending in 888, 666) are skipped.
    expect(m).toMatchObject({
      members: v.members,
      numbered: v.members,
      purchases: v.members * v.purchasesPerMember,
      plans: 4,
      wrong_balance: 0,
      negative: 0,
    });
    expect(m.fees).toBeGreaterThan(0);
    expect(m.redemptions).toBeGreaterThan(0);
    expect(m.tiers).toEqual(['gold', 'platinum', 'silver']);
    expect(m.types).toEqual(['corporate', 'employee', 'individual']);
    expect(m.chinese).toBeGreaterThan(v.members / 2);
    const runtime = runtimeOf(a);
    for (const entity of ['member', 'member_purchase'])
      expect((await recomputeAll(a.engine.db.pool, runtime, entity)).changed, entity).toBe(0);
  });

  it('leaves the schema as the Model plans it (indexes rebuilt with their tags)', async () => {
    const plan = await previewSchema(a.engine.db.knex, a.engine.models.current().model, a.engine.registries, false);
    expect(plan.steps.map((s) => s.summary)).toEqual([]);
  });

  it('gives two databases the same data', async () => {
    const [sumA, sumB] = await Promise.all([one(a, CHECKSUM), one(b, CHECKSUM)]);
    expect(sumA.sum).toEqual(sumB.sum);
  });

  it('adds nothing when seeded again, and refuses another size or a pack it does not know', async () => {
    const before = await one(a, 'SELECT (SELECT count(*) FROM customer)::int AS c, (SELECT count(*) FROM app_user)::int AS u');
    expect(await seed(a)).toMatchObject({ status: 'already', size: 'small' });
    await expect(seed(a, { size: 'large' })).rejects.toMatchObject({ code: 'seed.other_size' });
    await expect(seed(a, { pack: 'no_such_pack' })).rejects.toMatchObject({ code: 'seed.unknown_pack' });
    await expect(seed(a, { pack: 'core' })).rejects.toMatchObject({ code: 'seed.no_seeder' });
    expect(await one(a, 'SELECT (SELECT count(*) FROM customer)::int AS c, (SELECT count(*) FROM app_user)::int AS u')).toEqual(before);
  });

  it('stores derived values the rules compute: a recompute changes nothing', async () => {
    const mismatched = await one(
      a,
      `SELECT count(*)::int AS n FROM customer c WHERE c.won_amount IS DISTINCT FROM
        (SELECT coalesce(sum(o.amount_cny), 0) FROM opportunity o WHERE o.customer_id = c.id AND o.stage = 'won')`,
    );
    expect(mismatched.n).toBe(0);
    const won = await one(a, `SELECT count(*)::int AS n FROM customer WHERE won_amount > 0`);
    expect(won.n).toBeGreaterThan(0);
    const runtime = runtimeOf(a);
    for (const entity of ['opportunity', 'customer', 'lead']) {
      expect((await recomputeAll(a.engine.db.pool, runtime, entity)).changed, entity).toBe(0);
    }
    // What the API answers is what is stored.
    const lead = await one(a, `SELECT id, score::text AS score, score_band FROM lead WHERE score > 0 ORDER BY lead_no LIMIT 1`);
    const viaApi = await a.request('GET', `/api/v1/lead/${lead.id}`);
    expect(viaApi.body.data.score).toMatchObject({ points: lead.score, band: lead.score_band });
  });

  it('lets the demo users sign in, and shows each what their role reaches', async () => {
    const token = async (username: string) => a.login(username, DEMO_PASSWORD);
    const customers = async (username: string) => {
      const res = await a.request('GET', '/api/v1/customer?limit=500', undefined, { authorization: `Bearer ${await token(username)}` });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return (res.body.data as Rec[]).map((c) => c.id as string).sort();
    };
    const ids = async (where: string, params: unknown[]) =>
      (await a.engine.db.pool.query(`SELECT c.id FROM customer c WHERE ${where} ORDER BY c.id`, params)).rows
        .map((r) => r.id as string)
        .sort();
    const user = async (username: string) => (await one(a, 'SELECT id FROM app_user WHERE username = $1', [username])).id as string;

    // An east sales manager: the customers of the reps reporting to them, none of the south's.
    const manager = await user('zheng.hua');
    const seenByManager = await customers('zheng.hua');
    expect(seenByManager.length).toBeGreaterThan(0);
    expect(seenByManager).toEqual(await ids('c.owner_id IN (SELECT id FROM app_user WHERE manager_id = $1 OR id = $1)', [manager]));
    const south = await ids(`c.org_unit_id IN (SELECT id FROM org_unit WHERE code LIKE 'SOUTH%')`, []);
    expect(south.length).toBeGreaterThan(0);
    expect(seenByManager.filter((id) => south.includes(id))).toEqual([]);
    // The east branch head: everything under the branch.
    expect(await customers('sun.li')).toEqual(await ids(`c.org_unit_id IN (SELECT id FROM org_unit WHERE code LIKE 'EAST%')`, []));
    // An account manager owns no customer, and reaches those whose team they are on.
    const am = await user('cao.ying');
    const seenByAm = await customers('cao.ying');
    expect(seenByAm.length).toBeGreaterThan(0);
    expect(seenByAm).toEqual(await ids('c.account_manager_id = $1 OR c.owner_id = $1', [am]));
  });

  it('numbers the next customer created through the API after the seeded ones', async () => {
    const rep = await a.login('jiang.tao', DEMO_PASSWORD);
    const res = await a.request(
      'POST',
      '/api/v1/customer',
      { name: '苏州新客户科技有限公司', region: 'east' },
      { authorization: `Bearer ${rep}` },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const highest = await one(
      a,
      `SELECT max(customer_no) AS no, count(DISTINCT customer_no)::int AS distinct, count(*)::int AS n FROM customer`,
    );
    expect(res.body.data.customer_no).toBe(highest.no);
    expect(Number(String(highest.no).slice(-6))).toBe(VOLUMES.small.customers + 1);
    expect(highest.distinct).toBe(highest.n);
  });
});
