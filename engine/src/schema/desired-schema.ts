// The tables the Model asks for, in a shape the planner can diff: entity tables and junction tables alike.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../shared/canonical-json.js';
import type { ColumnDef, EntityDef, IndexDef, Model } from '../metadata/model.js';
import { physicalName } from '../metadata/physical-name.js';

export interface DesiredTable {
  readonly name: string;
  readonly key: string;
  readonly columns: readonly ColumnDef[];
  readonly primaryKey: readonly string[];
  readonly indexes: readonly IndexDef[];
  /** The entity whose fields partial-index conditions refer to (entity tables only). */
  readonly entity?: EntityDef;
}

export function entityTableKey(entity: EntityDef): string {
  return `entity#${entity.id}`;
}

export function desiredTables(model: Model): DesiredTable[] {
  const out: DesiredTable[] = [];
  for (const entity of model.entities) {
    out.push({
      name: entity.table,
      key: entityTableKey(entity),
      columns: entity.columns,
      primaryKey: ['id'],
      indexes: entity.indexes,
      entity,
    });
    for (const field of entity.fields) {
      const j = field.junction;
      if (!j) continue;
      out.push({
        name: j.table,
        key: j.key,
        primaryKey: [j.sourceColumn, j.targetColumn],
        columns: [
          {
            name: j.sourceColumn,
            type: { base: 'uuid' },
            nullable: false,
            key: `${j.key}#source`,
            references: { table: j.sourceTable, column: 'id', onDelete: 'cascade' },
          },
          {
            name: j.targetColumn,
            type: { base: 'uuid' },
            nullable: false,
            key: `${j.key}#target`,
            references: { table: j.targetTable, column: 'id', onDelete: 'cascade' },
          },
        ],
        indexes: [
          {
            key: `${j.key}#target_idx`,
            name: physicalName(j.table, 'target', 'idx'),
            table: j.table,
            keys: [{ column: j.targetColumn, descending: false }],
            unique: false,
            liveOnly: false,
          },
        ],
      });
    }
  }
  return out;
}

/**
 * Changes to an index's definition (not its name) show as a changed signature. Keys are named by column
 * key, not column name: a renamed column keeps its index, a new column that takes an old name does not.
 */
export function indexSignature(index: IndexDef, columns: readonly ColumnDef[]): string {
  const keyOf = (name: string) => columns.find((c) => c.name === name)?.key ?? name;
  const keys = index.keys.map((k) => ({ column: keyOf(k.column), descending: k.descending }));
  const def = { keys, unique: index.unique, where: index.where ?? null, liveOnly: index.liveOnly };
  return createHash('sha256').update(canonicalJson(def)).digest('hex').slice(0, 16);
}
