// `include`: related records fetched in one query per relation (never one per row), within the caller's scope.
import type { Sql } from '../db/transaction.js';
import { EngineError } from '../shared/engine-error.js';
import type { EntityDef } from '../metadata/model.js';
import { q } from '../sql/q.js';
import type { ModelRuntime } from './entity-runtime.js';
import { INCLUDE_CHILD_LIMIT } from './list-options.js';
import { withoutHelpers, type ApiRecord, type Row } from './record-codec.js';
import { liveAndScoped } from '../query/live-rows.js';
import type { Access } from '../security/access.js';
import { visibleFields } from './visible-fields.js';
import { SqlParams } from '../sql/sql-params.js';

export interface IncludeDeps {
  /** The pool, or the write's transaction client when called from the write pipeline. */
  readonly pool: Sql;
  readonly runtime: ModelRuntime;
  readonly access: Access;
}

function unknownInclude(entity: EntityDef, name: string, i: number): EngineError {
  return new EngineError('query.unknown_include', 400, `'${name}' is not a relation of ${entity.name}`, { fieldErrors: [{ pointer: `/include/${i}`, code: 'query.unknown_include', message: `'${name}' is not a relation` }] });
}

/** Checks include names before any query runs, so a bad one costs nothing. */
export function checkIncludes(entity: EntityDef, include: readonly string[], access: Access): void {
  include.forEach((name, i) => {
    const f = entity.fields.find((x) => x.name === name);
    if (f?.target && access.field(entity.name, f.name) !== 'hidden') return;
    const inverse = entity.inverses.find((inv) => inv.name === name);
    if (inverse && access.field(inverse.sourceEntity, inverse.sourceField) !== 'hidden' && access.can(inverse.sourceEntity, 'read')) return;
    throw unknownInclude(entity, name, i);
  });
}

/** Records of `target` the caller may see, with their visible fields; `extra` adds helper columns (`__...`). */
async function selectRecords(deps: IncludeDeps, target: EntityDef, whereSql: (alias: string, params: SqlParams) => string, extra = ''): Promise<Row[]> {
  const rt = deps.runtime.entity(target.name);
  const params = new SqlParams();
  const cols = rt.codec.selectList('r', visibleFields(rt, deps.access)).sql;
  const where = whereSql('r', params);
  const sql = `SELECT ${cols}${extra} FROM ${q(target.table)} r WHERE ${where} AND ${liveAndScoped(target, 'r', params, deps.access.readScope)}`;
  return (await deps.pool.query(sql, params.values)).rows as Row[];
}

