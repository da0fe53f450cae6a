// Whether a field's storage is one column of text: what global search can index (metadata checks it, search/
// reads it). Decided from the kind table's columns, not from kind names.
import type { ColumnDef } from './model.js';

export function isTextColumns(columns: readonly ColumnDef[]): boolean {
  const [only, ...more] = columns;
  return only !== undefined && more.length === 0 && (only.type.base === 'text' || only.type.base === 'varchar');
}
