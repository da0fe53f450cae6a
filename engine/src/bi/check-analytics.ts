// Checks the measures and segments packs declare (beyond the meta-schema): names unique among the cube's members,
// fields that exist and are numbers, ratios of measures of the same cube, conditions that compile. Every problem
// names file#pointer [rule]. Called with the other Model checks before a Model is served (api/served-model.ts).
import type { EntityDef } from '../metadata/model.js';
import type { MeasureDef } from '../metadata/analytics.js';
import { conditionProblems, type MetadataProblem } from '../metadata/metadata-problem.js';
import { cubeConditionSql } from './cube-condition.js';
import { entityMembers } from './cube-members.js';
import { EVERYONE, ROLLUP_ENTITY_NAME_MAX, buildCubeModel, type CubeFilesDeps } from './build-cube-files.js';
import { MAX_TREE_PATH, treeCubeName, treeNodeDimension, treeOf } from './cube-tree.js';
import { reportSegment } from './report-segment.js';
import { planReport } from './report-plan.js';

const NUMERIC = new Set(['integer', 'decimal']);

function checkMeasureFields(
  deps: CubeFilesDeps,
  entity: EntityDef,
  m: MeasureDef,
  at: string,
  problem: (pointer: string, rule: string, message: string) => void,
): void {
  if (m.aggregate && m.aggregate !== 'count' && m.field === undefined)
    problem(`${at}/field`, 'analytics.field_required', `${m.aggregate} needs a field`);
  if (m.aggregate === 'count' && (m.field !== undefined || m.multiplyBy !== undefined))
    problem(at, 'analytics.count_field', 'count counts records: it takes no field (use countDistinct to count values)');
  for (const key of ['field', 'multiplyBy'] as const) {
    const name = m[key];
    if (name === undefined) continue;
    const field = entity.fields.find((f) => f.name === name);
    const kind = field && deps.kinds.get(field.kind);
    if (!field || !kind || field.columns.length === 0) {
      problem(`${at}/${key}`, 'analytics.unknown_field', `'${name}' is not a stored field of ${entity.name}`);
      continue;
    }
    const numeric = !kind.subPaths && field.columns.length === 1 && NUMERIC.has(kind.operand);
    if (!numeric && (key === 'multiplyBy' || m.aggregate !== 'countDistinct'))
      problem(
        `${at}/${key}`,
        'analytics.not_a_number',
        `'${name}' is not an integer or decimal field (money adds up per currency: aggregate a converted decimal field)`,
      );
  }
}

function checkReports(deps: CubeFilesDeps, problems: MetadataProblem[]): void {
  const members = buildCubeModel(deps).members;
  const seen = new Set<string>();
  for (const entity of deps.model.entities) {
    (entity.analytics?.reports ?? []).forEach((report, i) => {
      const at = `/analytics/reports/${i}`;
      const problem = (pointer: string, rule: string, message: string) =>
        problems.push({ file: entity.file, pointer, rule, message, pack: entity.pack, entity: entity.name });
      if (seen.has(report.name)) problem(`${at}/name`, 'analytics.duplicate_report', `another report is named '${report.name}'`);
      seen.add(report.name);
      let plan;
      try {
        plan = planReport(deps.model, deps.kinds, { entity, report });
      } catch (err) {
        problem(at, 'analytics.unknown_dimension', (err as Error).message);
        return;
      }
      if (report.rollUp !== undefined) {
        const at2 = `${at}/rollUp`;
        // Without its tree the report's cube does not exist: its members are not reported missing one by one.
        if (!(report.dimensions ?? []).includes(report.rollUp)) {
          problem(at2, 'analytics.roll_up_not_a_dimension', `'${report.rollUp}' is not one of the report's own dimensions`);
          return;
        }
        if (!treeOf(deps.model, deps.kinds, entity, report.rollUp)) {
          problem(
            at2,
            'analytics.roll_up_not_a_tree',
            `'${report.rollUp}' is not a relation, or a path of up to ${MAX_TREE_PATH} to-one relations, to an entity that relates to itself (a tree)`,
          );
          return;
        }
        if (deps.model.entitiesByName[treeCubeName(entity.name, report.rollUp)])
          problem(
            at2,
            'analytics.roll_up_name_taken',
            `an entity is named ${treeCubeName(entity.name, report.rollUp)}, the name of this roll-up's cube`,
          );
        const node = treeNodeDimension(report.rollUp);
        if (report.rollUp.includes('.') && node in entityMembers(entity, deps.kinds, 'en', () => true).dimensions)
          problem(at2, 'analytics.roll_up_name_taken', `a dimension of ${entity.name} is named ${node}, the name of this roll-up's node`);
        const other = (entity.analytics?.reports ?? []).find(
          (r) => r.rollUp && r.rollUp !== report.rollUp && treeNodeDimension(r.rollUp) === node,
        );
        if (other)
          problem(
            at2,
            'analytics.roll_up_name_taken',
            `report ${other.name} rolls up along ${other.rollUp}, which also ends in ${node}: their cubes would share a name`,
          );
        if (report.preAggregate)
          problem(`${at}/preAggregate`, 'analytics.roll_up_pre_aggregated', 'a report that rolls up along a tree is not kept in a rollup');
      }
      for (const m of plan.members) {
        if (!members.has(m)) problem(at, 'analytics.unknown_member', `'${m}' is not a member of the ${entity.name} cube or one it joins`);
      }
      const time = report.timeDimension;
      const timeDim = time && entity.fields.find((f) => f.name === time.dimension);
      if (time && !['created_at', 'updated_at'].includes(time.dimension) && deps.kinds.get(timeDim?.kind ?? '')?.cubeType !== 'time')
        problem(`${at}/timeDimension/dimension`, 'analytics.not_a_time', `'${time.dimension}' is not a date or time field`);
      if (report.preAggregate && entity.name.length > ROLLUP_ENTITY_NAME_MAX)
        problem(
          `${at}/preAggregate`,
          'analytics.rollup_name_too_long',
          `rollups of '${entity.name}' would get table names past PostgreSQL's 63 bytes: keep entity names of reports kept in rollups to ${ROLLUP_ENTITY_NAME_MAX} characters`,
        );
      if (report.preAggregate) {
        // A rollup keeps sums and counts per group; averages, distinct counts and ratios cannot be added back up.
        const generated = entityMembers(entity, deps.kinds, 'en', () => true).measures;
        const declared = new Map((entity.analytics?.measures ?? []).map((m) => [m.name, m.ratio ? 'number' : m.aggregate]));
        for (const m of report.measures) {
          const type = declared.get(m) ?? generated[m]?.type;
          if (type === 'number' || type === 'avg' || type === 'countDistinct')
            problem(
              `${at}/measures`,
              'analytics.rollup_not_additive',
              `'${m}' (${String(type)}) cannot be kept in a rollup: leave out preAggregate or the measure`,
            );
        }
      }
      const columns = new Set(plan.columns.map((c) => c.name));
      (report.order ?? []).forEach((o, j) => {
        if (!columns.has(o.member))
          problem(`${at}/order/${j}/member`, 'analytics.unknown_order', `'${o.member}' is not a column of the report`);
      });
    });
  }
}

