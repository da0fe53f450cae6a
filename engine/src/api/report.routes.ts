// GET /api/v1/reports (the reports the caller may run) and GET /api/v1/reports/<name>[?format=csv|xlsx]: a pack's
// report run through Cube as the caller (their scope in every cube, their hidden fields absent), each row with the
// list filter that drills down to its records. A report that needs a member the caller lacks is refused.
import Router from '@koa/router';
import type pg from 'pg';
import type { Context } from 'koa';
import { EngineError } from '../shared/engine-error.js';
import type { FieldKindRegistry } from '../metadata/field-kinds.js';
import type { Model } from '../metadata/model.js';
import type { AuthSession } from '../security/authenticator.js';
import type { LazyCube } from '../bi/lazy-cube.js';
import type { CubeViewers } from '../bi/cube-viewers.js';
import { viewerKeyFor } from '../bi/cube-auth.js';
import { drillFilter, listReports, planReport, type ReportPlan, type ReportRef } from '../bi/report-plan.js';
import { treeClosureSql, treeOf } from '../bi/cube-tree.js';
import { reportCsv, reportWorkbook, type ExportColumn } from '../bi/report-export.js';
import { pickLabel } from '../bi/cube-members.js';
import type { ApiState } from './api-state.js';
import { pickLocale } from './pick-locale.js';

export interface ReportDeps {
  readonly cube: LazyCube;
  /** Reads the subtrees of the nodes a rolled-up report answers with (their drill-down). */
  readonly pool: pg.Pool;
  readonly viewers: CubeViewers;
  readonly kinds: FieldKindRegistry;
  model(): Model;
  modelVersion(): number;
}

type Ctx = Context & { state: ApiState; params: Record<string, string> };

function sessionOf(ctx: Ctx): AuthSession {
  const session = ctx.state.session;
  if (!session) throw new EngineError('auth.required', 401, 'sign in first');
  return session;
}

/** The reports of the Model the caller may run: they read its entity and have every member it names. */
export function availableReports(deps: ReportDeps, session: AuthSession, locale: string): ReportPlan[] {
  const model = deps.model();
  const refs = listReports(model).filter((r) => session.access.can(r.entity.name, 'read'));
  if (refs.length === 0) return [];
  const members = deps.viewers.get(viewerKeyFor(deps, session, locale)).members;
  return refs.map((r) => planReport(model, deps.kinds, r)).filter((p) => p.members.every((m) => members.has(m)));
}

/** What /api/meta lists of the reports. */
export function reportSummaries(deps: ReportDeps, session: AuthSession, locale: string): Record<string, unknown>[] {
  return availableReports(deps, session, locale).map((p) => ({
    name: p.report.name,
    label: pickLabel(p.report.label, locale),
    ...(p.report.description ? { description: pickLabel(p.report.description, locale) } : {}),
    entity: p.entity.name,
    chart: p.report.chart ?? 'table',
    columns: p.columns.map((c) => ({ name: c.name, kind: c.kind })),
  }));
}

function findReport(model: Model, name: string): ReportRef {
  const found = listReports(model).find((r) => r.report.name === name);
  if (!found) throw new EngineError('report.not_found', 404, `there is no report '${name}'`);
  return found;
}

/** Each node a rolled-up report's rows name, with the nodes of its subtree (a row drills down to their records). */
async function subtreesOf(deps: ReportDeps, plan: ReportPlan, rows: Record<string, unknown>[]): Promise<Map<string, string[]>> {
  const column = plan.columns.find((c) => c.subtree);
  const tree = column && plan.report.rollUp ? treeOf(deps.model(), deps.kinds, plan.entity, plan.report.rollUp) : undefined;
  const nodes = column ? [...new Set(rows.map((r) => r[column.name]).filter((v): v is string => typeof v === 'string'))] : [];
  if (!tree || nodes.length === 0) return new Map();
  const { rows: found } = await deps.pool.query<{ node: string; members: string[] }>(
    `SELECT node::text AS node, array_agg(member::text ORDER BY member) AS members FROM (${treeClosureSql(tree)}) c
     WHERE node::text = ANY($1::text[]) GROUP BY node`,
    [nodes],
  );
  return new Map(found.map((r) => [r.node, r.members]));
}

export function reportRoutes(deps: ReportDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/v1/reports' });
  router.get('/', (ctx) => {
    const locale = pickLocale(ctx.query.locale, ctx.get('accept-language'));
    ctx.body = { data: reportSummaries(deps, sessionOf(ctx as Ctx), locale) };
  });
  router.get('/:name', async (ctx) => {
    const session = sessionOf(ctx as Ctx);
    const locale = pickLocale(ctx.query.locale, ctx.get('accept-language'));
    const format = ctx.query.format ?? 'json';
    if (format !== 'json' && format !== 'csv' && format !== 'xlsx')
      throw new EngineError('query.invalid_parameter', 400, "format must be 'json', 'csv' or 'xlsx'", {
        fieldErrors: [{ pointer: '/format', code: 'query.invalid_parameter', message: "one of 'json', 'csv', 'xlsx'" }],
      });
    const model = deps.model();
    const ref = findReport(model, ctx.params.name ?? '');
    if (!session.access.can(ref.entity.name, 'read'))
      throw new EngineError('access.denied', 403, `you may not read ${ref.entity.name} records`);
    const plan = planReport(model, deps.kinds, ref);
    const key = viewerKeyFor(deps, session, locale);
    const members = deps.viewers.get(key).members;
    const missing = plan.members.find((m) => !members.has(m));
    if (missing) throw new EngineError('report.forbidden', 403, `the report needs '${missing}', which you may not see`);
    const result = await (await deps.cube.server()).load(key, plan.query, ctx.state.requestId);
    const segmentFilters = new Map((ref.entity.analytics?.segments ?? []).map((s) => [s.name, s.filter]));
    const rows = result.data.map((r) => Object.fromEntries(plan.columns.map((c) => [c.name, r[c.member] ?? null])));
    const annotation = Object.assign({}, ...Object.values(result.annotation)) as Record<
      string,
      { shortTitle?: string; title?: string; type?: string }
    >;
    const columns = plan.columns.map((c) => {
      const a = annotation[c.member] ?? annotation[c.member.split('.').slice(0, 2).join('.')];
      return { name: c.name, kind: c.kind, title: a?.shortTitle ?? a?.title ?? c.name, type: a?.type ?? 'string' };
    });
    const title = pickLabel(ref.report.label, locale);
    if (format !== 'json') {
      const exportColumns: ExportColumn[] = columns.map((c) => ({ name: c.name, title: c.title, numeric: c.kind === 'measure' }));
      ctx.set('Content-Disposition', `attachment; filename="${ref.report.name}.${format}"`);
      if (format === 'csv') {
        ctx.type = 'text/csv; charset=utf-8';
        ctx.body = reportCsv(exportColumns, rows);
      } else {
        ctx.type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
        ctx.body = await reportWorkbook(title, exportColumns, rows);
      }
      return;
    }
    const subtrees = await subtreesOf(deps, plan, rows);
    ctx.body = {
      data: rows.map((row) => ({ ...row, drill: { entity: ref.entity.name, filter: drillFilter(plan, segmentFilters, row, subtrees) } })),
      meta: {
        report: { name: ref.report.name, label: title, entity: ref.entity.name, chart: ref.report.chart ?? 'table' },
        columns,
        preAggregated: Object.keys(result.usedPreAggregations ?? {}).length > 0,
      },
    };
  });
  return router;
}
