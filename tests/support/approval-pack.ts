// The approval-demo fixture with its entities changed, written to a temporary pack, and the metadata problems it
// has: those loadModel finds (the meta-schema, check-approval-flows.ts) and those of its compiled flows (conditions,
// effect values).
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadModel } from '../../engine/src/metadata/load-model.js';
import { MetadataError, type MetadataProblem } from '../../engine/src/metadata/metadata-problem.js';
import { compileApprovalFlows } from '../../engine/src/workflow/compile-approval-flows.js';
import { BUILTIN_RULES } from './builtin-rules.js';
import { makeTempDir, removeDir, writePack } from './pack-builder.js';

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURE = join(ROOT, 'tests/fixtures/packs/approval-demo');
const CORE = join(ROOT, 'metadata/packs/core');

type Json = Record<string, any>;

export interface Found {
  readonly file: string | undefined;
  readonly pointer: string;
  readonly rule: string;
  readonly message: string;
}

const brief = (p: MetadataProblem): Found => ({ file: p.file.split('/').pop(), pointer: p.pointer, rule: p.rule, message: p.message });

export function approvalProblems(change: (expense: Json, contract: Json) => void): Found[] {
  const manifest = JSON.parse(readFileSync(join(FIXTURE, 'pack.json'), 'utf8')) as Json;
  const entities = readdirSync(join(FIXTURE, 'entities')).map(
    (f) => JSON.parse(readFileSync(join(FIXTURE, 'entities', f), 'utf8')) as Json,
  );
  const byName = (name: string): Json => {
    const found = entities.find((e) => e.name === name);
    if (!found) throw new Error(`the fixture has no ${name}`);
    return found;
  };
  change(byName('expense'), byName('contract'));
  const dir = makeTempDir('tessera-approval-');
  try {
    writePack(dir, manifest, entities);
    const model = loadModel([CORE, dir], { kinds: BUILTIN_RULES.kinds });
    return compileApprovalFlows(model, BUILTIN_RULES).problems.map(brief);
  } catch (e) {
    if (e instanceof MetadataError) return e.problems.map(brief);
    throw e;
  } finally {
    removeDir(dir);
  }
}
