// Which columns reference each entity and what deleting one of its records does to them: read from the Model once,
// held by the Model's runtime (entity-runtime.ts) and applied by the write pipeline's delete step (delete-rules.ts).
import type { Model } from '../metadata/model.js';

/** A column of `entity` that references another entity's records, and what a delete there does to it. */
export interface DeleteRule {
  readonly entity: string;
  readonly field: string;
  readonly column: string;
  readonly onDelete: 'restrict' | 'cascade' | 'setNull';
}

/** Per referenced entity name, the columns that reference it. */
export function deleteRulesOf(model: Model): ReadonlyMap<string, readonly DeleteRule[]> {
  const byTable = new Map(model.entities.map((e) => [e.table, e.name]));
  const out = new Map<string, DeleteRule[]>();
  for (const entity of model.entities) {
    for (const field of entity.fields) {
      for (const column of field.columns) {
        const target = column.references ? byTable.get(column.references.table) : undefined;
        if (!column.references || !target) continue;
        out.set(target, [...(out.get(target) ?? []), { entity: entity.name, field: field.name, column: column.name, onDelete: column.references.onDelete }]);
      }
    }
  }
  return out;
}
