// The state-machine-demo fixture with its quote entity changed, written to a temporary pack, and the metadata
// problems it has: those loadModel finds (the field alone) and those of its compiled rules (guards, effects).
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadModel } from '../../engine/src/metadata/load-model.js';
import { MetadataError, type MetadataProblem } from '../../engine/src/metadata/metadata-problem.js';
import { recordRuleProblems } from '../../engine/src/record-rules/compile-record-rules.js';
import { BUILTIN_RULES } from './builtin-rules.js';
import { makeTempDir, removeDir, writePack } from './pack-builder.js';

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURE = join(ROOT, 'tests/fixtures/packs/state-machine-demo');
const CORE = join(ROOT, 'metadata/packs/core');

type Json = Record<string, any>;

export interface Found {
  readonly file: string | undefined;
  readonly pointer: string;
  readonly rule: string;
  readonly message: string;
}

const brief = (p: MetadataProblem): Found => ({ file: p.file.split('/').pop(), pointer: p.pointer, rule: p.rule, message: p.message });

export function stateMachineProblems(change: (quote: Json, status: Json) => void): Found[] {
  const manifest = JSON.parse(readFileSync(join(FIXTURE, 'pack.json'), 'utf8')) as Json;
  const entities = readdirSync(join(FIXTURE, 'entities')).map(
    (f) => JSON.parse(readFileSync(join(FIXTURE, 'entities', f), 'utf8')) as Json,
  );
  const quote = entities.find((e) => e.name === 'quote');
  if (!quote) throw new Error('the fixture has no quote');
  change(
    quote,
    quote.fields.find((f: Json) => f.name === 'status'),
  );
  const dir = makeTempDir('tessera-state-machine-');
  try {
    writePack(dir, manifest, entities);
    const model = loadModel([CORE, dir], { kinds: BUILTIN_RULES.kinds });
    return recordRuleProblems(model, BUILTIN_RULES).map(brief);
  } catch (e) {
    if (e instanceof MetadataError) return e.problems.map(brief);
    throw e;
  } finally {
    removeDir(dir);
  }
}

/** Where the status field sits in quote.json. */
export const STATUS_AT = '/fields/2';
