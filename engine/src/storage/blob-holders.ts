// Where blob keys are kept, for garbage collection (jobs/collect-blobs.ts): every field whose kind names a blob
// (the kind's blobKeySql: file fields), every entity field a plugin declares holds keys it stored, and the engine's own
// tables (attachments, upload-link submissions), which their modules declare. Pure: the Model and declarations in,
// SQL out. It refuses rather than guess: a holder it cannot place would let a kept blob be deleted.
import { kindOf, type FieldKindRegistry } from '../metadata/field-kinds.js';
import type { Model } from '../metadata/model.js';
import { q } from '../sql/q.js';
import { storageError } from './errors.js';

/** One place blob keys are kept: a table, and the SQL giving the key from one of its rows (aliased `t`). */
export interface BlobHolder {
  /** What keeps them, for logs and errors: `entity.field`, or an engine table's name. */
  readonly source: string;
  readonly table: string;
  readonly keySql: string;
}

/** A plugin's word that these text fields of an entity hold the SHA-256 keys of blobs it stored. */
export interface DeclaredBlobKeys {
  readonly plugin: string;
  readonly entity: string;
  readonly fields: readonly string[];
}

export interface BlobHolderSources {
  readonly model: Model;
  readonly kinds: FieldKindRegistry;
  readonly declared: readonly DeclaredBlobKeys[];
  /** The plugins this process set up: those are the only ones whose declarations it knows. */
  readonly plugins: ReadonlySet<string>;
  /** The engine's own tables that keep keys. */
  readonly engine: readonly BlobHolder[];
}

export function blobHolders(s: BlobHolderSources): BlobHolder[] {
  for (const pack of s.model.packs) {
    const missing = pack.plugins.find((p) => !s.plugins.has(p));
    if (missing !== undefined) {
      throw storageError(
        'storage.unknown_holders',
        `pack ${pack.name} needs plugin ${missing}, which this process has not set up: the blobs it keeps are unknown, so none is collected`,
      );
    }
  }
  const holders: BlobHolder[] = [...s.engine];
  for (const entity of s.model.entities) {
    for (const field of entity.fields) {
      const keySql = kindOf(s.kinds, field).blobKeySql;
      if (!keySql || field.columns.length === 0) continue;
      holders.push({
        source: `${entity.name}.${field.name}`,
        table: entity.table,
        keySql: keySql(field.columns.map((c) => `t.${q(c.name)}`)),
      });
    }
  }
  for (const d of s.declared) {
    // A plugin loaded for another pack may declare an entity this Model does not have: nothing is kept there.
    const entity = s.model.entitiesByName[d.entity];
    if (!entity) continue;
    for (const name of d.fields) {
      const column = entity.fields.find((f) => f.name === name)?.columns;
      if (column?.length !== 1 || !column[0]) {
        throw storageError(
          'storage.unknown_holders',
          `plugin ${d.plugin} says ${d.entity}.${name} holds blob keys, but ${d.entity} has no such one-column field`,
        );
      }
      holders.push({ source: `${d.entity}.${name}`, table: entity.table, keySql: `t.${q(column[0].name)}::text` });
    }
  }
  return holders;
}

/** One statement (one snapshot) giving every key the holders keep, each once. */
export function referencedKeysSql(holders: readonly BlobHolder[]): string {
  const each = holders.map((h) => `SELECT ${h.keySql} AS k FROM ${q(h.table)} t`);
  return `SELECT DISTINCT x.k FROM (${each.join(' UNION ALL ')}) x WHERE x.k IS NOT NULL`;
}
