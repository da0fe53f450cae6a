// Composition root: plugins -> Model -> schema -> runtime -> HTTP app. Nothing imports this file.
import { createServer, type Server } from 'node:http';
import { answerClientError, MAX_HEADER_BYTES } from './api/client-error.js';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import Router from '@koa/router';
import type { Config } from './config/config.js';
import { openDatabase, type Database } from './db/database.js';
import { loadModel } from './metadata/load-model.js';
import { ModelHolder } from './metadata/model-holder.js';
import type { Model } from './metadata/model.js';
import { applySchema, type ApplyOptions, type ApplyResult } from './schema/apply-schema.js';
import { ModelFollower } from './schema/model-notices.js';
import { startModel } from './schema/start-model.js';
import { RecordReader } from './data/record-reader.js';
import { RecordWriter } from './data/record-writer.js';
import { loadRegistries } from './plugins/load-plugins.js';
import type { PluginRegistries } from './plugins/plugin-registries.js';
import type { ApiState } from './api/api-state.js';
import { engineApp } from './api/engine-app.js';
import { ensurePublicLinkTable } from './workflow/public-links.js';
import { explainRoutes } from './api/explain.routes.js';
import { historyRoutes } from './api/history.routes.js';
import { assignmentRoutes } from './api/assignment.routes.js';
import { ensureAssignmentTables } from './data/assignment-tables.js';
import { ensureApprovalTables } from './workflow/approval-tables.js';
import { ApprovalService } from './workflow/approval-service.js';
import { processApprovalJobs } from './workflow/approval-jobs.js';
import { approvalRoutes } from './api/approval.routes.js';
import { ensureEngineTables } from './security/engine-tables.js';
import { createJobQueue } from './jobs/create-job-queue.js';
import type { JobQueue } from './jobs/job-queue.js';
import { OutboxRelay } from './jobs/outbox-relay.js';
import { processPluginJobs } from './jobs/plugin-jobs.js';
import { processAfterHooks } from './jobs/after-hook-jobs.js';
import { processScheduledWork } from './jobs/scheduled-handlers.js';
import { processScheduledActions } from './jobs/scheduled-actions.js';
import { startScheduleTick } from './jobs/schedule-tick.js';
import { ensureNotificationTables } from './workflow/notification-tables.js';
import { processNotificationDeliveries } from './workflow/deliver-notifications.js';
import type { DeliveryPlan } from './workflow/notify-users.js';
import { ensureSavedViewTable } from './data/saved-views.js';
import { SEARCH_REINDEX_JOB } from './search/search-index.js';
import { processSearchReindex } from './jobs/search-reindex.js';
import { processRollupRefresh } from './jobs/refresh-rollups.js';
import { hasRollups, ROLLUP_REFRESH_JOB } from './bi/rollup-job.js';
import { ReminderScheduler } from './workflow/reminder-scheduler.js';
import { Authenticator } from './security/authenticator.js';
import { announceAdminSeed, seedAdmin } from './security/seed-admin.js';
import { prepareModel, serveModel, ServedModels } from './api/served-model.js';
import { entityRoutes } from './api/entity.routes.js';
import { overviewRoutes } from './api/overview.routes.js';
import { aggregateRoutes } from './api/aggregate.routes.js';
import { RecordAggregator } from './data/record-aggregator.js';
import { CUBE_BASE_PATH } from './api/bi.routes.js';
import { LazyCube } from './bi/lazy-cube.js';
import { playgroundApp } from './api/playground-app.js';
import { CubeViewers } from './bi/cube-viewers.js';
import { cubeViewerKey } from './bi/cube-auth.js';
import { type ReportDeps } from './api/report.routes.js';
import { transitionActions } from './api/transition-actions.js';
import { DynamicRouter } from './api/dynamic-router.js';
import { createLogger, type Logger } from './shared/logger.js';
import { createBlobStore } from './storage/create-blob-store.js';
import { pluginWork } from './data/plugin-work.js';
import { pluginRecords } from './data/plugin-records.js';
import type { CollectableBlobStore } from './storage/blob-store.js';
import { ATTACHMENT_BLOB_HOLDER, ensureAttachmentTable } from './data/attachments.js';
import { ensureShareLinkTables } from './workflow/share-links.js';
import { ensureUploadLinkTables, SUBMISSION_BLOB_HOLDER } from './workflow/upload-links.js';
import { blobHolders } from './storage/blob-holders.js';
import { processBlobCollection, type BlobCollectorDeps } from './jobs/collect-blobs.js';

