// A fixture pack with its entities changed, written to a temporary pack over core, and the metadata problems it has:
// those loadModel finds, else those the given compiler finds in the Model it loaded. The broken-one-rule-at-a-time
// metadata tests build on it.
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadModel } from '../../engine/src/metadata/load-model.js';
import { MetadataError, type MetadataProblem } from '../../engine/src/metadata/metadata-problem.js';
import type { Model } from '../../engine/src/metadata/model.js';
import { BUILTIN_RULES } from './builtin-rules.js';
import { makeTempDir, removeDir, writePack } from './pack-builder.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CORE = join(ROOT, 'metadata/packs/core');

export type Json = Record<string, any>;

export interface Found {
  readonly file: string | undefined;
  readonly pointer: string;
  readonly rule: string;
  readonly message: string;
}

const brief = (p: MetadataProblem): Found => ({ file: p.file.split('/').pop(), pointer: p.pointer, rule: p.rule, message: p.message });

/** `change` gets the fixture's entities by name; `compiled` finds the problems of the Model once it loads. */
export function fixtureProblems(
  fixture: string,
  change: (entity: (name: string) => Json) => void,
  compiled: (model: Model) => readonly MetadataProblem[],
): Found[] {
  const dir = join(ROOT, 'tests/fixtures/packs', fixture);
  const manifest = JSON.parse(readFileSync(join(dir, 'pack.json'), 'utf8')) as Json;
  const entities = readdirSync(join(dir, 'entities')).map((f) => JSON.parse(readFileSync(join(dir, 'entities', f), 'utf8')) as Json);
  change((name) => {
    const found = entities.find((e) => e.name === name);
    if (!found) throw new Error(`the fixture ${fixture} has no ${name}`);
    return found;
  });
  const temp = makeTempDir(`tessera-${fixture}-`);
  try {
    writePack(temp, manifest, entities);
    return compiled(loadModel([CORE, temp], { kinds: BUILTIN_RULES.kinds })).map(brief);
  } catch (e) {
    if (e instanceof MetadataError) return e.problems.map(brief);
    throw e;
  } finally {
    removeDir(temp);
  }
}
