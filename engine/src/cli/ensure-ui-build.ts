// Builds runtime-ui/ into runtime-ui/dist when the build is missing or older than its sources, so that
// `npm start` (npm runs no pre/post scripts under ignore-scripts) and the e2e tests serve a current UI.
// Staleness is a hash of the sources, not mtimes: a fresh clone or a branch switch must rebuild.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

import { UI_DIR, UI_DIST } from '../api/ui.routes.js';

const ROOT = join(UI_DIR, '..');
const STAMP = '.source-hash';
const LOCK = join(UI_DIR, '.build.lock');
/** A lock older than this was left by a build that died; builds take seconds. */
const STALE_LOCK_MS = 5 * 60_000;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.') && e.name !== 'dist' && e.name !== 'node_modules' && !e.name.endsWith('.md'))
    .flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : [join(dir, e.name)]))
    .sort();
}

/** Engine folders the UI's bundle takes code from (the record form judges rules with the engine's evaluator). */
export const UI_ENGINE_SOURCES = ['engine/src/rules', 'engine/src/shared'] as const;

/** Hash of the UI's sources and of the dependency versions it is built with. */
export function uiSourceHash(): string {
  const hash = createHash('sha256');
  for (const file of sourceFiles(UI_DIR)) hash.update(relative(UI_DIR, file)).update('\0').update(readFileSync(file)).update('\0');
  for (const file of UI_ENGINE_SOURCES.flatMap((dir) => sourceFiles(join(ROOT, dir))))
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: unknown };
  hash.update(JSON.stringify(pkg.dependencies ?? {}));
  return hash.digest('hex');
}

export function isUiBuildCurrent(hash = uiSourceHash()): boolean {
  const stamp = join(UI_DIST, STAMP);
  return existsSync(join(UI_DIST, 'index.html')) && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash;
}

function runVite(outDir: string): Promise<void> {
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [vite, 'build', '--config', join(UI_DIR, 'vite.config.ts'), '--outDir', outDir, '--emptyOutDir'],
      {
        cwd: UI_DIR,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`the runtime UI build failed (exit ${code}):\n${output.slice(-4000)}`)),
    );
  });
}

function takeLock(): boolean {
  try {
    writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
    return true;
  } catch {
    if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { force: true });
    return false;
  }
}

export interface UiBuildResult {
  readonly built: boolean;
  readonly ms: number;
}

/**
 * Builds the UI unless runtime-ui/dist matches the sources. Concurrent callers (test files in parallel, two
 * engines) wait for one build: it goes to a folder of its own and replaces dist/ in one rename.
 */
export async function ensureUiBuilt(onBuild: (message: string) => void = () => undefined): Promise<UiBuildResult> {
  const started = Date.now();
  const hash = uiSourceHash();
  if (isUiBuildCurrent(hash)) return { built: false, ms: Date.now() - started };
  while (!takeLock()) {
    await new Promise((r) => setTimeout(r, 200));
    if (isUiBuildCurrent(hash)) return { built: false, ms: Date.now() - started };
  }
  try {
    if (isUiBuildCurrent(hash)) return { built: false, ms: Date.now() - started };
    onBuild('Building the runtime UI (runtime-ui/ changed or was never built)...');
    const out = join(UI_DIR, `.dist-${process.pid}`);
    mkdirSync(out, { recursive: true });
    await runVite(out);
    writeFileSync(join(out, STAMP), hash);
    const old = join(UI_DIR, `.dist-old-${process.pid}`);
    if (existsSync(UI_DIST)) renameSync(UI_DIST, old);
    renameSync(out, UI_DIST);
    rmSync(old, { recursive: true, force: true });
    return { built: true, ms: Date.now() - started };
  } finally {
    rmSync(LOCK, { force: true });
  }
}