export async function loadIncludes(deps: IncludeDeps, entity: EntityDef, records: ApiRecord[], include: readonly string[]): Promise<void> {
  if (records.length === 0) return;
  const ids = records.map((r) => r.id as string);
  for (const name of include) {
    const field = entity.fields.find((f) => f.name === name);
    if (field?.target && field.cardinality !== 'manyToMany') {
      const target = deps.runtime.entity(field.target);
      const refIds = [...new Set(records.map((r) => r[name]).filter((v): v is string => typeof v === 'string'))];
      const rows = refIds.length ? await selectRecords(deps, target.entity, (a, p) => `${a}.id = ANY(${p.add(refIds, 'uuid[]')})`) : [];
      const byId = new Map(rows.map((row) => [row.id as string, row]));
      // A related record outside the caller's scope shows as null: its existence is not theirs to learn.
      for (const r of records) if (typeof r[name] === 'string') r[name] = byId.get(r[name] as string) ?? null;
      continue;
    }
    const inverse = entity.inverses.find((inv) => inv.name === name);
    const junction = field?.junction;
    let rows: Row[];
    if (junction && field?.target) {
      rows = await selectRecords(deps, deps.runtime.entity(field.target).entity,
        (a, p) => `EXISTS (SELECT 1 FROM ${q(junction.table)} jx WHERE jx.${q(junction.targetColumn)} = ${a}.id AND jx.${q(junction.sourceColumn)} = ANY(${p.add(ids, 'uuid[]')}))`);
      const links = await deps.pool.query<{ s: string; t: string }>(
        `SELECT ${q(junction.sourceColumn)} AS s, ${q(junction.targetColumn)} AS t FROM ${q(junction.table)} WHERE ${q(junction.sourceColumn)} = ANY($1::uuid[])`, [ids]);
      attachMany(records, name, rows, links.rows);
    } else if (inverse) {
      const source = deps.runtime.entity(inverse.sourceEntity);
      const sourceField = source.entity.fields.find((f) => f.name === inverse.sourceField);
      if (inverse.kind === 'hasMany' && sourceField?.columns[0]) {
        const fk = sourceField.columns[0].name;
        const ranked = await selectRecords(deps, source.entity,
          (a, p) => `${a}.${q(fk)} = ANY(${p.add(ids, 'uuid[]')})`,
          `, r.${q(fk)} AS __parent, row_number() OVER (PARTITION BY r.${q(fk)} ORDER BY r.id) AS __rank`);
        const kept = ranked.filter((row) => Number(row.__rank) <= INCLUDE_CHILD_LIMIT);
        attachMany(records, name, kept.map(withoutHelpers), kept.map((row) => ({ s: row.__parent as string, t: row.id as string })));
      } else if (sourceField?.junction) {
        const j = sourceField.junction;
        rows = await selectRecords(deps, source.entity,
          (a, p) => `EXISTS (SELECT 1 FROM ${q(j.table)} jx WHERE jx.${q(j.sourceColumn)} = ${a}.id AND jx.${q(j.targetColumn)} = ANY(${p.add(ids, 'uuid[]')}))`);
        const links = await deps.pool.query<{ s: string; t: string }>(
          `SELECT ${q(j.targetColumn)} AS s, ${q(j.sourceColumn)} AS t FROM ${q(j.table)} WHERE ${q(j.targetColumn)} = ANY($1::uuid[])`, [ids]);
        attachMany(records, name, rows, links.rows);
      }
    }
  }
}

/**
 * The ids of each record's manyToMany links (those the caller may see), one query per relation per page.
 * `include` replaces them with the records themselves.
 */
export async function loadManyToManyIds(deps: IncludeDeps, entity: EntityDef, records: ApiRecord[], fields: ReadonlySet<string> | undefined, include: readonly string[]): Promise<void> {
  if (records.length === 0) return;
  const ids = records.map((r) => r.id as string);
  for (const field of entity.fields) {
    const j = field.junction;
    if (!j || !field.target || include.includes(field.name)) continue;
    if (fields ? !fields.has(field.name) : deps.access.field(entity.name, field.name) === 'hidden') continue;
    const target = deps.runtime.entity(field.target).entity;
    const params = new SqlParams();
    const parents = params.add(ids, 'uuid[]');
    const res = await deps.pool.query<{ s: string; ids: string[] }>(
      `SELECT jx.${q(j.sourceColumn)} AS s, array_agg(jx.${q(j.targetColumn)} ORDER BY jx.${q(j.targetColumn)}) AS ids
         FROM ${q(j.table)} jx JOIN ${q(target.table)} r ON r.id = jx.${q(j.targetColumn)} AND ${liveAndScoped(target, 'r', params, deps.access.readScope)}
        WHERE jx.${q(j.sourceColumn)} = ANY(${parents}) GROUP BY jx.${q(j.sourceColumn)}`, params.values);
    const byParent = new Map(res.rows.map((row) => [row.s, row.ids]));
    for (const r of records) r[field.name] = byParent.get(r.id as string) ?? [];
  }
}

/** Attaches children to parents by (parent id, child id) links, at most INCLUDE_CHILD_LIMIT each. */
function attachMany(records: ApiRecord[], name: string, rows: readonly ApiRecord[], links: ReadonlyArray<{ s: string; t: string }>): void {
  const byId = new Map(rows.map((row) => [row.id as string, row]));
  const byParent = new Map<string, ApiRecord[]>();
  for (const link of links) {
    const child = byId.get(link.t);
    if (!child) continue;
    const list = byParent.get(link.s) ?? [];
    if (list.length < INCLUDE_CHILD_LIMIT) list.push(child);
    byParent.set(link.s, list);
  }
  for (const r of records) r[name] = byParent.get(r.id as string) ?? [];
}
