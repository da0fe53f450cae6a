// Which fields of an entity global search finds its records by: those the pack names in `searchFields`, else the
// title field when it holds text. Read by the index writers and the search route.
import type { EntityDef, FieldDef } from '../metadata/model.js';
import { isTextColumns } from '../metadata/text-columns.js';

export interface SearchField {
  readonly field: string;
  readonly column: string;
}

function searchable(field: FieldDef | undefined): SearchField | undefined {
  const column = field?.columns[0];
  return field && column && isTextColumns(field.columns) ? { field: field.name, column: column.name } : undefined;
}

export function searchFieldsOf(entity: EntityDef): readonly SearchField[] {
  const names = entity.searchFields ?? (entity.titleField ? [entity.titleField] : []);
  return names.flatMap((name) => {
    const found = searchable(entity.fields.find((f) => f.name === name));
    return found ? [found] : [];
  });
}