export interface Engine {
  readonly config: Config;
  readonly db: Database;
  readonly models: ModelHolder;
  readonly registries: PluginRegistries;
  /** The installation's file storage (the driver the config names). */
  readonly blobs: CollectableBlobStore;
  readonly app: Koa<ApiState>;
  readonly log: Logger;
  readonly applied: ApplyResult;
  /** The job queue this engine adds to (and, unless TESSERA_RUN_JOBS=false, runs). */
  readonly queue: JobQueue;
  /** The reminder rules' schedules and scans (tests scan with a clock of their own). */
  readonly reminders: ReminderScheduler;
  /** Applies a new Model to the database and swaps every route to it, without a restart. */
  publish(model: Model, options?: ApplyOptions): Promise<ApplyResult>;
  /** Forgets cached sessions and grants, after users or roles were written around the pipeline (a seed). */
  forgetSessions(): void;
  listen(port?: number, host?: string): Promise<{ server: Server; url: string }>;
  /** Cube's playground for administrators and analysts on a listener of its own (development mode with BI only). */
  listenPlayground(port?: number, host?: string): Promise<{ server: Server; url: string }>;
  close(): Promise<void>;
}

export interface EngineOptions {
  /** Use this database instead of opening one from the config (tests). */
  readonly db?: Database;
  readonly logger?: Logger;
}

