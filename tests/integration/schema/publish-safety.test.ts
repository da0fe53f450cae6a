// A publish is all or nothing, including the engine that serves it (#18 part 3): a Model this engine cannot
// serve is refused before anything is applied or recorded, naming file and pointer; a publish applies the
// plan that was reviewed or nothing; the history records who published; and an engine whose packs cannot be
// served starts on the newest published Model it can serve instead of crashing.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../engine/src/config/config.js';
import { connectDatabase } from '../../../engine/src/db/database.js';
import { createEngine } from '../../../engine/src/engine.js';
import type { Model } from '../../../engine/src/metadata/model.js';
import { isEngineError } from '../../../engine/src/shared/engine-error.js';
import { createLogger } from '../../../engine/src/shared/logger.js';
import { expectProblem } from '../../support/problem-checks.js';
import { publishReviewed } from '../../support/publish-reviewed.js';
import { createTestDatabase } from '../../support/test-database.js';
import { startPeerEngine, startTestEngine, type TestEngine } from '../../support/test-engine.js';

const ROOT = resolve(import.meta.dirname, '../../..');
let t: TestEngine;
let packDir: string;

async function historyCount(): Promise<number> {
  return Number((await t.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM tessera_schema_history')).rows[0]?.n);
}

function addAccountField(name: string): void {
  const file = join(packDir, 'entities/account.json');
  const account = JSON.parse(readFileSync(file, 'utf8'));
  account.fields.push({ id: `demo.account.${name}`, name, kind: 'text', label: { en: name }, maxLength: 50 });
  writeFileSync(file, JSON.stringify(account, null, 2));
}

/** The served Model with one field changed in memory: metadata no validator produced. */
function withField(model: Model, entity: string, field: Record<string, unknown>): Model {
  const copy = structuredClone(model) as unknown as { entities: Array<{ name: string; fields: Array<Record<string, unknown>> }> };
  const target = copy.entities.find((e) => e.name === entity);
  target?.fields.push(field);
  return copy as unknown as Model;
}

beforeAll(async () => {
  packDir = mkdtempSync(join(tmpdir(), 'tessera-publish-safety-'));
  cpSync(resolve(ROOT, 'tests/fixtures/packs/api-demo'), packDir, { recursive: true });
  t = await startTestEngine({ packs: ['metadata/packs/core', packDir] });
});

afterAll(async () => {
  await t?.stop();
  rmSync(packDir, { recursive: true, force: true });
});

describe('a Model this engine cannot serve', () => {
  it('is refused before anything is applied or recorded, naming the entity file and the field pointer', async () => {
    const before = await historyCount();
    const current = t.engine.models.current();
    const account = current.model.entities.find((e) => e.name === 'account');
    const bad = withField(current.model, 'account', {
      ...account?.fields.find((f) => f.name === 'tier'),
      id: 'demo.account.rank',
      name: 'rank',
      min: 'xyz',
    });
    const attempt = t.engine.publish(bad);
    await expect(attempt).rejects.toSatisfy((err: unknown) => isEngineError(err) && err.code === 'metadata.invalid');
    const err = await attempt.catch((e: unknown) => e);
    const problem = isEngineError(err) ? err.fieldErrors[0] : undefined;
    expect(problem).toMatchObject({ code: 'runtime.unservable', pointer: `/fields/${account?.fields.length}` });
    expect((problem as { file?: string } | undefined)?.file).toBe(account?.file);
    expect(await historyCount()).toBe(before);
    const columns = await t.db.pool.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'account' AND column_name = 'rank'`);
    expect(columns.rowCount).toBe(0);
    expect(t.engine.models.current()).toBe(current);
  });
});

describe('a Model whose partial index this engine cannot plan', () => {
  it('is refused before anything is applied, pointing at the condition', async () => {
    const before = await historyCount();
    const current = t.engine.models.current();
    const copy = structuredClone(current.model) as unknown as {
      entities: Array<{ name: string; file: string; indexes: Array<Record<string, unknown>> }>;
    };
    const account = copy.entities.find((e) => e.name === 'account');
    const declared = account?.indexes.find((i) => String(i.key).startsWith('index#'));
    account?.indexes.push({
      ...declared,
      key: 'index#demo.account.by_mystery',
      name: 'account_by_mystery',
      where: { '==': [{ var: 'mystery' }, 1] },
    });
    const err = await t.engine.publish(copy as unknown as Model).catch((e: unknown) => e);
    expect(isEngineError(err) && err.code).toBe('metadata.invalid');
    const problem = isEngineError(err) ? (err.fieldErrors[0] as { file?: string; pointer: string; code: string }) : undefined;
    expect(problem?.pointer).toMatch(/^\/indexes\/\d+\/where/);
    expect(problem?.code).toBe('filter.unknown_field');
    expect(problem?.file).toBe(account?.file);
    expect(await historyCount()).toBe(before);
    expect(t.engine.models.current()).toBe(current);
  });
});

describe('publishing over HTTP', () => {
  it('needs the hash of the reviewed plan', async () => {
    expectProblem(await t.request('POST', '/api/admin/model/publish', {}), 400, 'request.invalid_body');
  });

  it('refuses a plan other than the one reviewed, and applies the reviewed one, recording the admin', async () => {
    addAccountField('nickname');
    const reviewed = await t.request('GET', '/api/admin/model/plan');
    expect(reviewed.status).toBe(200);
    expect(reviewed.body.meta.planHash).toMatch(/^[0-9a-f]{64}$/);
    // The packs change after the review: the plan to apply is no longer the reviewed one.
    addAccountField('motto');
    const before = await historyCount();
    const stale = await t.request('POST', '/api/admin/model/publish', { planHash: reviewed.body.meta.planHash });
    expectProblem(stale, 409, 'schema.plan_changed');
    expect(stale.body.planHash).not.toBe(reviewed.body.meta.planHash);
    expect(await historyCount()).toBe(before);

    const published = await publishReviewed(t.request);
    expect(published.status).toBe(200);
    expect(published.body.data.changed).toBe(true);
    const row = await t.db.pool.query<{ applied_by: string }>(
      'SELECT applied_by FROM tessera_schema_history ORDER BY version DESC LIMIT 1',
    );
    expect(row.rows[0]?.applied_by).toMatch(/^admin \(/);
  });
});

describe('an engine whose packs cannot be served', () => {
  const brokenPacks = {
    packs: ['metadata/packs/core', 'tests/fixtures/packs/api-demo', 'tests/fixtures/packs/broken-kind-demo'],
    pluginsDir: 'tests/fixtures/plugins',
  };

  it('starts on the newest published Model it can serve and says why', async () => {
    const published = t.engine.models.current();
    const before = await historyCount();
    const peer = await startPeerEngine(t, brokenPacks);
    try {
      expect(peer.engine.models.current().version).toBe(published.version);
      expect(peer.engine.models.current().model.hash).toBe(published.model.hash);
      expect((await fetch(`${peer.url}/api/health`)).status).toBe(200);
      expect(await historyCount()).toBe(before);
      const gadget = await t.db.pool.query(`SELECT to_regclass('gadget') AS t`);
      expect(gadget.rows[0]?.t).toBeNull();
    } finally {
      await peer.stop();
    }
  });

  it('on a database with nothing published, fails to start with the problems by file and pointer, not a crash', async () => {
    const fresh = await createTestDatabase();
    try {
      const config = loadConfig(
        {
          TESSERA_PACKS: brokenPacks.packs.map((p) => resolve(ROOT, p)).join(','),
          TESSERA_PLUGINS_DIR: resolve(ROOT, brokenPacks.pluginsDir),
          TESSERA_ADMIN_PASSWORD: 'x-password',
          LOG_LEVEL: 'silent',
        },
        ROOT,
      );
      const db = connectDatabase(fresh.url, 'postgres');
      const attempt = createEngine(config, { db, logger: createLogger('silent') });
      const err = await attempt.catch((e: unknown) => e);
      await db.close();
      expect(isEngineError(err) && err.code).toBe('metadata.invalid');
      expect(isEngineError(err) ? err.fieldErrors[0] : undefined).toMatchObject({ code: 'runtime.unservable', pointer: '/fields/1' });
      const tables = await fresh.pool.query(`SELECT to_regclass('gadget') AS g, to_regclass('tessera_schema_history') AS h`);
      expect(tables.rows[0]).toMatchObject({ g: null });
    } finally {
      await fresh.dispose();
    }
  });
});
