// Reads pack folders from disk into raw documents; all checking happens later, on these documents.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { MetadataProblem } from './metadata-problem.js';
import { UI_KINDS, type UiKindKey } from './ui-model.js';

export interface RawDocument {
  /** Path shown in errors (relative to the working directory when possible). */
  readonly file: string;
  readonly json: unknown;
}

export interface RawPack {
  readonly dir: string;
  readonly manifest: RawDocument;
  readonly entities: readonly RawDocument[];
  /** Layouts, list views and apps, each from its own folder. */
  readonly ui: Readonly<Record<UiKindKey, readonly RawDocument[]>>;
}

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

function readJson(path: string, pack: string, problems: MetadataProblem[]): RawDocument | undefined {
  const file = displayPath(path);
  try {
    return { file, json: JSON.parse(readFileSync(path, 'utf8')) as unknown };
  } catch (err) {
    problems.push({ file, pointer: '', rule: 'file.invalid_json', message: (err as Error).message, pack });
    return undefined;
  }
}

/** A folder is a pack if it holds pack.json; otherwise each sub-folder with a pack.json is one. */
export function findPackDirs(dir: string): string[] {
  if (existsSync(join(dir, 'pack.json'))) return [dir];
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir)
    .sort()
    .map((name) => join(dir, name))
    .filter((d) => statSync(d).isDirectory() && existsSync(join(d, 'pack.json')));
}

export function readPacks(dirs: readonly string[], problems: MetadataProblem[]): RawPack[] {
  const packs: RawPack[] = [];
  for (const root of dirs) {
    const found = findPackDirs(root);
    if (found.length === 0) {
      problems.push({
        file: displayPath(root),
        pointer: '',
        rule: 'pack.not_found',
        message: 'no pack.json in this folder or its sub-folders',
        pack: displayPath(root),
      });
    }
    for (const dir of found) {
      const name = displayPath(dir);
      const manifest = readJson(join(dir, 'pack.json'), name, problems);
      if (!manifest) continue;
      const readFolder = (folder: string) => {
        const sub = join(dir, folder);
        const files = existsSync(sub)
          ? readdirSync(sub)
              .filter((f) => f.endsWith('.json'))
              .sort()
          : [];
        return files.map((f) => readJson(join(sub, f), name, problems)).filter((d): d is RawDocument => d !== undefined);
      };
      const ui = Object.fromEntries(UI_KINDS.map((k) => [k.key, readFolder(k.folder)])) as Record<UiKindKey, RawDocument[]>;
      packs.push({ dir, manifest, entities: readFolder('entities'), ui });
    }
  }
  return packs;
}

/**
 * Plugins named by the packs' manifests. Plugins register field kinds and operators that compiling
 * needs, so their names are read before the packs are checked; a broken manifest is reported later.
 */
export function requiredPluginNames(dirs: readonly string[]): string[] {
  const names = new Set<string>();
  for (const dir of dirs.flatMap(findPackDirs)) {
    try {
      const plugins = (JSON.parse(readFileSync(join(dir, 'pack.json'), 'utf8')) as { plugins?: unknown }).plugins;
      if (Array.isArray(plugins)) for (const p of plugins) if (typeof p === 'string' && /^[a-z][a-z0-9-]*$/.test(p)) names.add(p);
    } catch {
      // loadModel reports the unreadable manifest with its file and pointer.
    }
  }
  return [...names];
}
