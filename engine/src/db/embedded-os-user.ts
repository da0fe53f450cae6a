// PostgreSQL refuses to run as root. When the engine runs as root (containers, CI), the embedded cluster runs
// as an unprivileged OS user instead: `postgres` where it exists, otherwise one created for it.
import { execFileSync } from 'node:child_process';
import type { Logger } from '../shared/logger.js';

export interface OsUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

const NAME = 'postgres';

function lookUp(name: string): OsUser | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { name, uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

/** undefined when the engine is not root: the cluster then runs as the engine's own user. */
export function clusterOsUser(log: Logger): OsUser | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const existing = lookUp(NAME);
  if (existing) return existing;
  try {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', NAME], { stdio: 'ignore' });
  } catch (cause) {
    throw new Error(
      `PostgreSQL cannot run as root and there is no '${NAME}' OS user; creating one failed. Create it (useradd --system ${NAME}), run Tessera as another user, or set DATABASE_URL.`,
      { cause },
    );
  }
  const created = lookUp(NAME);
  if (!created) throw new Error(`Created the OS user '${NAME}' but cannot look it up.`);
  log.info({ user: NAME, uid: created.uid }, 'created an OS user to run the embedded PostgreSQL (it refuses to run as root)');
  return created;
}
