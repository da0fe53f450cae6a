// Model -> Cube data model: one JS model file per entity the viewer may read, generated in memory (Cube reads them
// through its repository hook). Pure. A viewer's files carry their record scope in every cube's SQL, so every measure,
// join, segment and drill-down sees only their rows, and leave out the fields hidden from them, so no member exists
// for those. Without a viewer (the golden files, an administrator) nothing is restricted.
import type { FieldKindRegistry } from '../metadata/field-kinds.js';
import type { EntityDef, Model } from '../metadata/model.js';
import type { MeasureDef } from '../metadata/analytics.js';
import type { OperatorRegistry } from '../rules/operator-registry.js';
import { UNRESTRICTED_SCOPE, type RecordScope } from '../query/record-scope.js';
import { liveAndScoped } from '../query/live-rows.js';
import { q } from '../sql/q.js';
import { CUBE, LITERAL_SINK, MemberRef, SqlText, cubeRef, jsValue, memberRef } from './cube-sql.js';
import { EngineError } from '../shared/engine-error.js';
import { cubeConditionSql, type CubeConditionDeps } from './cube-condition.js';
import { entityMembers, pickLabel, type Member } from './cube-members.js';
import { joinFields } from './cube-joins.js';
import { reportSegment } from './report-segment.js';
import { dimensionPath } from './report-plan.js';

export interface CubeFile {
  readonly fileName: string;
  readonly content: string;
}

/** Whose data model: what they may read, the fields hidden from them, the rows in their scope. */
export interface CubeViewer {
  canRead(entity: string): boolean;
  isHidden(entity: string, field: string): boolean;
  readonly readScope: RecordScope;
}

export interface CubeFilesDeps {
  readonly model: Model;
  readonly kinds: FieldKindRegistry;
  readonly operators: OperatorRegistry;
  readonly operatorsFor: (kind: string) => readonly string[];
}

export const EVERYONE: CubeViewer = { canRead: () => true, isHidden: () => false, readScope: UNRESTRICTED_SCOPE };

/** The cube's rows: live and in the viewer's scope. The alias is Cube's own table alias. */
function cubeSql(entity: EntityDef, viewer: CubeViewer): SqlText {
  const alias = 't';
  return new SqlText(`SELECT * FROM ${q(entity.table)} ${alias} WHERE ${liveAndScoped(entity, alias, LITERAL_SINK, viewer.readScope)}`);
}

function declaredMeasure(m: MeasureDef, entity: EntityDef, deps: CubeConditionDeps, locale: string): Member {
  const base = { title: pickLabel(m.label, locale), meta: { label: m.label, ...(m.format ? { format: m.format } : {}) } };
  if (m.ratio) {
    // 1.0 * keeps integer counts from dividing as integers; NULLIF gives no value instead of a division by zero.
    return {
      ...base,
      type: 'number',
      sql: new SqlText(`1.0 * ${memberRef(m.ratio.numerator)} / NULLIF(${memberRef(m.ratio.denominator)}, 0)`),
    };
  }
  const col = (name: string) => {
    const f = entity.fields.find((x) => x.name === name);
    return `${CUBE}.${q(f?.columns[0]?.name ?? name)}`;
  };
  let sql: string | undefined = m.field ? col(m.field) : undefined;
  if (sql && m.multiplyBy) sql = `${sql} * ${col(m.multiplyBy)}`;
  if (sql && m.divideBy !== undefined) sql = `${sql} / ${m.divideBy}`;
  return {
    ...base,
    type: m.aggregate === 'countDistinct' ? 'countDistinct' : m.aggregate,
    ...(sql ? { sql: new SqlText(sql) } : {}),
    ...(m.filter !== undefined ? { filters: [{ sql: new SqlText(cubeConditionSql(deps, entity, m.filter)) }] } : {}),
  };
}

/** Field names a declared measure reads directly (its filter is checked by compiling it). */
function measureFields(m: MeasureDef): string[] {
  return [m.field, m.multiplyBy].filter((f): f is string => f !== undefined);
}

interface CubeDef {
  readonly dimensions: Record<string, Member>;
  readonly measures: Record<string, Member>;
  readonly segments: Record<string, Member>;
  readonly [key: string]: unknown;
}

