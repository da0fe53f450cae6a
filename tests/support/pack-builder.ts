// Writes packs (pack.json + entities/*.json) into temp folders for tests and benchmarks, and gives a
// small valid base pack that metadata tests copy and break one rule at a time.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EntityFileSpec, PackManifestSpec } from '../../engine/src/metadata/pack-spec.js';

/** A new empty folder under the OS temp dir; remove it with `removeDir`. */
export function makeTempDir(prefix = 'tessera-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** The file an entity is written to: its name when it has one, else its position. */
export function entityFileName(entity: unknown, index: number): string {
  const name = entity && typeof entity === 'object' ? (entity as { name?: unknown }).name : undefined;
  return `${typeof name === 'string' ? name : `entity_${index}`}.json`;
}

export interface WritePackOptions {
  /** Extra files (path relative to the pack folder -> raw text), e.g. a broken entity file. */
  readonly rawFiles?: Readonly<Record<string, string>>;
}

/**
 * Writes one pack folder: `dir/pack.json` and `dir/entities/<name>.json` per entity (replacing what is there).
 * Values are written as given, valid or not, so tests can build broken packs. Returns `dir`.
 */
export function writePack(dir: string, manifest: unknown, entities: readonly unknown[], options: WritePackOptions = {}): string {
  removeDir(dir);
  mkdirSync(join(dir, 'entities'), { recursive: true });
  writeFileSync(join(dir, 'pack.json'), JSON.stringify(manifest, null, 2) + '\n');
  entities.forEach((entity, i) => {
    writeFileSync(join(dir, 'entities', entityFileName(entity, i)), JSON.stringify(entity, null, 2) + '\n');
  });
  for (const [path, text] of Object.entries(options.rawFiles ?? {})) {
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

export interface PackSource {
  manifest: PackManifestSpec;
  entities: EntityFileSpec[];
}

const label = (en: string) => ({ en, 'zh-CN': en });

/**
 * A small valid pack (no `core` needed): `account` (self relation, enum, decimal, unique code, index)
 * and `contact` (belongsTo account, with an inverse). A fresh deep copy on every call, free to mutate.
 */
export function basePack(): PackSource {
  return structuredClone({
    manifest: { name: 'base', version: '1.0.0', label: label('Base') },
    entities: [
      {
        id: 'base.account',
        name: 'account',
        label: label('Account'),
        titleField: 'name',
        fields: [
          { id: 'base.account.name', name: 'name', kind: 'text', label: label('Name'), required: true, maxLength: 200 },
          { id: 'base.account.code', name: 'code', kind: 'text', label: label('Code'), unique: true, maxLength: 32 },
          {
            id: 'base.account.tier',
            name: 'tier',
            kind: 'enum',
            label: label('Tier'),
            default: 'silver',
            values: [
              { value: 'gold', label: label('Gold') },
              { value: 'silver', label: label('Silver') },
            ],
          },
          { id: 'base.account.revenue', name: 'revenue', kind: 'decimal', label: label('Revenue'), precision: 14, scale: 2 },
          { id: 'base.account.parent', name: 'parent', kind: 'relation', target: 'account', label: label('Parent'), onDelete: 'setNull' },
        ],
        indexes: [{ id: 'base.account.by_tier', name: 'by_tier', fields: ['tier', '-revenue'] }],
      },
      {
        id: 'base.contact',
        name: 'contact',
        label: label('Contact'),
        titleField: 'full_name',
        fields: [
          { id: 'base.contact.full_name', name: 'full_name', kind: 'text', label: label('Full name'), required: true },
          { id: 'base.contact.email', name: 'email', kind: 'email', label: label('Email'), maxLength: 320 },
          {
            id: 'base.contact.account',
            name: 'account',
            kind: 'relation',
            target: 'account',
            label: label('Account'),
            inverse: { name: 'contacts', label: label('Contacts') },
          },
        ],
      },
    ],
  } satisfies PackSource);
}

/** The entity of `pack` called `name`; throws when there is none, so tests fail loudly. */
export function entityOf(pack: PackSource, name: string): EntityFileSpec {
  const found = pack.entities.find((e) => e.name === name);
  if (!found) throw new Error(`no entity '${name}' in pack ${pack.manifest.name}`);
  return found;
}

/** Writes `pack` into `dir` and returns the path of the entity file of `name` (as errors show it). */
export function writePackSource(dir: string, pack: PackSource, options: WritePackOptions = {}): string {
  return writePack(dir, pack.manifest, pack.entities, options);
}

/** Reads a pack folder (e.g. a fixture under tests/fixtures/packs/) into a mutable PackSource. */
export function readPack(dir: string): PackSource {
  const read = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8')) as unknown;
  const entityDir = join(dir, 'entities');
  const files = readdirSync(entityDir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  return {
    manifest: read(join(dir, 'pack.json')) as PackManifestSpec,
    entities: files.map((f) => read(join(entityDir, f)) as EntityFileSpec),
  };
}
