// Scaled topology: two engines on one PostgreSQL database. A Model published through one is served by the
// other without a restart, also when the other's notice connection was cut while it was published.
// PostgreSQL only: the embedded database runs a single engine.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPeerEngine, startTestEngine, TEST_ADMIN_PASSWORD, type PeerEngine, type TestEngine } from '../../support/test-engine.js';
import { publishReviewed } from '../../support/publish-reviewed.js';

const ROOT = resolve(import.meta.dirname, '../../..');
let a: TestEngine;
let packDir: string;
let peer: PeerEngine;
let b: PeerEngine['engine'];
let bUrl: string;
let bToken: string;

async function onB(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(bUrl + path, {
    method,
    headers: { authorization: `Bearer ${bToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: await res.json() };
}

function addAccountField(name: string): void {
  const file = join(packDir, 'entities/account.json');
  const account = JSON.parse(readFileSync(file, 'utf8'));
  account.fields.push({ id: `demo.account.${name}`, name, kind: 'text', label: { en: name }, maxLength: 100 });
  writeFileSync(file, JSON.stringify(account, null, 2));
}

async function bAccountFields(): Promise<string[]> {
  const meta = await onB('GET', '/api/meta');
  const account = (meta.body.entities as Array<{ name: string; fields: Array<{ name: string }> }>).find((e) => e.name === 'account');
  return account?.fields.map((f) => f.name) ?? [];
}

/** Polls B until its Model has the account field (a notice is asynchronous), at most ~10 s. */
async function bHasAccountField(name: string): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if ((await bAccountFields()).includes(name)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe('a Model published by another engine', () => {
  beforeAll(async () => {
    packDir = mkdtempSync(join(tmpdir(), 'tessera-follow-'));
    cpSync(resolve(ROOT, 'tests/fixtures/packs/api-demo'), packDir, { recursive: true });
    a = await startTestEngine({ packs: ['metadata/packs/core', packDir] });
    peer = await startPeerEngine(a, { packs: ['metadata/packs/core', packDir] });
    ({ engine: b, url: bUrl } = peer);
    const login = await fetch(`${bUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: TEST_ADMIN_PASSWORD }),
    });
    bToken = ((await login.json()) as { data: { token: string } }).data.token;
  });

  afterAll(async () => {
    await peer?.stop();
    await a?.stop();
    rmSync(packDir, { recursive: true, force: true });
  });

  it('is served by this engine without a restart: reads, writes and the API description', async () => {
    expect(await bAccountFields()).not.toContain('website');
    addAccountField('website');
    const published = await publishReviewed(a.request);
    expect(published.status).toBe(200);
    expect(published.body.data.changed).toBe(true);
    expect(await bHasAccountField('website')).toBe(true);
    expect(b.models.current().version).toBe(published.body.data.version);
    const created = await onB('POST', '/api/v1/account', { name: 'Followed', website: 'https://example.com' });
    expect(created.status).toBe(201);
    expect(created.body.data.website).toBe('https://example.com');
    const read = await a.request('GET', `/api/v1/account/${created.body.data.id}`);
    expect(read.body.data.website).toBe('https://example.com');
    const openapi = await onB('GET', '/api/openapi.json');
    expect(Object.keys(openapi.body.components.schemas.Account.properties)).toContain('website');
  });

  it('is caught up after the notice connection was cut while it was published', async () => {
    const admin = new pg.Client({ connectionString: a.db.url });
    await admin.connect();
    const cut = await admin.query(
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN tessera_model'`,
    );
    await admin.end();
    // Both engines listen; both connections are cut.
    expect(cut.rowCount).toBe(2);
    addAccountField('industry');
    const published = await publishReviewed(a.request);
    expect(published.body.data.changed).toBe(true);
    expect(await bHasAccountField('industry')).toBe(true);
    expect(b.models.current().version).toBe(published.body.data.version);
  });

  it('is served, not undone, by an engine that starts with older packs (a rolling upgrade)', async () => {
    const manifest = join(packDir, 'pack.json');
    writeFileSync(manifest, JSON.stringify({ ...JSON.parse(readFileSync(manifest, 'utf8')), version: '1.1.0' }, null, 2));
    addAccountField('segment_code');
    const published = await publishReviewed(a.request);
    expect(published.body.data.changed).toBe(true);
    // An engine built from the original api-demo pack (1.0.0: no website, industry or segment_code).
    const oldPeer = await startPeerEngine(a, { packs: ['metadata/packs/core', 'tests/fixtures/packs/api-demo'] });
    const old = oldPeer.engine;
    try {
      expect(old.models.current().version).toBe(published.body.data.version);
      const account = old.models.current().model.entities.find((e) => e.name === 'account');
      expect(account?.fields.map((f) => f.name)).toEqual(expect.arrayContaining(['website', 'industry', 'segment_code']));
      const columns = await a.db.pool.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'account'`);
      expect(columns.rows.map((r: { column_name: string }) => r.column_name)).toEqual(
        expect.arrayContaining(['website', 'industry', 'segment_code']),
      );
    } finally {
      await oldPeer.stop();
    }
  });

  it('is not served when this engine cannot serve it; it keeps the Model it has', async () => {
    const before = b.models.current();
    // A Model in the history that names a field kind no engine knows (as if published by a newer build).
    const admin = new pg.Client({ connectionString: a.db.url });
    await admin.connect();
    const latest = await admin.query<{ version: number; model: any }>(
      'SELECT version, model FROM tessera_schema_history ORDER BY version DESC LIMIT 1',
    );
    const row = latest.rows[0] as { version: number; model: any };
    const model = row.model;
    const account = model.entities.find((e: { name: string }) => e.name === 'account');
    account.fields.push({ ...account.fields[0], id: 'demo.account.mystery', name: 'mystery', kind: 'hologram' });
    await admin.query(
      `INSERT INTO tessera_schema_history (version, hash, applied_by, packs, plan, model) VALUES ($1, 'test', 'test', '[]', '[]', $2)`,
      [row.version + 1, JSON.stringify(model)],
    );
    await admin.query(`SELECT pg_notify('tessera_model', $1)`, [String(row.version + 1)]);
    await admin.end();
    await new Promise((r) => setTimeout(r, 500));
    expect(b.models.current()).toBe(before);
    expect((await onB('GET', '/api/v1/account?limit=1')).status).toBe(200);
  });
});
