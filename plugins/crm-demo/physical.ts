// Table and column names of the entities the demo data writes, read from the published Model (never assumed),
// quoted for SQL. A name the Model lacks throws: the pack and the seeder disagree.
import type { Model } from '../../engine/src/metadata/model.js';

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

export interface PhysicalEntity {
  readonly table: string;
  /** The field's column (its `index`-th for kinds stored in several, e.g. a currency's amount then code). */
  col(field: string, index?: number): string;
  junction(field: string): { readonly table: string; readonly source: string; readonly target: string };
}

export interface Physical {
  entity(name: string): PhysicalEntity;
}

export function physical(model: Model): Physical {
  return {
    entity(name) {
      const def = model.entitiesByName[name];
      if (!def) throw new Error(`crm-demo: the model has no entity '${name}'`);
      const field = (f: string) => {
        const found = def.fields.find((x) => x.name === f);
        if (!found) throw new Error(`crm-demo: entity '${name}' has no field '${f}'`);
        return found;
      };
      return {
        table: quote(def.table),
        col(f, index = 0) {
          const column = field(f).columns[index];
          if (!column) throw new Error(`crm-demo: ${name}.${f} has no column ${index}`);
          return quote(column.name);
        },
        junction(f) {
          const j = field(f).junction;
          if (!j) throw new Error(`crm-demo: ${name}.${f} is not many-to-many`);
          return { table: quote(j.table), source: quote(j.sourceColumn), target: quote(j.targetColumn) };
        },
      };
    },
  };
}