function entityCube(entity: EntityDef, deps: CubeFilesDeps, viewer: CubeViewer, locale: string): CubeDef {
  const isVisible = (field: string) => !viewer.isHidden(entity.name, field);
  const members = entityMembers(entity, deps.kinds, locale, isVisible);
  const conditionDeps: CubeConditionDeps = { ...deps, readScope: viewer.readScope, isHidden: viewer.isHidden };
  const { measures } = members;
  const declared = entity.analytics?.measures ?? [];
  // Declared measures that read a hidden field are left out, and so are ratios of measures left out.
  for (const m of declared.filter((x) => !x.ratio)) {
    if (!measureFields(m).every(isVisible)) continue;
    if (m.filter !== undefined && !conditionVisible(conditionDeps, entity, m.filter)) continue;
    measures[m.name] = declaredMeasure(m, entity, conditionDeps, locale);
  }
  for (const m of declared.filter((x) => x.ratio)) {
    if (m.ratio && measures[m.ratio.numerator] && measures[m.ratio.denominator])
      measures[m.name] = declaredMeasure(m, entity, conditionDeps, locale);
  }
  const segments: Record<string, Member> = {};
  for (const s of entity.analytics?.segments ?? []) {
    if (!conditionVisible(conditionDeps, entity, s.filter)) continue;
    segments[s.name] = {
      title: pickLabel(s.label, locale),
      meta: { label: s.label },
      sql: new SqlText(cubeConditionSql(conditionDeps, entity, s.filter)),
    };
  }
  // A report's filter is a segment of its own, so that the report is one Cube query (report-plan.ts names it).
  for (const r of entity.analytics?.reports ?? []) {
    if (r.filter === undefined || !conditionVisible(conditionDeps, entity, r.filter)) continue;
    segments[reportSegment(r.name)] = {
      title: pickLabel(r.label, locale),
      sql: new SqlText(cubeConditionSql(conditionDeps, entity, r.filter)),
      shown: false,
    };
  }
  const joins = joinsOf(entity, deps, viewer);
  // A joined dimension exists for the viewer when the join does and the field behind it is not hidden from them.
  const joinedVisible = (target: string, dim: string) => {
    const field = dimensionPath(deps.model, deps.kinds, entity, `${target}.${dim}`)?.path.split('.')[1];
    return joins[target] !== undefined && field !== undefined && !viewer.isHidden(target, field);
  };
  const preAggregations = rollupsOf(entity, { dimensions: members.dimensions, measures, segments }, joinedVisible);
  return {
    sql: cubeSql(entity, viewer),
    title: pickLabel(entity.pluralLabel, locale),
    // Cube 0.33 takes `meta` on members only: the cube's title is in the viewer's locale.
    ...(entity.description ? { description: pickLabel(entity.description, locale) } : {}),
    joins,
    dimensions: members.dimensions,
    measures,
    segments,
    ...(Object.keys(preAggregations).length ? { preAggregations } : {}),
  };
}

/** How often Cube rebuilds a report's rollup; a new Model version compiles anew and rebuilds what changed. */
export const ROLLUP_REFRESH = '10 minute';

/**
 * A rollup per report that asks for one, when the viewer has every member it names (a rollup naming a missing member
 * would break the viewer's whole model). Its table holds only the viewer's rows: the cube's SQL carries their scope.
 */
function rollupsOf(
  entity: EntityDef,
  own: Pick<CubeDef, 'dimensions' | 'measures' | 'segments'>,
  joinedVisible: (target: string, dim: string) => boolean,
): Record<string, Member> {
  const out: Record<string, Member> = {};
  for (const r of entity.analytics?.reports ?? []) {
    if (!r.preAggregate) continue;
    const segments = [...(r.segments ?? []), ...(r.filter !== undefined ? [reportSegment(r.name)] : [])];
    const dims = (r.dimensions ?? []).map((d) => d.split('.'));
    const ok =
      r.measures.every((m) => own.measures[m]) &&
      segments.every((s) => own.segments[s]) &&
      dims.every(([a = '', b]) => (b === undefined ? own.dimensions[a] : joinedVisible(a, b))) &&
      (!r.timeDimension || own.dimensions[r.timeDimension.dimension]);
    if (!ok) continue;
    out[reportSegment(r.name)] = {
      type: 'rollup',
      // Kept in the source database (Cube's own schema there): there is no Cube Store.
      external: false,
      measures: r.measures.map((m) => new MemberRef(undefined, m)),
      dimensions: dims.map(([a = '', b]) => (b === undefined ? new MemberRef(undefined, a) : new MemberRef(a, b))),
      segments: segments.map((s) => new MemberRef(undefined, s)),
      ...(r.timeDimension
        ? { timeDimension: new MemberRef(undefined, r.timeDimension.dimension), granularity: r.timeDimension.granularity }
        : {}),
      refreshKey: { every: ROLLUP_REFRESH },
    };
  }
  return out;
}

/** Whether a condition names only what the viewer may see (a hidden field reads as an unknown one). */
function conditionVisible(deps: CubeConditionDeps, entity: EntityDef, condition: unknown): boolean {
  try {
    cubeConditionSql(deps, entity, condition);
    return true;
  } catch (err) {
    // Checked metadata compiles for everyone (check-analytics.ts); for this viewer a field in it is hidden.
    if (err instanceof EngineError) return false;
    throw err;
  }
}

/** A many-to-one join per related entity the viewer may read (cube-joins.ts picks the field). */
function joinsOf(entity: EntityDef, deps: CubeFilesDeps, viewer: CubeViewer): Record<string, Member> {
  const joins: Record<string, Member> = {};
  for (const [target, f] of joinFields(entity, deps.kinds, (field) => !viewer.isHidden(entity.name, field))) {
    const fk = f.columns[0];
    if (!fk || !viewer.canRead(target)) continue;
    joins[target] = { relationship: 'many_to_one', sql: new SqlText(`${CUBE}.${q(fk.name)} = ${cubeRef(target)}.id`) };
  }
  return joins;
}

export interface CubeModel {
  readonly files: readonly CubeFile[];
  /** Every member a query may name (`cube.member`): dimensions, measures and segments. */
  readonly members: ReadonlySet<string>;
}

export function buildCubeModel(deps: CubeFilesDeps, viewer: CubeViewer = EVERYONE, locale = 'en'): CubeModel {
  const files: CubeFile[] = [];
  const members = new Set<string>();
  for (const e of deps.model.entities) {
    if (!viewer.canRead(e.name)) continue;
    const cube = entityCube(e, deps, viewer, locale);
    for (const group of [cube.dimensions, cube.measures, cube.segments])
      for (const name of Object.keys(group)) members.add(`${e.name}.${name}`);
    files.push({ fileName: `${e.name}.js`, content: `cube(${JSON.stringify(e.name)}, ${jsValue(cube)});\n` });
  }
  return { files, members };
}

export function buildCubeFiles(deps: CubeFilesDeps, viewer: CubeViewer = EVERYONE, locale = 'en'): CubeFile[] {
  return [...buildCubeModel(deps, viewer, locale).files];
}
