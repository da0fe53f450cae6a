// The `tessera` command: validate, plan, apply and serve packs. Errors print readably and exit non-zero.
import { Command } from 'commander';
import { loadConfig, type Config } from '../config/config.js';
import { openDatabase, type Database } from '../db/database.js';
import { loadModel } from '../metadata/load-model.js';
import { formatProblems, MetadataError } from '../metadata/metadata-problem.js';
import type { Model } from '../metadata/model.js';
import { applySchema, previewSchema } from '../schema/apply-schema.js';
import { formatPlan } from '../schema/format-plan.js';
import { planHash } from '../schema/plan-hash.js';
import type { AssessedPlan } from '../schema/plan.js';
import { isEngineError } from '../shared/engine-error.js';
import { createEngine, type Engine } from '../engine.js';
import { loadRegistries } from '../plugins/load-plugins.js';
import type { PluginRegistries } from '../plugins/plugin-registries.js';
import { checkIndexConditions } from '../schema/check-index-conditions.js';
import { checkScheduledActions } from '../plugins/check-scheduled-actions.js';
import { checkTransitionActions } from '../plugins/check-transition-actions.js';
import { checkPackSchedules } from '../plugins/check-pack-schedules.js';
import { recordRuleProblems } from '../record-rules/compile-record-rules.js';
import { checkAssignmentConditions } from '../rules/check-assignment-conditions.js';
import { compileApprovalFlows } from '../workflow/compile-approval-flows.js';
import { compilePublicForms } from '../workflow/compile-public-forms.js';
import { checkAnalytics } from '../bi/check-analytics.js';
import { checkDashboardWidgets } from '../bi/check-dashboard-widgets.js';
import { kindOperators } from '../rules/kind-operators.js';
import type { KindsAndOperators } from '../rules/operator-registry.js';
import { createLogger } from '../shared/logger.js';
import { resolvePackDirs } from './resolve-pack-dirs.js';
import { randomUUID } from 'node:crypto';
import { publishedModelsNewestFirst } from '../schema/schema-history.js';
import { ensureAssignmentTables } from '../data/assignment-tables.js';
import { returnStaleToPool } from '../data/assignment-pool.js';
import { buildModelRuntime } from '../data/entity-runtime.js';
import { recomputeAll } from '../data/recompute-all.js';
import { seedPack } from '../data/seed-pack.js';
import { SEARCH_REINDEX_JOB } from '../search/search-index.js';
import { hasRollups, ROLLUP_REFRESH_JOB } from '../bi/rollup-job.js';
import { ensureEngineTables } from '../security/engine-tables.js';
import { SEED_SIZES, type SeedSize } from '../plugins/plugin-api.js';
import { progressLine, seedReport } from './seed-report.js';
import { ensureUiBuilt } from './ensure-ui-build.js';
import { collectBlobsOnce, collectionReport } from './collect-blobs-command.js';

const config = loadConfig();
const err = (line: string) => process.stderr.write(line + '\n');
const out = (line: string) => process.stdout.write(line + '\n');

interface PackOptions {
  only?: boolean;
}

/** The packs' measures, segments, reports and dashboard widgets checked as a served Model checks them. */
function analyticsProblems(model: Model, rules: KindsAndOperators) {
  const allowed = kindOperators(rules);
  const deps = { model, kinds: rules.kinds, operators: rules.operators, operatorsFor: (kind: string) => allowed.get(kind) ?? [] };
  return [...checkAnalytics(deps), ...checkDashboardWidgets(deps)];
}

/** The packs' Model and the registry set it was checked with (plugins the packs require included). */
async function model(dirs: string[], opts: PackOptions): Promise<{ model: Model; registries: PluginRegistries }> {
  const packDirs = resolvePackDirs(dirs, config.packDirs, opts.only ?? false);
  const { registries } = await loadRegistries(config.pluginsDir, packDirs, createLogger(config.logLevel));
  const m = loadModel(packDirs, { kinds: registries.kinds });
  const problems = [
    ...checkIndexConditions(m, registries),
    ...checkAssignmentConditions(m, registries),
    ...checkTransitionActions(m, registries.actions),
    ...checkScheduledActions(m, registries.actions),
    ...checkPackSchedules(m, registries.jobs),
    ...recordRuleProblems(m, registries),
    ...compileApprovalFlows(m, registries).problems,
    ...compilePublicForms(m, registries).problems,
    ...analyticsProblems(m, registries),
  ];
  if (problems.length > 0) throw new MetadataError(problems);
  err(
    `Loaded ${m.packs.length} pack(s) (${m.packs.map((p) => `${p.name}@${p.version}`).join(', ')}), ${m.entities.length} entities; model ${m.hash.slice(0, 12)}`,
  );
  return { model: m, registries };
}

