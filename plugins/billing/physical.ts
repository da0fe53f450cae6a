// Table and column names of the entities billing writes, read from the published Model (never assumed) and
// quoted for SQL; a name the Model lacks throws, so the pack and the plugin cannot drift apart silently.
import type { Model } from '../../engine/src/metadata/model.js';

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

export interface Table {
  readonly table: string;
  col(field: string): string;
}

export function table(model: Model, name: string): Table {
  const def = model.entitiesByName[name];
  if (!def) throw new Error(`billing: the model has no entity '${name}'`);
  return {
    table: quote(def.table),
    col(f) {
      const column = def.fields.find((x) => x.name === f)?.columns[0];
      if (!column) throw new Error(`billing: ${name}.${f} has no column`);
      return quote(column.name);
    },
  };
}
