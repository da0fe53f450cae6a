// A user's saved list views (GET/POST /api/v1/me/views) as the list reads views: beside the pack's views, named
// `my:<id>` so the two never collide; and the grid's columns as the user arranged them. Pure.
import type { ListViewMeta } from '../api/meta-types';

export interface SavedView {
  id: string;
  entity: string;
  name: string;
  columns: string[];
  sort: string[];
  filter: unknown;
}

export const SAVED_PREFIX = 'my:';

export function savedAsListView(v: SavedView): ListViewMeta & { savedId: string } {
  return {
    name: `${SAVED_PREFIX}${v.id}`,
    label: v.name,
    isDefault: false,
    columns: v.columns.map((field) => ({ field })),
    sort: v.sort,
    ...(v.filter !== null && v.filter !== undefined ? { filter: v.filter } : {}),
    savedId: v.id,
  };
}

export interface ColumnStateLike {
  colId: string;
  hide?: boolean | null;
}

/** The grid's column state (displayed order) as a saved view's columns: the fields shown, in the order shown (the
 *  selection column is the grid's own). */
export function captureColumns(state: readonly ColumnStateLike[], isField: (colId: string) => boolean): string[] {
  return state.filter((c) => !c.hide && isField(c.colId)).map((c) => c.colId);
}
