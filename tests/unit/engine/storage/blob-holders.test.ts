// Where blob garbage collection looks for keys (#25): every field whose kind names a blob (file fields), the fields
// plugins declare, and the engine's tables; and it refuses, rather than guess, when a declaration names a field the
// Model lacks or a pack's plugin is not set up (its declarations would be unknown, and its blobs deleted).
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../../../engine/src/metadata/load-model.js';
import { blobHolders, referencedKeysSql, type BlobHolder } from '../../../../engine/src/storage/blob-holders.js';
import { BUILTIN_RULES } from '../../../support/builtin-rules.js';

const model = loadModel([resolve('metadata/packs/core'), resolve('tests/fixtures/packs/files-demo')], { kinds: BUILTIN_RULES.kinds });
const engine: BlobHolder[] = [{ source: 'tessera_attachment', table: 'tessera_attachment', keySql: 't.sha256' }];
const sources = { model, kinds: BUILTIN_RULES.kinds, declared: [], plugins: new Set<string>(), engine };

describe('blob holders', () => {
  it('are the engine’s tables and every file field, read from its column', () => {
    const holders = blobHolders(sources);
    expect(holders).toContainEqual(engine[0]);
    expect(holders).toContainEqual({ source: 'dossier.scan', table: 'dossier', keySql: `(t."scan") ->> 'sha256'` });
    // No other field of these packs names a blob.
    expect(holders.map((h) => h.source).sort()).toEqual(['dossier.scan', 'tessera_attachment']);
  });

  it('take the text fields a plugin declares, and skip entities this Model does not have', () => {
    const holders = blobHolders({
      ...sources,
      declared: [
        { plugin: 'scanner', entity: 'dossier', fields: ['title'] },
        { plugin: 'scanner', entity: 'render_document', fields: ['sha256'] },
      ],
    });
    expect(holders).toContainEqual({ source: 'dossier.title', table: 'dossier', keySql: 't."title"::text' });
    expect(holders.some((h) => h.source.startsWith('render_document'))).toBe(false);
  });

  it('refuse a declaration naming a field the entity lacks', () => {
    expect(() => blobHolders({ ...sources, declared: [{ plugin: 'scanner', entity: 'dossier', fields: ['pdf_sha256'] }] })).toThrow(
      expect.objectContaining({
        code: 'storage.unknown_holders',
        detail: 'plugin scanner says dossier.pdf_sha256 holds blob keys, but dossier has no such one-column field',
      }),
    );
  });

  it('refuse a Model whose pack needs a plugin this process has not set up', () => {
    const [core, files] = model.packs;
    const needing = { ...model, packs: [core!, { ...files!, plugins: ['scanner'] }] };
    expect(() => blobHolders({ ...sources, model: needing })).toThrow(expect.objectContaining({ code: 'storage.unknown_holders' }));
    expect(blobHolders({ ...sources, model: needing, plugins: new Set(['scanner']) }).length).toBe(2);
  });

  it('read every holder in one statement, each key once', () => {
    expect(referencedKeysSql(blobHolders(sources))).toBe(
      `SELECT DISTINCT x.k FROM (SELECT t.sha256 AS k FROM "tessera_attachment" t UNION ALL SELECT (t."scan") ->> 'sha256' AS k FROM "dossier" t) x WHERE x.k IS NOT NULL`,
    );
  });
});
