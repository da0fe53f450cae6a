// A freshly initialised PGlite cluster, dumped once and cached in the OS temp folder per PGlite version.
// initdb inside WASM takes seconds; loading the dump takes a fraction of that, which is what makes a
// first `npm start` and every in-memory test database start quickly.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The package does not export its package.json; find it next to the resolved entry point.
function pgliteVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.resolve('@electric-sql/pglite')));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

const VERSION = pgliteVersion();

export function templatePath(): string {
  return join(tmpdir(), `tessera-pglite-${VERSION}.tar.gz`);
}

export async function pgliteTemplate(): Promise<Blob> {
  const path = templatePath();
  if (existsSync(path)) return new Blob([readFileSync(path)]);
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create('memory://');
  const dump = await db.dumpDataDir('gzip');
  await db.close();
  // Written under a unique name and renamed, so concurrent first starts never read half a file.
  const partial = `${path}.${process.pid}.${Date.now()}`;
  writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  renameSync(partial, path);
  return dump;
}