export function checkAnalytics(deps: CubeFilesDeps): MetadataProblem[] {
  const problems: MetadataProblem[] = [];
  checkReports(deps, problems);
  for (const entity of deps.model.entities) {
    const a = entity.analytics;
    if (!a) continue;
    const problem = (pointer: string, rule: string, message: string) =>
      problems.push({ file: entity.file, pointer, rule, message, pack: entity.pack, entity: entity.name });
    const generated = entityMembers(entity, deps.kinds, 'en', () => true);
    const taken = new Set([...Object.keys(generated.dimensions), ...Object.keys(generated.measures)]);
    const measures = new Set(Object.keys(generated.measures));
    const conditionDeps = { ...deps, readScope: EVERYONE.readScope, isHidden: EVERYONE.isHidden };
    const compile = (condition: unknown, at: string) => {
      try {
        cubeConditionSql(conditionDeps, entity, condition);
      } catch (err) {
        problems.push(...conditionProblems(entity, at, err));
      }
    };
    (a.measures ?? []).forEach((m, i) => {
      const at = `/analytics/measures/${i}`;
      if (taken.has(m.name))
        problem(`${at}/name`, 'analytics.duplicate_name', `'${m.name}' is already a member of the ${entity.name} cube`);
      taken.add(m.name);
      if (!m.ratio) measures.add(m.name);
      checkMeasureFields(deps, entity, m, at, problem);
      if (m.filter !== undefined) compile(m.filter, `${at}/filter`);
    });
    (a.measures ?? []).forEach((m, i) => {
      for (const part of ['numerator', 'denominator'] as const) {
        const name = m.ratio?.[part];
        if (name !== undefined && !measures.has(name))
          problem(
            `/analytics/measures/${i}/ratio/${part}`,
            'analytics.unknown_measure',
            `'${name}' is not a measure (other than a ratio) of the ${entity.name} cube`,
          );
      }
    });
    for (const r of a.reports ?? []) if (r.filter !== undefined) taken.add(reportSegment(r.name));
    (a.reports ?? []).forEach((r, i) => {
      if (r.filter !== undefined) compile(r.filter, `/analytics/reports/${i}/filter`);
    });
    (a.segments ?? []).forEach((s, i) => {
      const at = `/analytics/segments/${i}`;
      if (taken.has(s.name))
        problem(`${at}/name`, 'analytics.duplicate_name', `'${s.name}' is already a member of the ${entity.name} cube`);
      taken.add(s.name);
      compile(s.filter, `${at}/filter`);
    });
  }
  return problems;
}
