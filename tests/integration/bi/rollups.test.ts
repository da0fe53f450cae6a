// Report rollups built by the jobs system (#22 part 6), on both databases: the `bi:refresh-rollups` job builds every
// viewer's rollups in Cube's schemas of the source database; a report then reads its rollup and builds nothing; data
// written since is not seen until the job runs again (Cube's query path does not refresh rollups); a publish that
// changes a rollup's SQL queues the job, which builds the new tables before anyone asks.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../../engine/src/metadata/load-model.js';
import { ROLLUP_REFRESH_JOB } from '../../../engine/src/bi/rollup-job.js';
import { SCHEDULE_TICK_JOB } from '../../../engine/src/jobs/schedule-tick.js';
import { rollupAlias } from '../../../engine/src/bi/build-cube-files.js';
import { BI_USERS, setupBiWorld, type BiWorld } from '../../support/bi-world.js';
import { BUILTIN_RULES } from '../../support/builtin-rules.js';
import { makeTempDir, removeDir } from '../../support/pack-builder.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

type Rec = Record<string, any>;
let t: TestEngine;
let world: BiWorld;
const tmp = makeTempDir('tessera-rollups-');
const completed = new Set<string>();
const ROLLUP_REPORTS = ['sales_funnel', 'top_customers_by_revenue', 'revenue_by_month'];

beforeAll(async () => {
  // A copy of the CRM pack, so that a changed version of it can be published later in the file.
  cpSync(resolve('metadata/packs/crm'), join(tmp, 'crm'), { recursive: true });
  t = await startTestEngine({ packs: ['metadata/packs/core', join(tmp, 'crm')] });
  t.engine.queue.onCompleted((key) => completed.add(key));
  // The job's schedule is not what is tested here: no tick queues it in the middle of a test.
  await t.engine.queue.unrepeat(SCHEDULE_TICK_JOB, '* * * * *');
  world = await setupBiWorld(t, 18);
  // Deals along the pipeline, some won (the funnel and the revenue by month have rows).
  await t.db.pool.query(
    `UPDATE opportunity o SET stage = (ARRAY['qualification', 'proposal', 'negotiation', 'won'])[1 + s.n % 4],
       closed_on = CASE WHEN s.n % 4 = 3 THEN current_date - s.n::int * 20 END
     FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM opportunity) s WHERE s.id = o.id`,
  );
}, 60_000);

afterAll(async () => {
  await t?.stop();
  removeDir(tmp);
});

