// Pack folders -> validated, compiled Model; throws one MetadataError listing every problem found.
import type { FieldKindRegistry } from './field-kinds.js';
import { checkEntities } from './check-entities.js';
import { compileModel } from './compile-model.js';
import { MetadataError, type MetadataProblem } from './metadata-problem.js';
import type { Model } from './model.js';
import { orderPacks } from './order-packs.js';
import type { EntityFileSpec, PackManifestSpec, ValidPack } from './pack-spec.js';
import { readPacks } from './read-packs.js';
import { checkUi } from './check-ui.js';
import { UI_KINDS } from './ui-model.js';
import { compileMetaSchema, validateDocument } from './validate-documents.js';

export interface LoadModelOptions {
  /** The engine's kinds, plugins' included (no fallback: a pack's plugin kinds must be known here). */
  readonly kinds: FieldKindRegistry;
}

export function loadModel(dirs: readonly string[], options: LoadModelOptions): Model {
  const { kinds } = options;
  const problems: MetadataProblem[] = [];
  const raw = readPacks(dirs, problems);
  const validators = compileMetaSchema();
  const valid: ValidPack[] = [];
  // Entities whose own file is broken still exist: others referring to them are not blamed for it.
  const brokenEntities = new Set<string>();
  for (const pack of raw) {
    const manifestName = (pack.manifest.json as { name?: unknown } | null)?.name;
    const packName = typeof manifestName === 'string' ? manifestName : pack.manifest.file;
    const manifestProblems = validateDocument(validators.pack, pack.manifest, { pack: packName });
    problems.push(...manifestProblems);
    const entities: Array<{ file: string; spec: EntityFileSpec }> = [];
    for (const doc of pack.entities) {
      const entityName = (doc.json as { name?: unknown } | null)?.name;
      const found = validateDocument(validators.entity, doc, {
        pack: packName,
        ...(typeof entityName === 'string' ? { entity: entityName } : {}),
      });
      problems.push(...found);
      if (found.length === 0) entities.push({ file: doc.file, spec: doc.json as EntityFileSpec });
      else if (typeof entityName === 'string') brokenEntities.add(entityName);
    }
    const ui = Object.fromEntries(
      UI_KINDS.map((k) => {
        const docs = pack.ui[k.key].filter((doc) => {
          const found = validateDocument(validators.ui[k.key], doc, { pack: packName });
          problems.push(...found);
          return found.length === 0;
        });
        return [k.key, docs.map((doc) => ({ file: doc.file, spec: doc.json }))];
      }),
    ) as unknown as ValidPack['ui'];
    if (manifestProblems.length === 0) {
      valid.push({ dir: pack.dir, file: pack.manifest.file, manifest: pack.manifest.json as PackManifestSpec, entities, ui });
    }
  }
  const ordered = orderPacks(valid, problems);
  checkEntities(ordered, kinds, problems, brokenEntities);
  if (problems.length > 0) throw new MetadataError(problems);
  const model = compileModel(ordered, kinds);
  // Layouts, views and menus name entities, fields and relations: checked against what compiled.
  const uiProblems = checkUi(model);
  if (uiProblems.length > 0) throw new MetadataError(uiProblems);
  return model;
}
