// The `tessera` command as a consultant runs it: validate (readable errors, exit codes), plan, apply
// (against the test database through DATABASE_URL), and a second apply that has nothing to do; and as an operator
// runs it: blob garbage collection from the command line.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { utimes } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../../engine/src/metadata/load-model.js';
import { applySchema } from '../../../engine/src/schema/apply-schema.js';
import { basePack, entityOf, makeTempDir, readPack, removeDir, writePackSource } from '../../support/pack-builder.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { LocalBlobStore } from '../../../engine/src/storage/local-blob-store.js';
import { BUILTIN_RULES } from '../../support/builtin-rules.js';

const run = promisify(execFile);
const BIN = resolve('bin/tessera.js');
const CORE = resolve('metadata/packs/core');
const SALES = resolve('tests/fixtures/packs/sales');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

let db: TestDatabase;
const root = makeTempDir('tessera-cli-');

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.dispose();
  removeDir(root);
});

/** Runs the CLI with only core installed (so other packs in metadata/packs/ do not matter) and the test database. */
async function tessera(...args: string[]): Promise<CliResult> {
  return tesseraWith({}, ...args);
}

async function tesseraWith(extraEnv: Record<string, string>, ...args: string[]): Promise<CliResult> {
  const env = {
    ...process.env,
    TESSERA_PACKS: CORE,
    DATABASE_URL: db.url,
    TESSERA_DATA_DIR: join(root, 'data'),
    LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env, cwd: resolve('.'), timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const failed = e as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw e;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe.concurrent('tessera validate', () => {
  it('fails with readable errors naming file, pointer and rule', async () => {
    const pack = basePack();
    entityOf(pack, 'contact').fields.push({ id: 'c.x', name: 'select', kind: 'text', label: { en: 'X' } });
    entityOf(pack, 'account').titleField = 'title';
    const dir = writePackSource(join(root, 'bad'), pack);
    const result = await tessera('validate', dir, '--only');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Invalid metadata: 2 problem(s)');
    expect(result.stderr).toContain('pack base > entity account');
    expect(result.stderr).toContain(
      `${join(dir, 'entities', 'account.json')}#/titleField  [entity.unknown_field]  titleField 'title' is not a field of this entity`,
    );
    expect(result.stderr).toContain('pack base > entity contact > field select');
    expect(result.stderr).toContain(`${join(dir, 'entities', 'contact.json')}#/fields/3/name  [name.reserved_word]`);
    expect(result.stdout).not.toContain('Valid.');
  });

  it('fails on a pack that needs core when --only leaves core out', async () => {
    const result = await tessera('validate', SALES, '--only');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("[pack.missing_requirement]  requires pack 'core' (>=0.1.0), which is not installed");
  });

  it('passes a good pack, adding the installed core pack it requires', async () => {
    const result = await tessera('validate', SALES);
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toContain('Valid.');
    expect(result.stderr).toMatch(/Loaded 2 pack\(s\) \((core@[\d.]+, sales@1\.0\.0|sales@1\.0\.0, core@[\d.]+)\), \d+ entities/);
  });
});

describe.concurrent('tessera validate with plugins (#18: the CLI loads the plugins the packs require)', () => {
  const PLUGIN_DEMO = resolve('tests/fixtures/packs/plugin-demo');

  /** plugin-demo with partial indexes whose conditions use its plugin kind and plugin operator. */
  function withIndexes(name: string, where: unknown): string {
    const pack = readPack(PLUGIN_DEMO);
    entityOf(pack, 'note').indexes = [
      { id: 'demo.note.by_progress', name: 'by_progress', fields: ['progress'], where: { '>': [{ var: 'progress' }, '50'] } },
      { id: 'demo.note.long_titles', name: 'long_titles', fields: ['title'], where },
    ];
    return writePackSource(join(root, name, 'plugin_demo'), pack);
  }

  it('passes a pack using a plugin kind and a plugin operator in partial indexes', async () => {
    const result = await tessera('validate', withIndexes('plugin-ok', { lengthAtLeast: [{ var: 'title' }, 3] }), '--only');
    expect(result.stderr).not.toContain('Invalid metadata');
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toContain('Valid.');
  });

  it('refuses a partial-index condition that planning would refuse, naming file and pointer', async () => {
    const dir = withIndexes('plugin-bad', { lengthAtLeast: [{ var: 'archived' }, 3] });
    const result = await tessera('validate', dir, '--only');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`${join(dir, 'entities', 'note.json')}#/indexes/1/where`);
  });
});

describe('tessera plan and apply', () => {
  it('prints the plan, applies it, then has nothing to do', async () => {
    const plan = await tessera('plan', SALES, '--sql');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/^\d+ step\(s\):/);
    expect(plan.stdout).toContain('create table customer (25 columns)');
    expect(plan.stdout).toContain('add index customer_active_by_name_idx on customer (name)');
    expect(plan.stdout).toContain('CREATE TABLE "customer" (');

    const apply = await tessera('apply', SALES);
    expect(apply.code).toBe(0);
    expect(apply.stdout).toMatch(/Applied model version 1 \(\d+ step\(s\)\)\./);
    expect(apply.stderr).toMatch(/\[1\/\d+\] create table app_user/);
    const tables = await db.knex.raw<{ rows: Array<{ tablename: string }> }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`,
    );
    expect(tables.rows.map((r) => r.tablename)).toEqual(
      expect.arrayContaining(['app_user', 'customer', 'customer_segments', 'region', 'segment', 'visit', 'tessera_schema_history']),
    );

    const again = await tessera('apply', SALES);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to do: model version 1 is already applied.');

    const planAgain = await tessera('plan', SALES);
    expect(planAgain.stdout).toContain('No changes: the database already matches the packs.');
  });

  it('refuses a destructive change with the plan and row counts, then applies it with --allow-destructive', async () => {
    await applySchema(db.knex, loadModel([SALES, CORE], { kinds: BUILTIN_RULES.kinds }), BUILTIN_RULES);
    await db.knex('customer').insert({ id: '00000000-0000-4000-8000-000000000001', name: 'Acme', legacy_code: 'OLD' });
    const pack = readPack(SALES);
    const customer = entityOf(pack, 'customer');
    customer.fields = customer.fields.filter((f) => f.name !== 'legacy_code');
    const dir = writePackSource(join(root, 'sales-shrunk', 'sales'), pack);

    const refused = await tessera('apply', dir);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('drop column customer.legacy_code');
    expect(refused.stderr).toContain(
      '! destructive: the column and its values would be deleted (1 row(s)) - refused without --allow-destructive',
    );
    expect(refused.stderr).toContain('Error [schema.destructive]');

    const applied = await tessera('apply', dir, '--allow-destructive');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Applied model version 2 (1 step(s)).');
    expect(await db.knex('customer').count({ n: '*' })).toEqual([{ n: expect.anything() }]);
  });
});

describe('tessera blobs collect', () => {
  it('sets aside a stored file nothing references, then deletes it once its grace period is over', async () => {
    // A published Model (as the applies above leave it), and a file stored two days ago and never used.
    await applySchema(db.knex, loadModel([SALES, CORE], { kinds: BUILTIN_RULES.kinds }), BUILTIN_RULES);
    const store = new LocalBlobStore(join(root, 'data', 'files'));
    const blob = await store.put(Buffer.from('an upload whose record was never written'), { maxBytes: 1024 });
    const path = join(root, 'data', 'files', blob.sha256.slice(0, 2), blob.sha256.slice(2, 4), blob.sha256);
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    await utimes(path, twoDaysAgo, twoDaysAgo);

    const first = await tessera('blobs', 'collect');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('1 stored when the run began');
    expect(first.stdout).toContain('set aside now: 1');
    // Aside, not gone: a record written now could still take it back.
    expect(existsSync(path)).toBe(false);
    expect(await store.has(blob.sha256)).toBe(true);

    // Aside for longer than a grace period of one second: deleted.
    await new Promise((r) => setTimeout(r, 1100));
    const second = await tesseraWith({ TESSERA_BLOB_GRACE_SECONDS: '1' }, 'blobs', 'collect');
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('deleted: 1');
    expect(await store.has(blob.sha256)).toBe(false);
  });
});
