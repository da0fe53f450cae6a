// Runs aggregate requests: the caller must be able to read the entity; the statement carries their record scope on
// every alias (data/aggregate-plan.ts). Called by the aggregate routes and by reports' drill-down checks.
import type pg from 'pg';
import type { OperatorRegistry } from '../rules/operator-registry.js';
import { statement } from '../db/prepared-name.js';
import type { Access } from '../security/access.js';
import type { ModelRuntime } from './entity-runtime.js';
import { planAggregate, type AggregateOptions } from './aggregate-plan.js';
import { requireAction } from './require-action.js';

export interface AggregatorDeps {
  readonly pool: pg.Pool;
  readonly runtime: ModelRuntime;
  readonly operators: OperatorRegistry;
}

export type AggregateRow = Record<string, string | number | boolean | null>;

export interface AggregateResult {
  readonly data: AggregateRow[];
  readonly meta: { groupBy: readonly string[]; measures: readonly string[]; truncated: boolean };
}

export class RecordAggregator {
  constructor(private readonly deps: () => AggregatorDeps) {}

  async aggregate(entityName: string, access: Access, options: AggregateOptions): Promise<AggregateResult> {
    const { pool, runtime, operators } = this.deps();
    const rt = runtime.entity(entityName);
    requireAction(access, entityName, 'read');
    const plan = planAggregate(runtime, operators, rt, access, options);
    const res = await pool.query(statement(plan.text, plan.params));
    const rows = res.rows as AggregateRow[];
    const truncated = rows.length > plan.limit;
    if (truncated) rows.length = plan.limit;
    // count(*) is a bigint (exact text from pg); a count of rows always fits a JS number.
    for (const row of rows) for (const key of plan.countKeys) row[key] = Number(row[key]);
    return { data: rows, meta: { groupBy: plan.groupKeys, measures: plan.measureKeys, truncated } };
  }
}