export async function createEngine(config: Config, options: EngineOptions = {}): Promise<Engine> {
  const log = options.logger ?? createLogger(config.logLevel);
  const blobs = await createBlobStore(config);
  const { plugins, registries } = await loadRegistries(
    config.pluginsDir,
    config.packDirs,
    log,
    {
      mailFrom: config.mailFrom,
      publicUrl: config.publicUrl,
      chromiumPath: config.chromiumPath,
      dataDir: config.dataDir,
      ...(config.smtpUrl === undefined ? {} : { smtpUrl: config.smtpUrl }),
      ...(config.signingP12 === undefined ? {} : { signingP12: config.signingP12 }),
    },
    blobs,
  );
  const local = loadModel(config.packDirs, { kinds: registries.kinds });
  const db = options.db ?? (await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, poolSize: config.dbPoolSize, log }));
  let start;
  try {
    start = await startModel(local, {
      knex: db.knex,
      pool: db.pool,
      rules: registries,
      log,
      prepare: (model) => prepareModel(model, registries),
    });
  } catch (err) {
    if (!options.db) await db.close();
    throw err;
  }
  const { published, applied } = start;
  const served = new ServedModels(serveModel(start.prepared, published, registries), registries);
  log.info(
    {
      version: applied.version,
      hash: published.model.hash,
      steps: applied.plan.steps.length,
      database: db.kind,
      plugins: plugins.map((p) => p.name),
    },
    applied.changed ? 'model applied' : 'model served',
  );
  await ensureEngineTables(db.knex);
  // Bull on Redis when REDIS_URL is set, else in this process; the relay moves outbox rows to it.
  const queue = createJobQueue(config, log);
  const jobRun = { attempts: config.jobAttempts, backoff: { type: 'exponential', delayMs: config.jobBackoffMs } } as const;
  const relay = new OutboxRelay({
    pool: db.pool,
    queue,
    log,
    run: jobRun,
  });
  await ensureAssignmentTables(db.knex);
  await ensureNotificationTables(db.knex);
  // In-app is the stored row; every plugin channel gets a delivery job per notification (retried as outbox jobs are).
  const deliveryPlan: DeliveryPlan = { channels: [...registries.channels.keys()] };
  await ensureApprovalTables(db.knex);
  await ensurePublicLinkTable(db.knex);
  await ensureSavedViewTable(db.knex);
  await ensureAttachmentTable(db.knex);
  await ensureShareLinkTables(db.knex);
  await ensureUploadLinkTables(db.knex);

  const models = new ModelHolder(published);
  const auth = new Authenticator({
    pool: db.pool,
    log,
    tokenTtlSeconds: config.tokenTtlSeconds,
    jwtSecret: config.jwtSecret,
    loginFailuresPerUser: config.loginFailuresPerUser,
    loginAttemptsPerAddress: config.loginAttemptsPerAddress,
    accessDeps: () => served.current.accessDeps,
  });
  await auth.init();
  announceAdminSeed(await seedAdmin(db.pool, served.current.accessDeps.core, config.adminPassword), log, (text) =>
    process.stdout.write(text),
  );
  const reader = new RecordReader(() => ({
    pool: db.pool,
    runtime: served.current.runtime,
    operators: registries.operators,
    countCap: config.countCapRows,
  }));
  const aggregator = new RecordAggregator(() => ({ pool: db.pool, runtime: served.current.runtime, operators: registries.operators }));
  const writer: RecordWriter = new RecordWriter(() => ({
    pool: db.pool,
    runtime: served.current.runtime,
    hooks: registries.hooks,
    log,
    onSecurityChange: () => auth.invalidate(),
    onOutbox: config.runJobs ? () => relay.wake() : undefined,
    approvals,
    actions: transitionActionRunner,
    hookRecords: (ctx) => pluginRecords(writer, { tx: ctx.tx, services: ctx.services, afterCommit: ctx.afterCommit }, ctx),
  }));
  const transitionActionRunner = transitionActions({
    actions: registries.actions,
    writer: () => writer,
    model: () => served.current.runtime.model,
    log,
  });
  // The writer runs a flow's effects, and a write's transition may start a flow: each is handed the other.
  const approvals: ApprovalService = new ApprovalService(writer, () => ({
    runtime: served.current.runtime,
    flows: served.current.approvals,
    core: served.current.accessDeps.core,
    delivery: deliveryPlan,
  }));
  const approvalDeps = { pool: db.pool, approvals, core: () => served.current.accessDeps.core };
  const pluginNames = new Set(plugins.map((p) => p.name));
  const blobCollection: BlobCollectorDeps = {
    pool: db.pool,
    store: blobs,
    graceSeconds: config.blobGraceSeconds,
    holders: () =>
      blobHolders({
        model: served.current.runtime.model,
        kinds: registries.kinds,
        declared: registries.blobKeys,
        plugins: pluginNames,
        engine: [ATTACHMENT_BLOB_HOLDER, SUBMISSION_BLOB_HOLDER],
      }),
    log,
  };
  const modelRoutes = (): Router<ApiState> => {
    const router = new Router<ApiState>();
    router.use(historyRoutes(served.current.runtime, reader, db.pool).routes());
    router.use(assignmentRoutes(served.current.runtime, { reader, pool: db.pool }).routes());
    router.use(explainRoutes(served.current.runtime, { reader, pool: db.pool }).routes());
    router.use(approvalRoutes(served.current.runtime, served.current.approvals, approvalDeps).routes());
    const imports = { writer, db: db.pool, limitBytes: config.importLimitBytes, runtime: () => served.current.runtime };
    router.use(aggregateRoutes(served.current.runtime, aggregator).routes());
    router.use(overviewRoutes(served.current.runtime, { reader, aggregator }).routes());
    router.use(entityRoutes(served.current.runtime, { reader, writer, imports }).routes());
    return router;
  };
  const entities = new DynamicRouter(modelRoutes());
  const reminders = new ReminderScheduler(queue, { pool: db.pool, current: () => served.current, plan: deliveryPlan, log });
  // Throws before anything changes when this engine cannot serve `next` (see ModelHolder.swap).
  models.onSwap((next) => {
    served.swap(next);
    auth.invalidate();
    entities.replace(modelRoutes());
    // A new version compiles Cube anew: its changed rollups are new tables, built now rather than by a first query.
    if (config.bi && hasRollups(next.model))
      queue
        .add(ROLLUP_REFRESH_JOB, {}, { ...jobRun, jobKey: `bi:model:${next.model.hash}` })
        .catch((err: unknown) => log.warn({ err }, 'the rollups of the new Model version were not queued'));
  });

  // Other engines on this database publish too (the CLI's `tessera apply` among them); follow them.
  const follower = new ModelFollower({ url: db.url, pool: db.pool, models, log });
  await follower.start();
  // Set by close(): long jobs under way (rollups between users, the search catch-up between batches) stop rather than
  // hold the shutdown for minutes; what they leave is done by their next run.
  let closing = false;
  if (config.runJobs) {
    const jobDeps = { pool: db.pool, model: () => served.current.runtime.model, log };
    processPluginJobs(queue, registries.jobs, { ...jobDeps, writer, runtime: () => served.current.runtime });
    processAfterHooks(queue, registries.hooks, jobDeps);
    processScheduledWork(queue, {
      pool: db.pool,
      runtime: () => served.current.runtime,
      version: () => served.current.published.version,
      log,
    });
    processScheduledActions(queue, { pool: db.pool, writer, actions: registries.actions, runtime: () => served.current.runtime, log });
    processSearchReindex(queue, { ...jobDeps, stopping: () => closing });
    processBlobCollection(queue, blobCollection);
    processNotificationDeliveries(queue, registries.channels, { pool: db.pool, log, attempts: config.jobAttempts });
    reminders.processScans();
    processApprovalJobs(queue, approvals, log);
    await startScheduleTick(queue, { model: jobDeps.model, run: jobRun, log });
    // Records written while no engine indexed them (an upgrade that adds search fields, a restore) are found soon.
    await queue.add(SEARCH_REINDEX_JOB, {}, { ...jobRun, jobKey: `search:start:${published.model.hash}:${Date.now()}` });
  }
  // The relay runs where the jobs run: an HTTP-only process (the scaled topology) only writes outbox rows, and
  // its workers relay them.
  if (config.runJobs) relay.start();

  async function publish(next: Model, applyOptions: ApplyOptions = {}): Promise<ApplyResult> {
    // A Model this engine cannot serve is refused before anything is committed or recorded.
    served.prepare(next);
    const result = await applySchema(db.knex, next, registries, { appliedBy: 'tessera publish', ...applyOptions });
    // The follower may already have swapped to this version on hearing the publish notice.
    if (result.changed && models.current().version < result.version) models.swap({ model: next, version: result.version });
    return result;
  }
  const viewers = new CubeViewers(() => ({
    model: served.current.runtime.model,
    kinds: registries.kinds,
    operators: registries.operators,
    operatorsFor: served.current.runtime.operatorsFor,
  }));
  const cubeAuth = { auth, viewers, modelVersion: () => served.current.published.version };
  const cube = config.bi
    ? new LazyCube({
        pool: db.pool,
        databaseUrl: db.url,
        basePath: CUBE_BASE_PATH,
        log,
        authenticate: (secret, token) => cubeViewerKey(cubeAuth, secret, token),
        model: (key) => viewers.get(key),
      })
    : undefined;
  if (config.runJobs) {
    processRollupRefresh(queue, {
      stopping: () => closing,
      pool: db.pool,
      cube,
      viewers,
      model: () => served.current.runtime.model,
      modelVersion: () => served.current.published.version,
      core: () => served.current.accessDeps.core,
      session: (userId) => auth.actingAs(userId),
      log,
    });
    if (cube && hasRollups(published.model))
      await queue.add(ROLLUP_REFRESH_JOB, {}, { ...jobRun, jobKey: `bi:start:${published.model.hash}:${Date.now()}` });
  }
  const reportDeps: ReportDeps | undefined = cube && {
    cube,
    pool: db.pool,
    viewers,
    kinds: registries.kinds,
    model: () => served.current.runtime.model,
    modelVersion: () => served.current.published.version,
  };
  registries.work.bind(pluginWork({ pool: db.pool, writer, reader }));
  const app = engineApp({
    config,
    log,
    db,
    models,
    served,
    registries,
    blobs,
    blobCollection,
    auth,
    reader,
    writer,
    queue,
    approvalDeps,
    cube,
    reportDeps,
    entities,
    publish,
  });

  const servers: Server[] = [];
  const serve = (handler: ReturnType<typeof app.callback>, port: number, host: string) =>
    new Promise<{ server: Server; url: string }>((resolve, reject) => {
      // Long filters travel in the URL: allow 256 KiB of headers so the engine's own limits answer first.
      const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, handler);
      server.on('clientError', answerClientError);
      server.listen(port, host);
      server.once('error', reject);
      server.once('listening', () => {
        servers.push(server);
        const addr = server.address() as AddressInfo;
        resolve({ server, url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${addr.port}` });
      });
    });
  return {
    config,
    db,
    models,
    registries,
    blobs,
    app,
    log,
    applied,
    queue,
    reminders,
    publish,
    forgetSessions: () => auth.invalidate(),
    listen(port = config.port, host = config.host) {
      return serve(app.callback(), port, host);
    },
    listenPlayground(port = config.playgroundPort ?? 0, host = config.host) {
      if (!cube || config.playgroundPort === undefined)
        return Promise.reject(
          new Error('the playground runs in development mode with BI on (NODE_ENV is production, or TESSERA_BI=false)'),
        );
      return serve(playgroundApp({ auth, cube, log }).callback(), port, host);
    },
    async close() {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((r) => {
              s.closeAllConnections();
              s.close(() => r());
            }),
        ),
      );
      closing = true;
      await follower.stop();
      await relay.stop();
      await queue.close();
      // After the queue: a rollup job under way uses Cube until it ends.
      await cube?.close();
      // Jobs that finished while the queue closed are settled; those that never ran are relayed again next start.
      await relay.settleCompleted().catch((err: unknown) => log.warn({ err }, 'outbox: could not settle the last jobs'));
      await Promise.all(
        registries.closers.map((release) => release().catch((err: unknown) => log.warn({ err }, 'a plugin did not close cleanly'))),
      );
      await blobs.close();
      if (!options.db) await db.close();
    },
  };
}
