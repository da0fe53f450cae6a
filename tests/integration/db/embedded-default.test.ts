// The embedded default as `npm start` runs it: the engine starts its own PostgreSQL cluster under the data
// folder. Guards #18 part 1: concurrent requests never receive each other's rows, a postmaster left by a killed
// engine is recovered, a live neighbour on the same folder is refused, and closing the engine stops the cluster.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../engine/src/config/config.js';
import { startEmbeddedCluster } from '../../../engine/src/db/embedded-cluster.js';
import { createEngine, type Engine } from '../../../engine/src/engine.js';
import { createLogger } from '../../../engine/src/shared/logger.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const PASSWORD = 'embedded-default-password';
const log = createLogger('silent');

function dataFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-embedded-'));
  chmodSync(dir, 0o755);
  return dir;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function postmasterPid(clusterDir: string): number {
  return Number(readFileSync(join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

describe('the embedded default (npm start without DATABASE_URL)', () => {
  let dataDir: string;
  let engine: Engine;
  let url: string;
  let token: string;

  beforeAll(async () => {
    dataDir = dataFolder();
    const config = loadConfig(
      {
        TESSERA_DATA_DIR: dataDir,
        TESSERA_PACKS: ['metadata/packs/core', 'tests/fixtures/packs/api-demo'].map((p) => resolve(ROOT, p)).join(','),
        TESSERA_ADMIN_PASSWORD: PASSWORD,
        TESSERA_LOGIN_ATTEMPTS_PER_ADDRESS: '100000',
        LOG_LEVEL: 'silent',
      },
      ROOT,
    );
    engine = await createEngine(config, { logger: log });
    ({ url } = await engine.listen(0, '127.0.0.1'));
    const res = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    });
    token = ((await res.json()) as { data: { token: string } }).data.token;
  });

  afterAll(async () => {
    await engine?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs a real PostgreSQL in the data folder', async () => {
    expect(engine.db.kind).toBe('embedded');
    const health = await fetch(`${url}/api/health`);
    expect(health.status).toBe(200);
    const { rows } = await engine.db.pool.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    expect(rows[0]?.v).toMatch(/^18\./);
    expect(existsSync(join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
  });

  it('answers hundreds of concurrent, interleaved parameterised reads and transactions each with its own rows', async () => {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const N = 300;
    const mismatches: string[] = [];
    // Creates (transactions: insert, audit, assertions) interleave with filtered lists and gets that bind
    // other values; each answer must carry exactly what its own request asked for.
    type Created = { id: string; name: string; tier: number };
    const create = async (i: number): Promise<Created> => {
      const name = `emb-${i}-${'x'.repeat(i % 17)}`;
      const res = await fetch(`${url}/api/v1/account`, { method: 'POST', headers, body: JSON.stringify({ name, tier: (i % 5) + 1 }) });
      const body = (await res.json()) as { data: Created };
      if (res.status !== 201 || body.data.name !== name || body.data.tier !== (i % 5) + 1)
        mismatches.push(`create ${i}: ${res.status} ${JSON.stringify(body)}`);
      return body.data;
    };
    const list = async (i: number): Promise<undefined> => {
      const tier = (i % 5) + 1;
      const filter = encodeURIComponent(JSON.stringify({ '==': [{ var: 'tier' }, tier] }));
      const res = await fetch(`${url}/api/v1/account?filter=${filter}&fields=name,tier&limit=20`, { headers });
      const body = (await res.json()) as { data: Array<{ tier: number }> };
      if (res.status !== 200 || body.data.some((r) => r.tier !== tier))
        mismatches.push(`list tier ${tier}: ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
      return undefined;
    };
    // Sent alternately, all in flight together: every create has lists binding other values around it.
    const answers = await Promise.all(Array.from({ length: 2 * N }, (_, k) => (k % 2 === 0 ? create(k / 2) : list(k))));
    const records = answers.filter((r): r is Created => r !== undefined);
    expect(mismatches).toEqual([]);
    expect(records).toHaveLength(N);
    await Promise.all(
      records.map(async (r) => {
        const res = await fetch(`${url}/api/v1/account/${r.id}`, { headers });
        const body = (await res.json()) as { data: { id: string; name: string } };
        if (res.status !== 200 || body.data.id !== r.id || body.data.name !== r.name) mismatches.push(`get ${r.id}: ${res.status}`);
      }),
    );
    expect(mismatches).toEqual([]);
  });
});

describe("the embedded cluster's lifecycle", () => {
  it('stops its server when closed', async () => {
    const dataDir = dataFolder();
    try {
      const cluster = await startEmbeddedCluster({ dataDir, log, durable: false });
      const pid = postmasterPid(cluster.dataDir);
      expect(isAlive(pid)).toBe(true);
      await cluster.stop();
      expect(isAlive(pid)).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('recovers a postmaster left running by an engine that was killed, keeping its data', async () => {
    const dataDir = dataFolder();
    try {
      const first = await startEmbeddedCluster({ dataDir, log, durable: false });
      const c = await import('pg').then(({ default: pg }) => new pg.Client({ connectionString: first.url }));
      await c.connect();
      await c.query('CREATE TABLE kept (v text)');
      await c.query("INSERT INTO kept VALUES ('survives')");
      await c.end();
      const orphan = postmasterPid(first.dataDir);
      // The engine that started it is gone: record a pid that no longer runs as its owner.
      const dead = spawnSync(process.execPath, ['-e', 'process.pid'], { stdio: 'ignore' }).pid;
      const stateFile = join(dataDir, 'embedded-postgres.json');
      writeFileSync(stateFile, JSON.stringify({ ...JSON.parse(readFileSync(stateFile, 'utf8')), enginePid: dead }));

      const second = await startEmbeddedCluster({ dataDir, log, durable: false });
      try {
        expect(isAlive(orphan)).toBe(false);
        const c2 = await import('pg').then(({ default: pg }) => new pg.Client({ connectionString: second.url }));
        await c2.connect();
        const { rows } = await c2.query<{ v: string }>('SELECT v FROM kept');
        await c2.end();
        expect(rows).toEqual([{ v: 'survives' }]);
      } finally {
        await second.stop();
        await first.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a data folder whose cluster belongs to another live engine, and leaves it running', async () => {
    const dataDir = dataFolder();
    try {
      const first = await startEmbeddedCluster({ dataDir, log, durable: false });
      const stateFile = join(dataDir, 'embedded-postgres.json');
      // The test runner's parent process plays the other engine: alive, and not the caller.
      writeFileSync(stateFile, JSON.stringify({ ...JSON.parse(readFileSync(stateFile, 'utf8')), enginePid: process.ppid }));
      try {
        await expect(startEmbeddedCluster({ dataDir, log, durable: false })).rejects.toThrow(/in use by another Tessera process/);
        expect(isAlive(postmasterPid(first.dataDir))).toBe(true);
      } finally {
        await first.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it.runIf(process.getuid?.() === 0)(
    'keeps the cluster where its OS user can reach it when the data folder is private to root, and says where',
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'tessera-private-'));
      chmodSync(dataDir, 0o700);
      const nested = join(dataDir, 'data');
      const lines: string[] = [];
      const capture = createLogger('info');
      const spy = capture.child({});
      spy.warn = ((obj: object, msg?: string) => {
        lines.push(`${msg ?? ''} ${JSON.stringify(obj)}`);
      }) as typeof spy.warn;
      let clusterDir = '';
      try {
        const cluster = await startEmbeddedCluster({ dataDir: nested, log: spy, durable: false });
        clusterDir = cluster.dataDir;
        await cluster.stop();
        expect(clusterDir.startsWith('/var/lib/tessera/')).toBe(true);
        expect(lines.join('\n')).toContain(clusterDir);
        // The next start finds it again through the state file.
        const again = await startEmbeddedCluster({ dataDir: nested, log: spy, durable: false });
        expect(again.dataDir).toBe(clusterDir);
        await again.stop();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
        if (clusterDir) rmSync(clusterDir, { recursive: true, force: true });
      }
    },
  );
});
