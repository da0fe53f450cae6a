// `npm run bench:schema`: load, plan and apply a generated pack of 50 entities x 30 fields from empty,
// then a change touching 10 of them, on the embedded database and on PostgreSQL; then the first start of
// `tessera serve` on a fresh data folder to a served /api/health, and the memory of engine plus cluster.
// Prints figures against the targets; asserts nothing.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { chmodSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { openDatabase, type Database } from '../../engine/src/db/database.js';
import { startEmbeddedCluster } from '../../engine/src/db/embedded-cluster.js';
import { createLogger } from '../../engine/src/shared/logger.js';
import { loadModel } from '../../engine/src/metadata/load-model.js';
import type { Model } from '../../engine/src/metadata/model.js';
import type { EntityFileSpec, FieldFileSpec } from '../../engine/src/metadata/pack-spec.js';
import { applySchema } from '../../engine/src/schema/apply-schema.js';
import { assessPlan } from '../../engine/src/schema/assess-plan.js';
import { EMPTY_CATALOG } from '../../engine/src/schema/catalog.js';
import { introspectCatalog } from '../../engine/src/schema/introspect-catalog.js';
import { planSchema } from '../../engine/src/schema/plan-schema.js';
import { makeTempDir, removeDir, writePack, type PackSource } from '../support/pack-builder.js';
import { BUILTIN_RULES } from '../support/builtin-rules.js';
import { freeLoopbackPort } from '../../engine/src/db/free-port.js';

const ENTITIES = 50;
const FIELDS = 30;
const CHANGED = 10;
const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

// ---------------------------------------------------------------- the generated pack

const label = (en: string) => ({ en });
const entityName = (i: number) => `bench_entity_${String(i).padStart(2, '0')}`;
const values = [
  { value: 'a', label: label('A') },
  { value: 'b', label: label('B') },
  { value: 'c', label: label('C') },
];

/** Field `k` of entity `i`: kinds cycle, the last two are relations to other entities (some manyToMany). */
function benchField(i: number, k: number): FieldFileSpec {
  const base = { id: `bench.e${i}.f${k}`, name: `field_${String(k).padStart(2, '0')}`, label: label(`Field ${k}`) };
  if (k === FIELDS - 2)
    return { ...base, name: 'parent', kind: 'relation', target: entityName((i + ENTITIES - 1) % ENTITIES), onDelete: 'setNull' };
  if (k === FIELDS - 1) {
    return i % 10 === 0
      ? { ...base, name: 'links', kind: 'relation', target: entityName((i + 7) % ENTITIES), cardinality: 'manyToMany' }
      : { ...base, name: 'related', kind: 'relation', target: entityName((i + 7) % ENTITIES) };
  }
  switch (k % 14) {
    case 0:
      return { ...base, kind: 'text', maxLength: 100, ...(k === 0 ? { required: true } : {}), ...(k === 14 ? { unique: true } : {}) };
    case 1:
      return { ...base, kind: 'longtext' };
    case 2:
      return { ...base, kind: 'integer', min: 0 };
    case 3:
      return { ...base, kind: 'decimal', precision: 12, scale: 2 };
    case 4:
      return { ...base, kind: 'currency' };
    case 5:
      return { ...base, kind: 'boolean', default: false };
    case 6:
      return { ...base, kind: 'date' };
    case 7:
      return { ...base, kind: 'datetime', default: 'now' };
    case 8:
      return { ...base, kind: 'enum', values, default: 'a' };
    case 9:
      return { ...base, kind: 'multienum', values };
    case 10:
      return { ...base, kind: 'email', maxLength: 320 };
    case 11:
      return { ...base, kind: 'phone', maxLength: 32 };
    case 12:
      return { ...base, kind: 'url' };
    default:
      return { ...base, kind: 'json' };
  }
}

function benchPack(): PackSource {
  const entities: EntityFileSpec[] = [];
  for (let i = 0; i < ENTITIES; i++) {
    entities.push({
      id: `bench.e${i}`,
      name: entityName(i),
      label: label(`Entity ${i}`),
      titleField: 'field_00',
      fields: Array.from({ length: FIELDS }, (_v, k) => benchField(i, k)),
      indexes: [
        { id: `bench.e${i}.i1`, name: 'by_name_amount', fields: ['field_00', '-field_03'] },
        { id: `bench.e${i}.i2`, name: 'recent', fields: ['-field_07'] },
      ],
    });
  }
  return { manifest: { name: 'bench', version: '1.0.0', label: label('Benchmark') }, entities };
}

