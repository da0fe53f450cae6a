// A list request once its query string has been checked: everything the reader needs, nothing raw.
export interface SortSpec {
  readonly path: string;
  readonly descending: boolean;
}

export interface ListOptions {
  readonly filter?: unknown;
  readonly sort: readonly SortSpec[];
  readonly limit: number;
  readonly offset: number;
  readonly cursor?: string;
  /** Fields to return (the id always comes); all when undefined. */
  readonly fields?: ReadonlySet<string>;
  readonly include: readonly string[];
  /** `exact` counts every matching row; `capped` stops at the reader's cap (the count of a huge scope costs seconds). */
  readonly total?: 'exact' | 'capped';
}

export const MAX_LIMIT = 500;
export const DEFAULT_LIMIT = 50;
export const MAX_SORT_KEYS = 5;
export const MAX_INCLUDES = 8;
/** Related records returned per parent and hasMany/manyToMany include. */
export const INCLUDE_CHILD_LIMIT = 100;
