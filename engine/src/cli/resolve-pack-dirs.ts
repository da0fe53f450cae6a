// Which packs a CLI command works on: the folders given, plus the installed packs they do not replace,
// so a consultant's pack that requires `core` validates without copying core next to it.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findPackDirs } from '../metadata/read-packs.js';

function packName(dir: string): string | undefined {
  try {
    const name = (JSON.parse(readFileSync(join(dir, 'pack.json'), 'utf8')) as { name?: unknown }).name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

export function resolvePackDirs(given: readonly string[], installed: readonly string[], only: boolean): string[] {
  const explicit = given.map((d) => resolve(d));
  if (only || explicit.length === 0) return explicit.length ? explicit : [...installed];
  const givenNames = new Set(
    explicit
      .flatMap(findPackDirs)
      .map(packName)
      .filter((n): n is string => n !== undefined),
  );
  const extra = installed.flatMap(findPackDirs).filter((d) => {
    const name = packName(d);
    return !explicit.some((e) => resolve(d).startsWith(e)) && (name === undefined || !givenNames.has(name));
  });
  return [...explicit, ...extra];
}