/** Touches the first 10 entities: one new field, one renamed field (same id), one widened varchar. */
function changedPack(pack: PackSource): PackSource {
  const next = structuredClone(pack);
  next.manifest.version = '1.1.0';
  next.entities.slice(0, CHANGED).forEach((entity, i) => {
    entity.fields.push({ id: `bench.e${i}.added`, name: 'added_note', kind: 'text', label: label('Added'), maxLength: 50 });
    entity.fields = entity.fields.map((f) => {
      if (f.name === 'field_01') return { ...f, name: 'field_01_renamed' };
      if (f.name === 'field_00') return { ...f, maxLength: 200 };
      return f;
    });
  });
  return next;
}

// ---------------------------------------------------------------- measuring

interface Figures {
  loadCompileMs: number;
  coldPlanPureMs: number;
  coldPlanMs: number;
  coldApplyMs: number;
  coldSteps: number;
  incPlanPureMs: number;
  incPlanMs: number;
  incApplyMs: number;
  incSteps: number;
}

async function time<T>(fn: () => T | Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

async function measure(db: Database, dirs: { v1: string; v2: string }): Promise<Figures> {
  const load = await time(() => loadModel([dirs.v1], { kinds: BUILTIN_RULES.kinds }));
  const v1: Model = load.value;
  const v2 = loadModel([dirs.v2], { kinds: BUILTIN_RULES.kinds });
  const coldPure = await time(() => planSchema(EMPTY_CATALOG, v1, BUILTIN_RULES));
  const coldPlan = await time(async () => assessPlan(db.knex, planSchema(await introspectCatalog(db.knex), v1, BUILTIN_RULES), false));
  const coldApply = await time(() => applySchema(db.knex, v1, BUILTIN_RULES));
  const liveV1 = await introspectCatalog(db.knex);
  const incPure = await time(() => planSchema(liveV1, v2, BUILTIN_RULES));
  const incPlan = await time(async () => assessPlan(db.knex, planSchema(await introspectCatalog(db.knex), v2, BUILTIN_RULES), false));
  const incApply = await time(() => applySchema(db.knex, v2, BUILTIN_RULES));
  return {
    loadCompileMs: load.ms,
    coldPlanPureMs: coldPure.ms,
    coldPlanMs: coldPlan.ms,
    coldApplyMs: coldApply.ms,
    coldSteps: coldApply.value.plan.steps.length,
    incPlanPureMs: incPure.ms,
    incPlanMs: incPlan.ms,
    incApplyMs: incApply.ms,
    incSteps: incApply.value.plan.steps.length,
  };
}

async function onEmbedded(dirs: { v1: string; v2: string }, dataDir: string): Promise<Figures> {
  const db = await openDatabase({ dataDir, log: createLogger('warn') });
  try {
    return await measure(db, dirs);
  } finally {
    await db.close();
  }
}

async function onPostgres(dirs: { v1: string; v2: string }): Promise<Figures | string> {
  const baseUrl = process.env.DATABASE_URL || DEFAULT_PG_URL;
  const name = `tessera_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (e) {
    await admin.end().catch(() => undefined);
    return `skipped (${(e as Error).message})`;
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString() });
  try {
    return await measure(db, dirs);
  } finally {
    await db.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

// ---------------------------------------------------------------- cold start of `tessera serve`

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(url);
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Proportional set size (kB) of a process, from Linux's smaps_rollup; 0 where it cannot be read. */
function pssKb(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** The postmaster of the cluster in `clusterDir` and every process it started. */
function clusterPids(clusterDir: string): number[] {
  const postmaster = Number(readFileSync(join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      try {
        return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]) === postmaster;
      } catch {
        return false;
      }
    });
  return [postmaster, ...children];
}

interface Footprint {
  engineMb: number;
  clusterMb: number;
  processes: number;
}

function footprint(enginePid: number, dataDir: string): Footprint {
  const pids = clusterPids(join(dataDir, 'postgres'));
  return { engineMb: pssKb(enginePid) / 1024, clusterMb: pids.reduce((sum, pid) => sum + pssKb(pid), 0) / 1024, processes: pids.length };
}

/** Signs in and sends `n` list and create requests, 10 at a time, so the footprint is that of a working engine. */
async function exercise(base: string, n: number): Promise<void> {
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: BENCH_PASSWORD }),
  });
  const token = ((await login.json()) as { data: { token: string } }).data.token;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  let next = 0;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (next < n) {
        const i = next++;
        const res =
          i % 2
            ? await fetch(`${base}/api/v1/org_unit?limit=50`, { headers })
            : await fetch(`${base}/api/v1/org_unit`, {
                method: 'POST',
                headers,
                body: JSON.stringify({ name: `bench ${i}`, code: `B${i}`, unit_type: 'branch' }),
              });
        await res.arrayBuffer();
      }
    }),
  );
}

const BENCH_PASSWORD = 'bench-admin-password';

interface StartFigures {
  ms: number;
  idle: Footprint;
  working: Footprint;
}

/**
 * Spawns `node bin/tessera.js serve` on the embedded database, times it to a 200 from /api/health, and
 * measures the footprint of engine plus cluster when idle and after 2,000 requests.
 */
async function coldStart(dataDir: string, timeoutMs = 60_000): Promise<StartFigures | string> {
  const port = await freeLoopbackPort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    TESSERA_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    TESSERA_ADMIN_PASSWORD: BENCH_PASSWORD,
  };
  delete env.DATABASE_URL;
  const started = performance.now();
  const child = spawn(process.execPath, [resolve('bin/tessera.js'), 'serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  try {
    while (performance.now() - started < timeoutMs) {
      if (exited)
        return `failed: ${
          stderr
            .split('\n')
            .find((l) => /error/i.test(l))
            ?.trim()
            .slice(0, 160) ?? 'exited early'
        }`;
      if (await healthy(`http://127.0.0.1:${port}/api/health`)) {
        const ms = performance.now() - started;
        const idle = footprint(child.pid ?? 0, dataDir);
        await exercise(`http://127.0.0.1:${port}`, 2_000);
        return { ms, idle, working: footprint(child.pid ?? 0, dataDir) };
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    return `timed out after ${timeoutMs} ms`;
  } finally {
    if (!exited) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5_000))]);
      if (!exited) child.kill('SIGKILL');
    }
  }
}

