// Test helper: the Catalog a database holds right after a plan for `model` was applied to it, derived
// from the Model alone (tags as apply writes them into COMMENTs, constraint names as ddl/plan-schema
// name them). Planner tests use it so they stay pure; the integration tests check it against introspection.
import type { Model } from '../../../../engine/src/metadata/model.js';
import { physicalName } from '../../../../engine/src/metadata/physical-name.js';
import type { Catalog, CatalogForeignKey, CatalogTable } from '../../../../engine/src/schema/catalog.js';
import { columnTag } from '../../../../engine/src/schema/ddl.js';
import { desiredTables, indexSignature } from '../../../../engine/src/schema/desired-schema.js';

export function catalogOf(model: Model): Catalog {
  const tables: CatalogTable[] = desiredTables(model).map((table) => ({
    name: table.name,
    tag: { key: table.key },
    columns: table.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable, tag: columnTag(c) })),
    indexes: table.indexes.map((i) => ({ name: i.name, tag: { key: i.key, sig: indexSignature(i, table.columns) } })),
    foreignKeys: table.columns.flatMap((c): CatalogForeignKey[] =>
      c.references
        ? [
            {
              name: physicalName(table.name, c.name, 'fkey'),
              column: c.name,
              refTable: c.references.table,
              onDelete: c.references.onDelete,
            },
          ]
        : [],
    ),
  }));
  return { tables };
}

/** Same catalog, in a fixed order, so a live (introspected) catalog and a derived one compare equal. */
export function normaliseCatalog(catalog: Catalog, options: { onlyTagged?: boolean } = {}): Catalog {
  const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);
  return {
    tables: catalog.tables
      .filter((t) => !options.onlyTagged || t.tag !== undefined)
      .map((t) => ({
        ...t,
        columns: [...t.columns].sort(byName),
        indexes: [...t.indexes].sort(byName),
        foreignKeys: [...t.foreignKeys].sort(byName),
      }))
      .sort(byName),
  };
}

/** Replaces one table of a catalog (by name), for tests that start from a hand-made live state. */
export function withTable(catalog: Catalog, name: string, change: (table: CatalogTable) => CatalogTable): Catalog {
  return { tables: catalog.tables.map((t) => (t.name === name ? change(t) : t)) };
}
