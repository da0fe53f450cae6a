// Model -> Cube data model: one JS model file per entity the viewer may read, generated in memory (Cube reads them
// through its repository hook). Pure. A viewer's files carry their record scope in every cube's SQL, so every measure,
// join, segment and drill-down sees only their rows, and leave out the fields hidden from them, so no member exists
// for those. Without a viewer (the golden files, an administrator) nothing is restricted.
import { createHash } from 'node:crypto';
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
import { TREE_NODE_COLUMN, treeClosureSql, treeCubeName, treeNodeDimension, treeOf, treeReachSql, type Tree } from './cube-tree.js';

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
  readonly preAggregations?: Record<string, Member>;
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

/**
 * A rollup's refresh key never changes: the jobs system rebuilds rollups (jobs/refresh-rollups.ts), so Cube's query path
 * answers from the last build and builds only a rollup that was never built (a viewer the job has not met yet). A Model
 * change that changes a rollup's SQL gives it a new table (Cube keys tables by their SQL), built by the job the publish
 * queues.
 */
const ROLLUP_REFRESH_KEY = new SqlText('SELECT 1');

/**
 * Cube names a rollup's tables `<cube>_<alias>_<content>_<structure>_<build time>`; PostgreSQL cuts names at 63
 * bytes, and a cut build time made two builds one name. A short alias (and check-analytics.ts's bound on the entity's
 * name) keeps every table's name whole.
 */
export function rollupAlias(report: string): string {
  return `r${createHash('sha256').update(report).digest('hex').slice(0, 7)}`;
}

/** The longest entity name whose rollup tables' names stay within PostgreSQL's 63 bytes. */
export const ROLLUP_ENTITY_NAME_MAX = 28;

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
      sqlAlias: rollupAlias(r.name),
      // Kept in the source database (Cube's own schema there): there is no Cube Store.
      external: false,
      measures: r.measures.map((m) => new MemberRef(undefined, m)),
      dimensions: dims.map(([a = '', b]) => (b === undefined ? new MemberRef(undefined, a) : new MemberRef(a, b))),
      segments: segments.map((s) => new MemberRef(undefined, s)),
      ...(r.timeDimension
        ? { timeDimension: new MemberRef(undefined, r.timeDimension.dimension), granularity: r.timeDimension.granularity }
        : {}),
      refreshKey: { sql: ROLLUP_REFRESH_KEY },
      scheduledRefresh: true,
    };
  }
  return out;
}

/**
 * The entity's records once per node above them in a tree (cube-tree.ts), for the reports that roll up along it: the
 * same members as the entity's cube, plus the node counted toward as the path's dimension (a relation of the record's
 * own keeps its name: its dimension becomes the node), and the join to the tree's entity on that node. The records
 * carry the viewer's scope as in the entity's cube; the tree's shape and the path's records do not.
 */
function treeCube(entity: EntityDef, base: CubeDef, path: string, tree: Tree, viewer: CubeViewer, locale: string): CubeDef {
  const alias = 't';
  const reach = treeReachSql(tree, alias);
  const node = new SqlText(`${CUBE}.${q(TREE_NODE_COLUMN)}`);
  const name = treeNodeDimension(path);
  const own = base.dimensions[name];
  const joins = { ...(base.joins as Record<string, Member>) };
  if (viewer.canRead(tree.target.name))
    joins[tree.target.name] = { relationship: 'many_to_one', sql: new SqlText(`${node.sql} = ${cubeRef(tree.target.name)}.id`) };
  const dimension = own
    ? { ...own, sql: node }
    : { sql: node, type: 'string', title: pickLabel(tree.field.label, locale), meta: { label: tree.field.label } };
  return {
    sql: new SqlText(
      `SELECT ${alias}.*, tree.node AS ${q(TREE_NODE_COLUMN)} FROM ${q(entity.table)} ${alias} ${reach.joins} JOIN (${treeClosureSql(tree)}) tree ON tree.member = ${reach.node} WHERE ${liveAndScoped(entity, alias, LITERAL_SINK, viewer.readScope)}`,
    ),
    title: base.title,
    joins,
    dimensions: { ...base.dimensions, [name]: dimension },
    measures: base.measures,
    segments: base.segments,
  };
}

/** Whether the viewer may read every record on a tree's path and see every relation of it. */
function pathVisible(entity: EntityDef, tree: Tree, viewer: CubeViewer): boolean {
  const steps = [
    ...tree.via.map((h) => ({ from: h.from.name, field: h.field.name })),
    { from: tree.via.at(-1)?.to.name ?? entity.name, field: tree.field.name },
  ];
  return steps.every((s) => viewer.canRead(s.from) && !viewer.isHidden(s.from, s.field));
}

/** The paths the entity's reports roll up along, with their trees, where the viewer may follow the path. */
function treesOf(entity: EntityDef, deps: CubeFilesDeps, viewer: CubeViewer): Array<[string, Tree]> {
  const paths = new Set((entity.analytics?.reports ?? []).flatMap((r) => (r.rollUp ? [r.rollUp] : [])));
  return [...paths].flatMap((path): Array<[string, Tree]> => {
    const tree = treeOf(deps.model, deps.kinds, entity, path);
    return tree && pathVisible(entity, tree, viewer) ? [[path, tree]] : [];
  });
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
  /** Cube's ids (`cube.name`) of the rollups in this model. */
  readonly rollups: readonly string[];
}

export function buildCubeModel(deps: CubeFilesDeps, viewer: CubeViewer = EVERYONE, locale = 'en'): CubeModel {
  const files: CubeFile[] = [];
  const members = new Set<string>();
  const rollups: string[] = [];
  for (const e of deps.model.entities) {
    if (!viewer.canRead(e.name)) continue;
    const cube = entityCube(e, deps, viewer, locale);
    const cubes: Array<[string, CubeDef]> = [[e.name, cube]];
    for (const [path, tree] of treesOf(e, deps, viewer))
      cubes.push([treeCubeName(e.name, path), treeCube(e, cube, path, tree, viewer, locale)]);
    for (const [name, def] of cubes) {
      for (const group of [def.dimensions, def.measures, def.segments]) for (const m of Object.keys(group)) members.add(`${name}.${m}`);
      for (const m of Object.keys(def.preAggregations ?? {})) rollups.push(`${name}.${m}`);
      files.push({ fileName: `${name}.js`, content: `cube(${JSON.stringify(name)}, ${jsValue(def)});\n` });
    }
  }
  return { files, members, rollups };
}

export function buildCubeFiles(deps: CubeFilesDeps, viewer: CubeViewer = EVERYONE, locale = 'en'): CubeFile[] {
  return [...buildCubeModel(deps, viewer, locale).files];
}
