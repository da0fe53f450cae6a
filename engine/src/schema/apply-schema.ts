// Brings the database to the Model in ONE transaction: lock, introspect, plan, check risks, run, record.
// Planning inside the lock means two applies at once never act on a stale view: the second waits, then
// sees the first one's result (usually: nothing left to do).
import type { Knex } from 'knex';
import { EngineError } from '../shared/engine-error.js';
import type { Model } from '../metadata/model.js';
import { noticeModelPublished } from './model-notices.js';
import { assessPlan, refusedSteps } from './assess-plan.js';
import { introspectCatalog } from './introspect-catalog.js';
import type { AssessedPlan } from './plan.js';
import type { KindsAndOperators } from '../rules/operator-registry.js';
import { planSchema } from './plan-schema.js';
import { planHash } from './plan-hash.js';
import { ensureHistoryTable, HISTORY_TABLE, latestVersion } from './schema-history.js';
import { olderThanPublished } from './pack-downgrade.js';
import { entitiesWithChangedRules, queueRecomputes, type PublishedEntities } from './derived-changes.js';

export interface ApplyOptions {
  readonly allowDestructive?: boolean;
  /** Apply packs older than (or fewer than) the published ones; refused with schema.older_packs otherwise. */
  readonly allowOlderPacks?: boolean;
  readonly appliedBy?: string;
  /** The hash of the plan that was reviewed (planHash); the apply is refused if the plan is now another. */
  readonly expectedPlanHash?: string;
  readonly onStep?: (index: number, total: number, summary: string) => void;
}

export interface ApplyResult {
  /** False when the database already had this Model version. */
  readonly changed: boolean;
  readonly version: number;
  readonly plan: AssessedPlan;
}

/** Any constant works; it only has to be the same for every Tessera process on this database. */
const APPLY_LOCK_KEY = 7_391_204_511;

/** `rules`: the engine's kinds and operators (plugins included), which partial-index conditions compile with. */
export async function applySchema(knex: Knex, model: Model, rules: KindsAndOperators, options: ApplyOptions = {}): Promise<ApplyResult> {
  return knex.transaction(async (trx) => {
    await trx.raw('SELECT pg_advisory_xact_lock(?)', [APPLY_LOCK_KEY]);
    await ensureHistoryTable(trx);
    const latest = await latestVersion(trx);
    const older = latest && !options.allowOlderPacks ? olderThanPublished(latest.packs, model.packs) : [];
    if (older.length > 0) {
      throw new EngineError(
        'schema.older_packs',
        409,
        `these packs are older than the published model (version ${latest?.version}): ${older.join('; ')}`,
        { extra: { publishedVersion: latest?.version, reasons: older } },
      );
    }
    const catalog = await introspectCatalog(trx);
    const plan = await assessPlan(trx, planSchema(catalog, model, rules), options.allowDestructive ?? false);
    if (options.expectedPlanHash !== undefined && options.expectedPlanHash !== planHash(plan)) {
      throw new EngineError(
        'schema.plan_changed',
        409,
        'the plan to apply is not the plan that was reviewed (the packs or the database changed since); review the new plan and publish it with its hash',
        { extra: { plan, planHash: planHash(plan) } },
      );
    }
    const refused = refusedSteps(plan);
    if (refused.length > 0) {
      const blocked = refused.some((s) => s.refused === 'blocked');
      throw new EngineError(
        blocked ? 'schema.blocked' : 'schema.destructive',
        409,
        blocked
          ? `${refused.length} step(s) cannot be applied to the data as it is: ${refused.map((s) => s.summary).join('; ')}`
          : `${refused.length} destructive step(s) refused; re-run with --allow-destructive to apply them: ${refused.map((s) => `${s.summary} (${s.rows ?? 0} rows)`).join('; ')}`,
        { extra: { plan } },
      );
    }
    if (plan.steps.length === 0 && latest?.hash === model.hash) {
      return { changed: false, version: latest.version, plan };
    }
    for (const [index, step] of plan.steps.entries()) {
      options.onStep?.(index, plan.steps.length, step.summary);
      for (const sql of step.sql) {
        try {
          await trx.raw(sql);
        } catch (err) {
          // knex prefixes the statement to the database's message; the plan already shows the statement.
          const reason = (err as Error).message.split(' - ').pop();
          throw new EngineError(
            'schema.apply_failed',
            409,
            `step ${index + 1} of ${plan.steps.length} (${step.summary}) failed: ${reason}; nothing was changed`,
            { cause: err },
          );
        }
      }
    }
    const version = (latest?.version ?? 0) + 1;
    const previous = latest
      ? ((await trx(HISTORY_TABLE).where({ version: latest.version }).first('model')) as { model: PublishedEntities } | undefined)
      : undefined;
    await queueRecomputes(trx, entitiesWithChangedRules(previous?.model, model), version);
    await trx(HISTORY_TABLE).insert({
      version,
      hash: model.hash,
      applied_by: options.appliedBy ?? 'tessera',
      packs: JSON.stringify(model.packs.map((p) => ({ name: p.name, version: p.version }))),
      plan: JSON.stringify(
        plan.steps.map((s) => ({ op: s.op, summary: s.summary, sql: s.sql, ...(s.rows !== undefined ? { rows: s.rows } : {}) })),
      ),
      model: JSON.stringify(model),
    });
    await noticeModelPublished(trx, version);
    return { changed: true, version, plan };
  });
}

/** Plan without applying (the CLI's `plan`): same steps and counts an apply would see right now. */
export async function previewSchema(knex: Knex, model: Model, rules: KindsAndOperators, allowDestructive = false): Promise<AssessedPlan> {
  const catalog = await introspectCatalog(knex);
  return assessPlan(knex, planSchema(catalog, model, rules), allowDestructive);
}
