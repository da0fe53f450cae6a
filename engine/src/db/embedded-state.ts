// Where the embedded cluster lives and what the engine remembers about it (`<data>/embedded-postgres.json`,
// readable by the engine's user only): its password, its folder when it had to live outside the data
// folder, and which engine process runs it (so a later start can tell a killed engine's leftovers from a
// live neighbour). Called by embedded-cluster.ts.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from '../shared/logger.js';
import type { OsUser } from './embedded-os-user.js';

export interface ClusterState {
  readonly password: string;
  readonly clusterDir: string;
  readonly enginePid?: number;
}

const STATE_FILE = 'embedded-postgres.json';
/** Used when the cluster's OS user cannot reach the data folder (a project under /root, mode 700). */
const FALLBACK_ROOT = '/var/lib/tessera';

export function readClusterState(dataDir: string): ClusterState | undefined {
  const file = join(dataDir, STATE_FILE);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as ClusterState;
}

export function writeClusterState(dataDir: string, state: ClusterState): void {
  const file = join(dataDir, STATE_FILE);
  const partial = `${file}.${process.pid}`;
  writeFileSync(partial, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  renameSync(partial, file);
}

function reachable(dir: string, user: OsUser): boolean {
  const r = spawnSync('test', ['-w', dir, '-a', '-x', dir], { uid: user.uid, gid: user.gid, stdio: 'ignore' });
  return !r.error && r.status === 0;
}

/**
 * The cluster's folder: `<data>/postgres`, or the one recorded earlier. When the cluster runs as another OS
 * user who cannot traverse the path to the data folder, it goes under /var/lib/tessera instead, and the
 * log says where.
 */
export function clusterLocation(dataDir: string, user: OsUser | undefined, log: Logger): string {
  const recorded = readClusterState(dataDir)?.clusterDir;
  if (recorded && existsSync(join(recorded, 'PG_VERSION'))) return recorded;
  const preferred = join(dataDir, 'postgres');
  if (!user) return preferred;
  mkdirSync(preferred, { recursive: true, mode: 0o700 });
  chownSync(preferred, user.uid, user.gid);
  chmodSync(preferred, 0o700);
  if (reachable(preferred, user)) return preferred;
  rmSync(preferred, { recursive: true, force: true });
  const elsewhere = join(FALLBACK_ROOT, createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16));
  mkdirSync(FALLBACK_ROOT, { recursive: true, mode: 0o755 });
  log.warn(
    { dataDir, clusterDir: elsewhere, user: user.name },
    `the OS user '${user.name}' cannot reach the data folder; the embedded PostgreSQL keeps its files in ${elsewhere}`,
  );
  return elsewhere;
}