/** Where a cold start goes: loading the CLI's modules, and initdb + start of the cluster in a fresh data folder. */
async function startBreakdown(dir: string): Promise<{ moduleLoadMs: number | string; freshInitMs: number; reopenMs: number }> {
  const started = performance.now();
  const help = spawn(process.execPath, [resolve('bin/tessera.js'), '--help'], { stdio: 'ignore' });
  const code = await new Promise<number | null>((r) => help.once('exit', r));
  const moduleLoadMs = code === 0 ? performance.now() - started : `failed (exit ${String(code)})`;
  const log = createLogger('warn');
  const fresh = await time(() => startEmbeddedCluster({ dataDir: dir, log }));
  await fresh.value.stop();
  const reopen = await time(() => startEmbeddedCluster({ dataDir: dir, log }));
  await reopen.value.stop();
  return { moduleLoadMs, freshInitMs: fresh.ms, reopenMs: reopen.ms };
}

// ---------------------------------------------------------------- report

const fmt = (v: number | string | undefined) => (typeof v === 'number' ? `${v.toFixed(v < 10 ? 1 : 0)} ms` : (v ?? '-'));

function row(metric: string, embedded: number | string | undefined, postgres: number | string | undefined, target: string): string {
  return `| ${metric.padEnd(44)} | ${fmt(embedded).padStart(12)} | ${fmt(postgres).padStart(12)} | ${target.padEnd(10)} |`;
}