async function completion(key: string): Promise<void> {
  const deadline = Date.now() + 150_000;
  while (!completed.has(key)) {
    if (Date.now() > deadline) throw new Error(`job ${key} did not complete`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function runJob(key: string): Promise<void> {
  await t.engine.queue.add(ROLLUP_REFRESH_JOB, {}, { jobKey: key });
  await completion(key);
}

/**
 * The rollups the tables hold, `schema.<cube>_<alias>_<structure>`: a forced rebuild (a job) gives a new table of the
 * same shape, Cube's query path would build one only for a shape not there yet.
 */
const shapes = (tables: string[]) => [...new Set(tables.map((x) => x.replace(/_[a-z0-9]+_([a-z0-9]+)_[a-z0-9]+$/, '_$1')))].sort();

/** Every table in Cube's rollup schemas, `schema.table`. */
async function rollupTables(): Promise<string[]> {
  const { rows } = await t.db.pool.query(
    `SELECT schemaname || '.' || tablename AS t FROM pg_tables WHERE schemaname LIKE 'tessera\\_cube\\_%' ORDER BY 1`,
  );
  return rows.map((r: Rec) => r.t as string);
}

const callers = () => [t.adminToken, ...BI_USERS.map((u) => world.tokens[u] ?? '')];

async function report(token: string, name: string): Promise<Rec> {
  const res = await t.request('GET', `/api/v1/reports/${name}`, undefined, { authorization: `Bearer ${token}` });
  expect(res.status, `${name}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body;
}

describe('report rollups built by the jobs system', { timeout: 240_000 }, () => {
  it('builds every viewer’s rollups, which reports then read without building any', async () => {
    // A reader who has never signed in gets no rollups from the job (Cube builds theirs on their first report).
    const away = await t.request('POST', '/api/v1/app_user', { username: 'away', display_name: 'away' });
    expect(away.status).toBe(201);
    const role = await t.request('POST', '/api/v1/role', {
      code: 'away_reader',
      name: 'away reader',
      grants: { entities: { opportunity: { actions: ['read'], scope: 'all' } } },
      members: [away.body.data.id],
    });
    expect(role.status, JSON.stringify(role.body)).toBe(201);
    // (The job queued at start may have met the users before their roles: those schemas are no one's now.)
    const before = await rollupTables();
    await runJob('test:first');
    const built = await rollupTables();
    // The administrator and the three BI users, who signed in, each get the three rollups of their opportunities, in a
    // schema each; the user away gets none.
    const added = built.filter((x) => !before.includes(x) && x.split('.')[1]?.startsWith('opportunity_'));
    const schemas = new Set(added.map((x) => x.split('.')[0]));
    expect(schemas.size).toBe(1 + BI_USERS.length);
    for (const schema of schemas) expect(added.filter((x) => x.startsWith(`${schema}.`)).length, schema).toBe(3);
    for (const token of callers())
      for (const name of ROLLUP_REPORTS) expect((await report(token, name)).meta.preAggregated, name).toBe(true);
    expect(shapes(await rollupTables())).toEqual(shapes(built));
  });

  it("builds a new viewer's rollups and answers their first reports at once, none failing on the schema both create", async () => {
    // The user away signs in: the job now builds for them while their first reports ask Cube, which builds the
    // rollups they read too. Both create the viewer's schema when it is not there.
    const away = (await t.request('GET', '/api/v1/app_user?filter={"==":[{"var":"username"},"away"]}')).body.data[0] as Rec;
    expect((await t.request('PUT', `/api/admin/users/${away.id}/password`, { password: 'away-password-1' })).status).toBe(204);
    const token = await t.login('away', 'away-password-1');
    // The reports of the opportunities alone (the reader may not read customers).
    const names = ['sales_funnel', 'revenue_by_month'];
    const [, ...answers] = await Promise.all([runJob('test:new-viewer'), ...names.map((name) => report(token, name))]);
    expect(answers.map((a) => a.meta.report.name)).toEqual(names);
  });

  it('answers from the last build until the job runs again', async () => {
    const funnel = async () =>
      Object.fromEntries(((await report(t.adminToken, 'sales_funnel')).data as Rec[]).map((r) => [r.stage, Number(r.count)]));
    const before = await funnel();
    const { rows } = await t.db.pool.query(
      `UPDATE opportunity SET stage = 'qualification' WHERE id = (SELECT id FROM opportunity WHERE stage = 'proposal' AND deleted_at IS NULL ORDER BY id LIMIT 1) RETURNING id`,
    );
    expect(rows).toHaveLength(1);
    expect(await funnel()).toEqual(before);
    const tables = await rollupTables();
    await runJob('test:second');
    expect(await rollupTables()).not.toEqual(tables);
    const after = await funnel();
    expect(after.qualification).toBe((before.qualification ?? 0) + 1);
    expect(after.proposal ?? 0).toBe((before.proposal ?? 0) - 1);
  });

  it('builds the new rollups of a published Model before anyone asks', async () => {
    // The funnel's `open` segment also leaves out negotiations: its rollup's SQL, and so its table, change.
    const file = join(tmp, 'crm', 'entities', 'opportunity.json');
    const spec = JSON.parse(readFileSync(file, 'utf8')) as Rec;
    const open = (spec.analytics.segments as Rec[]).find((s) => s.name === 'open');
    if (!open) throw new Error('the CRM pack has no open segment');
    open.filter = { and: [open.filter, { '!=': [{ var: 'stage' }, 'negotiation'] }] };
    writeFileSync(file, JSON.stringify(spec));
    const tables = await rollupTables();
    const model = loadModel([resolve('metadata/packs/core'), join(tmp, 'crm')], { kinds: BUILTIN_RULES.kinds });
    await t.engine.publish(model);
    await completion(`bi:model:${model.hash}`);
    const rebuilt = await rollupTables();
    const funnels = (list: string[]) => list.filter((x) => x.includes(`.opportunity_${rollupAlias('sales_funnel')}_`));
    // A new funnel table in every viewer's schema (Cube keeps the tables of the old SQL a while, and drops them later):
    // the administrator's, the BI users' and the reader's who signed in since.
    const added = funnels(rebuilt).filter((x) => !tables.includes(x));
    expect(new Set(added.map((x) => x.split('.')[0])).size).toBe(2 + BI_USERS.length);
    const res = await report(t.adminToken, 'sales_funnel');
    expect(res.meta.preAggregated).toBe(true);
    const stages = (res.data as Rec[]).map((r) => r.stage);
    expect(stages.length).toBeGreaterThan(0);
    expect(stages).not.toContain('negotiation');
    const { rows } = await t.db.pool.query(
      `SELECT stage, count(*)::int AS n FROM opportunity WHERE deleted_at IS NULL AND stage NOT IN ('won', 'lost', 'negotiation') GROUP BY 1 ORDER BY 1`,
    );
    expect((res.data as Rec[]).map((r) => [r.stage, Number(r.count)]).sort()).toEqual(rows.map((r: Rec) => [r.stage, r.n]));
    expect(shapes(await rollupTables())).toEqual(shapes(rebuilt));
  });
});
