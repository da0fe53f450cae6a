// What the live database holds, as far as planning needs it. Read by introspect-catalog, diffed by plan-schema.
import type { SqlType } from '../metadata/model.js';

/** What Tessera wrote into a table's, column's or index's COMMENT to recognise it across renames. */
export interface ObjectTag {
  readonly key: string;
  /** Column default as the Model had it (canonical JSON), so default changes need no SQL parsing. */
  readonly default?: string;
  /** Column value rules as the Model had them (canonical JSON), so narrowing them is seen and counted. */
  readonly rules?: string;
  /** Index definition signature. */
  readonly sig?: string;
}

export interface CatalogColumn {
  readonly name: string;
  readonly type: SqlType | { readonly base: 'unknown'; readonly text: string };
  readonly nullable: boolean;
  readonly tag?: ObjectTag;
}

export interface CatalogIndex {
  readonly name: string;
  readonly tag?: ObjectTag;
}

export interface CatalogForeignKey {
  readonly name: string;
  readonly column: string;
  readonly refTable: string;
  readonly onDelete: 'restrict' | 'cascade' | 'setNull' | 'noAction' | 'setDefault';
}

export interface CatalogTable {
  readonly name: string;
  readonly tag?: ObjectTag;
  readonly columns: readonly CatalogColumn[];
  readonly indexes: readonly CatalogIndex[];
  readonly foreignKeys: readonly CatalogForeignKey[];
}

export interface Catalog {
  readonly tables: readonly CatalogTable[];
}

export const EMPTY_CATALOG: Catalog = { tables: [] };

const TAG_PREFIX = 'tessera:';

export function renderTag(tag: ObjectTag): string {
  return TAG_PREFIX + JSON.stringify(tag);
}

/** Comments not written by Tessera (or damaged) mean the object is not ours. */
export function parseTag(comment: string | null | undefined): ObjectTag | undefined {
  if (!comment?.startsWith(TAG_PREFIX)) return undefined;
  try {
    const parsed = JSON.parse(comment.slice(TAG_PREFIX.length)) as Partial<ObjectTag>;
    return typeof parsed.key === 'string' ? (parsed as ObjectTag) : undefined;
  } catch {
    return undefined;
  }
}