async function main(): Promise<void> {
  const root = makeTempDir('tessera-bench-');
  // The embedded cluster runs as another OS user when this runs as root; it must reach the data folders.
  chmodSync(root, 0o755);
  try {
    const pack = benchPack();
    const next = changedPack(pack);
    const dirs = {
      v1: writePack(join(root, 'v1', 'bench'), pack.manifest, pack.entities),
      v2: writePack(join(root, 'v2', 'bench'), next.manifest, next.entities),
    };
    process.stderr.write('embedded database (PostgreSQL cluster run by the engine)...\n');
    const embedded = await onEmbedded(dirs, join(root, 'embedded'));
    process.stderr.write('PostgreSQL...\n');
    const postgres = await onPostgres(dirs);
    process.stderr.write('cold start of `tessera serve`...\n');
    const startDir = join(root, 'serve-data');
    const firstStart = await coldStart(startDir);
    const restart = await coldStart(startDir);
    const breakdown = await startBreakdown(join(root, 'embedded-fresh'));
    const ms = (v: StartFigures | string) => (typeof v === 'string' ? 'failed' : v.ms);
    const mb = (v: StartFigures | string, pick: (f: StartFigures) => Footprint) => {
      if (typeof v === 'string') return 'failed';
      const f = pick(v);
      return `${(f.engineMb + f.clusterMb).toFixed(0)} MB (engine ${f.engineMb.toFixed(0)} + cluster ${f.clusterMb.toFixed(0)} in ${f.processes} processes)`;
    };

    const p = typeof postgres === 'string' ? undefined : postgres;
    const pgNote = typeof postgres === 'string' ? postgres : undefined;
    const lines = [
      '',
      `Schema benchmark: ${ENTITIES} entities x ${FIELDS} fields; change touches ${CHANGED} entities (add + rename + widen)`,
      `node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}, ${new Date().toISOString()}`,
      '',
      `| ${'metric'.padEnd(44)} | ${'embedded'.padStart(12)} | ${'postgres'.padStart(12)} | ${'target'.padEnd(10)} |`,
      `|${'-'.repeat(46)}|${'-'.repeat(14)}|${'-'.repeat(14)}|${'-'.repeat(12)}|`,
      row('load + compile (pack files -> Model)', embedded.loadCompileMs, p?.loadCompileMs, ''),
      row('cold plan, pure (empty catalog)', embedded.coldPlanPureMs, p?.coldPlanPureMs, ''),
      row('cold plan (introspect+plan+counts)', embedded.coldPlanMs, p?.coldPlanMs, ''),
      row(`cold apply from empty (${embedded.coldSteps} steps)`, embedded.coldApplyMs, p?.coldApplyMs, '< 5000 ms'),
      row('incremental plan, pure', embedded.incPlanPureMs, p?.incPlanPureMs, ''),
      row('incremental plan (introspect+plan+counts)', embedded.incPlanMs, p?.incPlanMs, '< 500 ms'),
      row(`incremental apply (${embedded.incSteps} steps)`, embedded.incApplyMs, p?.incApplyMs, ''),
      row('`tessera serve` first start to /api/health', ms(firstStart), undefined, '< 6000 ms'),
      row('`tessera serve` restart (data exists)', ms(restart), undefined, ''),
      row('  of which: CLI module load (tessera --help)', breakdown.moduleLoadMs, undefined, ''),
      row('  of which: initdb + start, fresh data folder', breakdown.freshInitMs, undefined, ''),
      row('  of which: cluster start, existing folder', breakdown.reopenMs, undefined, ''),
      '',
      `Footprint (PSS), engine + embedded cluster, target < 300 MB:`,
      `  idle after the first start:  ${mb(firstStart, (f) => f.idle)}`,
      `  after 2,000 requests:        ${mb(firstStart, (f) => f.working)}`,
      `  after a restart + 2,000:     ${mb(restart, (f) => f.working)}`,
      '',
      ...(pgNote ? [`PostgreSQL: ${pgNote}`] : []),
      ...[firstStart, restart].filter((v): v is string => typeof v === 'string').map((v) => `serve: ${v}`),
      `Verdict: cold apply ${verdict(embedded.coldApplyMs, p?.coldApplyMs, 5000)}; incremental plan ${verdict(embedded.incPlanMs, p?.incPlanMs, 500)}; first start ${verdict(ms(firstStart), undefined, 6000)}`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    removeDir(root);
  }
}

function verdict(embedded: number | string, postgres: number | string | undefined, target: number): string {
  const ok = (v: number | string | undefined) => (typeof v === 'number' ? (v < target ? 'ok' : 'OVER') : 'n/a');
  return postgres === undefined ? ok(embedded) : `embedded ${ok(embedded)}, postgres ${ok(postgres)}`;
}

await main();
