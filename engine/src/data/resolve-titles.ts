// References written as text in an import: a record by its code or name, a user by their username. A title is
// matched against the target's title field and its unique text fields, among the records the caller may read; one
// match is the id, none or several is the cell's error. Called by the import route (api/import-records.ts).
import type { Sql } from '../db/transaction.js';
import { liveAndScoped } from '../query/live-rows.js';
import { q } from '../sql/q.js';
import { SqlParams } from '../sql/sql-params.js';
import type { Access } from '../security/access.js';
import type { EntityDef, FieldDef } from '../metadata/model.js';
import type { ModelRuntime } from './entity-runtime.js';

export type TitleMatch = { readonly id: string } | { readonly error: string };

/** The text fields a record of `entity` is known by: its title field first, then its unique text fields. */
export function titleColumns(entity: EntityDef): string[] {
  const byName = (name: string | undefined) => entity.fields.find((f) => f.name === name);
  const title = byName(entity.titleField);
  const isText = (f: FieldDef) => f.columns.length === 1 && (f.columns[0]?.type.base === 'text' || f.columns[0]?.type.base === 'varchar');
  const unique = entity.fields.filter((f) => (f.unique === true || f.numbering !== undefined) && f !== title && isText(f));
  return [title, ...unique].flatMap((f) => (f && f.columns.length === 1 && f.columns[0] ? [f.columns[0].name] : []));
}

export async function resolveTitles(
  db: Sql, runtime: ModelRuntime, access: Access, target: string, titles: readonly string[],
): Promise<Map<string, TitleMatch>> {
  const entity = runtime.entity(target).entity;
  const columns = titleColumns(entity);
  const out = new Map<string, TitleMatch>();
  if (columns.length === 0) {
    for (const t of titles) out.set(t, { error: `a ${target} is referred to by its id here (it has no title field)` });
    return out;
  }
  const params = new SqlParams();
  const wanted = params.add([...new Set(titles)], 'text[]');
  const matchOn = columns.map((c) => `t.${q(c)}`);
  const res = await db.query<{ id: string; keys: string[] }>(
    `SELECT t.id, ARRAY[${matchOn.map((c) => `${c}::text`).join(', ')}] AS keys FROM ${q(entity.table)} t
      WHERE ${liveAndScoped(entity, 't', params, access.readScope)} AND (${matchOn.map((c) => `${c}::text = ANY(${wanted})`).join(' OR ')})`,
    params.values,
  );
  const found = new Map<string, Set<string>>();
  for (const row of res.rows) {
    for (const key of row.keys) if (key !== null) (found.get(key) ?? found.set(key, new Set()).get(key))?.add(row.id);
  }
  for (const title of titles) {
    const ids = [...(found.get(title) ?? [])];
    if (ids.length === 1 && ids[0]) out.set(title, { id: ids[0] });
    else if (ids.length === 0) out.set(title, { error: `no ${target} is called '${title}'` });
    else out.set(title, { error: `${ids.length} ${target} records are called '${title}': write the id` });
  }
  return out;
}
