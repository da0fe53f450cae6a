// Seeders, on a non-CRM fixture (tests/fixtures/packs/seed-demo + plugins/seed-probe), on both databases: a
// plugin's seeder writes set-based inside one transaction; numbers are drawn as a block so the next create gets
// the next one; the computed field is brought up to date; the seeded user signs in; a second seed adds nothing;
// sizes, packs and seeders the engine does not know are refused with their codes; a broken reference is caught
// when triggers were off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModelRuntime } from '../../../engine/src/data/entity-runtime.js';
import { seedPack, type SeedProgress } from '../../../engine/src/data/seed-pack.js';
import { verifyForeignKeys, writtenTables } from '../../../engine/src/data/seed-bulk-load.js';
import { seedRandom } from '../../../engine/src/data/seed-random.js';
import { setUpPlugins } from '../../../engine/src/plugins/load-plugins.js';
import { createLogger } from '../../../engine/src/shared/logger.js';
import { PROBE_MEMOS, PROBE_PASSWORD } from '../../fixtures/plugins/seed-probe/index.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

const log = createLogger('silent');
let t: TestEngine;

function seed(size: 'small' | 'large' = 'small', pack = 'seed_demo', onProgress?: (p: SeedProgress) => void) {
  const { registries, models } = t.engine;
  const runtime = buildModelRuntime(models.current().model, registries.kinds, registries.operators);
  return seedPack(t.engine.db.pool, runtime, registries.seeders, { pack, size, log, ...(onProgress ? { onProgress } : {}) });
}

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'tests/fixtures/packs/seed-demo'], pluginsDir: 'tests/fixtures/plugins' });
});

afterAll(async () => {
  await t?.stop();
});

describe('seeders', () => {
  it('seed a pack once, with numbers, derived values and a user who signs in', async () => {
    const steps: string[] = [];
    const result = await seed('small', 'seed_demo', (p) => steps.push(p.label));
    expect(result).toMatchObject({ status: 'seeded', outcome: { counts: { memo: PROBE_MEMOS, app_user: 1 } } });
    expect(steps).toEqual(expect.arrayContaining(['author', 'memos', 'derived', 'indexes built']));
    const rows = (await t.engine.db.pool.query(`SELECT memo_no, pages, long FROM memo ORDER BY memo_no`)).rows;
    expect(rows).toHaveLength(PROBE_MEMOS);
    expect(rows[0].memo_no).toBe('MM-0001');
    expect(rows.every((r) => r.long === r.pages > 10)).toBe(true);
    const random = seedRandom(20261206);
    expect(rows.map((r) => r.pages).sort()).toEqual(Array.from({ length: PROBE_MEMOS }, () => Math.floor(random() * 20)).sort());

    expect(await t.login('memo.writer', PROBE_PASSWORD)).toEqual(expect.any(String));
    const created = await t.request('POST', '/api/v1/memo', { title: 'After the seed', pages: 12 });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.data).toMatchObject({ memo_no: `MM-00${PROBE_MEMOS + 1}`, long: true });

    expect(await seed()).toMatchObject({ status: 'already', size: 'small' });
    expect((await t.engine.db.pool.query(`SELECT count(*)::int AS n FROM memo`)).rows[0].n).toBe(PROBE_MEMOS + 1);
  });

  it('refuses a size, a pack or a seeder it does not know', async () => {
    await expect(seed('large')).rejects.toMatchObject({ code: 'seed.size' });
    await expect(seed('small', 'crm')).rejects.toMatchObject({ code: 'seed.unknown_pack' });
    await expect(seed('small', 'core')).rejects.toMatchObject({ code: 'seed.no_seeder' });
    const seeder = { pack: 'seed_demo', sizes: ['small'] as const, run: async () => ({ counts: {}, logins: [] }) };
    await expect(
      setUpPlugins(
        [
          { name: 'one', version: '1', setup: (host) => host.seeder(seeder) },
          { name: 'two', version: '1', setup: (host) => host.seeder(seeder) },
        ],
        log,
      ),
    ).rejects.toMatchObject({ code: 'plugin.invalid' });
  });

  it('finds a reference that names no row once triggers were off', async () => {
    const client = await t.engine.db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL session_replication_role = replica');
      await client.query(`INSERT INTO memo (id, title, author_id) VALUES (gen_random_uuid(), 'orphan', gen_random_uuid())`);
      await expect(verifyForeignKeys(client, ['memo'])).rejects.toMatchObject({ code: 'seed.broken_reference' });
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('checks the references of the tables the seed wrote, or of all of them once it deleted rows', async () => {
    const client = await t.engine.db.pool.connect();
    try {
      await client.query('BEGIN');
      // Never fewer than the transaction wrote (PostgreSQL 15+ may also count a backend's earlier, unflushed writes).
      await client.query(`INSERT INTO memo (id, title) VALUES (gen_random_uuid(), 'written')`);
      expect(await writtenTables(client, ['memo', 'app_user'])).toContain('memo');
      expect(await writtenTables(client, ['app_user'])).not.toContain('memo');
      await client.query(`DELETE FROM memo WHERE title = 'written'`);
      expect(await writtenTables(client, ['memo', 'app_user'])).toEqual(['memo', 'app_user']);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