async function withDatabase<T>(cfg: Config, fn: (db: Database) => Promise<T>): Promise<T> {
  err(cfg.databaseUrl ? 'Connecting to PostgreSQL...' : `Opening the embedded database in ${cfg.dataDir}...`);
  const db = await openDatabase({ url: cfg.databaseUrl, dataDir: cfg.dataDir, poolSize: 4, log: createLogger(cfg.logLevel) });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

function fail(e: unknown): never {
  if (e instanceof MetadataError) {
    err(`Invalid metadata: ${e.problems.length} problem(s)\n`);
    err(formatProblems(e.problems));
  } else if (isEngineError(e)) {
    const plan = e.extra.plan as AssessedPlan | undefined;
    if (plan) err(formatPlan(plan) + '\n');
    err(`Error [${e.code}]: ${e.detail}`);
  } else {
    err(`Error: ${(e as Error)?.stack ?? String(e)}`);
  }
  process.exit(1);
}

const program = new Command('tessera').description('Tessera: metadata packs -> PostgreSQL tables, REST API and more').showHelpAfterError();

program
  .command('validate')
  .description('check pack folders against the meta-schema and each other')
  .argument('[dirs...]', 'pack folders (default: the installed packs)')
  .option('--only', 'do not add the installed packs')
  .action(async (dirs: string[], opts: PackOptions) => {
    try {
      await model(dirs, opts);
      out('Valid.');
    } catch (e) {
      fail(e);
    }
  });

program
  .command('plan')
  .description('show the migration plan from the database to the packs, with the rows risky steps touch')
  .argument('[dirs...]', 'pack folders (default: the installed packs)')
  .option('--only', 'do not add the installed packs')
  .option('--sql', 'print the SQL of every step')
  .option('--allow-destructive', 'show which steps would run with --allow-destructive')
  .action(async (dirs: string[], opts: PackOptions & { sql?: boolean; allowDestructive?: boolean }) => {
    try {
      const { model: m, registries } = await model(dirs, opts);
      const plan = await withDatabase(config, (db) => previewSchema(db.knex, m, registries, opts.allowDestructive ?? false));
      out(formatPlan(plan, { sql: opts.sql ?? false }));
      const hash = planHash(plan);
      out(`Plan hash: ${hash} (apply exactly this plan with: tessera apply --plan-hash ${hash})`);
    } catch (e) {
      fail(e);
    }
  });

program
  .command('apply')
  .description('apply the packs to the database in one transaction')
  .argument('[dirs...]', 'pack folders (default: the installed packs)')
  .option('--only', 'do not add the installed packs')
  .option('--allow-destructive', 'allow steps that drop or narrow data')
  .option('--allow-older-packs', 'apply packs older than (or missing from) the published model')
  .option('--plan-hash <hash>', 'apply only if the plan is still the one `tessera plan` showed with this hash')
  .action(async (dirs: string[], opts: PackOptions & { allowDestructive?: boolean; allowOlderPacks?: boolean; planHash?: string }) => {
    try {
      const { model: m, registries } = await model(dirs, opts);
      const result = await withDatabase(config, (db) =>
        applySchema(db.knex, m, registries, {
          allowDestructive: opts.allowDestructive ?? false,
          allowOlderPacks: opts.allowOlderPacks ?? false,
          ...(opts.planHash ? { expectedPlanHash: opts.planHash } : {}),
          appliedBy: 'tessera apply',
          onStep: (i, total, summary) => err(`  [${i + 1}/${total}] ${summary}`),
        }),
      );
      out(
        result.changed
          ? `Applied model version ${result.version} (${result.plan.steps.length} step(s)).`
          : `Nothing to do: model version ${result.version} is already applied.`,
      );
    } catch (e) {
      fail(e);
    }
  });

program
  .command('pool-return')
  .description("return an entity's owned records without activity for its pool.returnAfterDays to the public pool")
  .argument('<entity>', 'entity name')
  .action(async (entity: string) => {
    try {
      const returned = await withDatabase(config, async (db) => {
        // The published Model is what the engines serve; the packs on this disk may be ahead of it.
        const newest = await publishedModelsNewestFirst(db.pool).next();
        if (newest.done) throw new Error('nothing is published on this database: run tessera apply first');
        const def = newest.value.model.entitiesByName[entity];
        if (!def) throw new Error(`the published model has no entity '${entity}'`);
        await ensureAssignmentTables(db.knex);
        return returnStaleToPool(db.pool, def, { actorId: null, actorName: 'tessera pool-return', requestId: randomUUID() });
      });
      out(`Returned ${returned} ${entity} record(s) to the pool.`);
    } catch (e) {
      fail(e);
    }
  });

program
  .command('rescore')
  .alias('recompute')
  .description("recompute an entity's computed, rollup and score fields for every record (after a rule changed)")
  .argument('<entity>', 'entity name')
  .action(async (entity: string) => {
    try {
      const packDirs = resolvePackDirs([], config.packDirs, false);
      const { registries } = await loadRegistries(config.pluginsDir, packDirs, createLogger(config.logLevel));
      const result = await withDatabase(config, async (db) => {
        // The published Model is what the engines serve; the packs on this disk may be ahead of it.
        const newest = await publishedModelsNewestFirst(db.pool).next();
        if (newest.done) throw new Error('nothing is published on this database: run tessera apply first');
        const runtime = buildModelRuntime(newest.value.model, registries.kinds, registries.operators);
        const started = Date.now();
        const done = await recomputeAll(db.pool, runtime, entity, {
          onBatch: (p) => err(`  ${p.records} record(s), ${p.changed} changed`),
        });
        return { ...done, seconds: (Date.now() - started) / 1000 };
      });
      out(`Recomputed ${result.records} ${entity} record(s) in ${result.seconds.toFixed(1)} s; ${result.changed} changed.`);
    } catch (e) {
      fail(e);
    }
  });

program
  .command('blobs')
  .description('stored files (attachments, documents, uploads)')
  .command('collect')
  .description('delete stored files nothing references any more (after the grace period), as the daily job does')
  .action(async () => {
    try {
      const packDirs = resolvePackDirs([], config.packDirs, false);
      const report = await withDatabase(config, (db) => collectBlobsOnce(config, db, packDirs, createLogger(config.logLevel)));
      out(collectionReport(report));
    } catch (e) {
      fail(e);
    }
  });

program
  .command('seed')
  .description("write a pack's demo data (deterministic, set-based) into the database, once")
  .argument('<pack>', 'pack name, e.g. crm')
  .option('--size <size>', `how much: ${SEED_SIZES.join(' or ')}`, 'small')
  .action(async (pack: string, opts: { size: string }) => {
    try {
      const size = SEED_SIZES.find((s) => s === opts.size);
      if (size === undefined) throw new Error(`--size must be ${SEED_SIZES.join(' or ')}, not '${opts.size}'`);
      const packDirs = resolvePackDirs([], config.packDirs, false);
      const log = createLogger(config.logLevel);
      const { registries } = await loadRegistries(config.pluginsDir, packDirs, log);
      const result = await withDatabase(config, async (db) => {
        // The published Model is what the engines serve; the packs on this disk may be ahead of it.
        const newest = await publishedModelsNewestFirst(db.pool).next();
        if (newest.done) throw new Error('nothing is published on this database: run tessera apply first');
        await ensureEngineTables(db.knex);
        const runtime = buildModelRuntime(newest.value.model, registries.kinds, registries.operators);
        err(`Seeding the ${size} demo data of ${pack}...`);
        return seedPack(db.pool, runtime, registries.seeders, { pack, size, log, onProgress: (p) => err(progressLine(pack, p)) });
      });
      out(seedReport(pack, result));
    } catch (e) {
      fail(e);
    }
  });

/**
 * A first start: the small demo data of every installed pack that has some and no records yet. A seed that fails
 * leaves nothing behind (one transaction) and is reported; the engine serves without it.
 */
async function seedDemoData(engine: Engine): Promise<void> {
  const model = engine.models.current().model;
  const runtime = buildModelRuntime(model, engine.registries.kinds, engine.registries.operators);
  // model.packs is in requirement order (load-model's orderPacks), so a pack's demo data comes after that of the
  // packs it requires, which it hangs on; a pack whose required packs have demo data not written is left out.
  const hasDemoData = new Set<string>();
  let seeded = false;
  for (const pack of model.packs) {
    if (!engine.registries.seeders.has(pack.name)) continue;
    const missing = Object.keys(pack.requires).filter((p) => engine.registries.seeders.has(p) && !hasDemoData.has(p));
    if (missing.length > 0) {
      engine.log.debug({ pack: pack.name, missing }, 'no demo data: the packs it requires have none');
      continue;
    }
    const size: SeedSize = 'small';
    try {
      const result = await seedPack(engine.db.pool, runtime, engine.registries.seeders, {
        pack: pack.name,
        size,
        log: engine.log,
        onlyIntoEmpty: true,
        onProgress: (p) => engine.log.debug(p, 'demo data step'),
      });
      if (result.status !== 'skipped') hasDemoData.add(pack.name);
      if (result.status === 'seeded') {
        out(`\n${seedReport(pack.name, result)}\n(TESSERA_DEMO_DATA=false starts without demo data.)\n`);
        seeded = true;
      }
    } catch (e) {
      engine.log.error({ err: e, pack: pack.name }, `the demo data of ${pack.name} could not be written; try tessera seed ${pack.name}`);
    }
  }
  if (!seeded) return;
  // Seeds write users and role grants around the pipeline: a session cached while they ran holds the old grants.
  engine.forgetSessions();
  // Once for every pack seeded: seeds write around the pipeline, so their search rows are made by the reindex job
  // (now rather than on schedule), and the reports' rollups, built over the empty database at start, again so the
  // first report is warm.
  await engine.queue.add(SEARCH_REINDEX_JOB, {}, { jobKey: `search:seeded:${Date.now()}` });
  if (engine.config.bi && hasRollups(engine.models.current().model))
    await engine.queue.add(ROLLUP_REFRESH_JOB, {}, { jobKey: `bi:seeded:${Date.now()}` });
}

/** Closes the engine on SIGINT or SIGTERM (jobs under way finish first), then exits. */
function closeOnSignal(engine: Engine): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    engine.log.info({ signal }, 'shutting down');
    engine.close().then(
      () => process.exit(0),
      (e: unknown) => {
        engine.log.error({ err: e }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

program
  .command('serve')
  .description('apply the configured packs and serve the API (and run the jobs, unless TESSERA_RUN_JOBS=false)')
  .action(async () => {
    try {
      const started = Date.now();
      // npm runs no prestart under ignore-scripts: the UI is built here when its sources changed.
      const ui = await ensureUiBuilt((message) => err(message));
      if (ui.built) err(`Runtime UI built in ${(ui.ms / 1000).toFixed(1)} s.`);
      const engine = await createEngine(config);
      if (config.demoData) await seedDemoData(engine);
      const { url } = await engine.listen();
      engine.log.info({ url, ms: Date.now() - started, jobs: config.runJobs }, `Tessera is serving on ${url}`);
      if (config.bi && config.playgroundPort !== undefined) {
        const playground = await engine.listenPlayground();
        engine.log.info({ url: playground.url }, `Cube's playground (administrators and analysts) is on ${playground.url}`);
      }
      closeOnSignal(engine);
    } catch (e) {
      fail(e);
    }
  });

program
  .command('worker')
  .description('run the jobs (Bull on REDIS_URL) and relay the outbox, without serving HTTP: the scaled topology')
  .action(async () => {
    try {
      if (config.redisUrl === undefined)
        throw new Error('tessera worker needs REDIS_URL: workers share Bull queues on Redis with the serving processes');
      const engine = await createEngine({ ...config, runJobs: true });
      engine.log.info({ pid: process.pid }, 'Tessera worker is running jobs');
      closeOnSignal(engine);
    } catch (e) {
      fail(e);
    }
  });

await program.parseAsync(process.argv);
