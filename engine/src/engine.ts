// Composition root: plugins -> Model -> schema -> runtime -> HTTP app. Nothing imports this file.
import { createServer, type Server } from 'node:http';
import { answerClientError, MAX_HEADER_BYTES } from './api/client-error.js';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import type { Config } from './config/config.js';
import { openDatabase, type Database } from './db/database.js';
import { loadModel } from './metadata/load-model.js';
import { ModelHolder, type PublishedModel } from './metadata/model-holder.js';
import type { Model } from './metadata/model.js';
import { requiredPluginNames } from './metadata/read-packs.js';
import { applySchema, type ApplyOptions, type ApplyResult } from './schema/apply-schema.js';
import { loadNewerModel, ModelFollower } from './schema/model-notices.js';
import { EngineError, isEngineError } from './shared/engine-error.js';
import { buildModelRuntime, type ModelRuntime } from './data/entity-runtime.js';
import { RecordReader } from './data/record-reader.js';
import { RecordWriter } from './data/record-writer.js';
import { loadPluginModules, setUpPlugins } from './plugins/load-plugins.js';
import type { PluginRegistries } from './plugins/plugin-registries.js';
import { createApp, routerMiddleware } from './api/create-app.js';
import type { ApiState } from './api/api-state.js';
import { authenticateMiddleware } from './api/authenticate-middleware.js';
import { bodyDepthMiddleware } from './api/body-depth-middleware.js';
import { authRoutes } from './api/auth.routes.js';
import { adminRoutes } from './api/admin.routes.js';
import { historyRoutes } from './api/history.routes.js';
import { ensureAuditTable } from './security/audit-log.js';
import { ensureSqlAssertions } from './db/sql-assertions.js';
import { ensureSecurityTables } from './security/security-tables.js';
import { Authenticator } from './security/authenticator.js';
import { resolveCoreSchema } from './security/core-schema.js';
import { seedAdmin } from './security/seed-admin.js';
import type { AccessDeps } from './security/build-access.js';
import { healthRoutes } from './api/health.routes.js';
import { metaRoutes } from './api/meta.routes.js';
import { buildOpenApiDocument } from './api/openapi-document.js';
import { entityRoutes } from './api/entity.routes.js';
import { actionRoutes } from './api/action.routes.js';
import { DynamicRouter } from './api/dynamic-router.js';
import { createLogger, type Logger } from './shared/logger.js';

export interface Engine {
  readonly config: Config;
  readonly db: Database;
  readonly models: ModelHolder;
  readonly registries: PluginRegistries;
  readonly app: Koa<ApiState>;
  readonly log: Logger;
  readonly applied: ApplyResult;
  /** Applies a new Model to the database and swaps every route to it, without a restart. */
  publish(model: Model, options?: ApplyOptions): Promise<ApplyResult>;
  listen(port?: number, host?: string): Promise<{ server: Server; url: string }>;
  close(): Promise<void>;
}

export interface EngineOptions {
  /** Use this database instead of opening one from the config (tests). */
  readonly db?: Database;
  readonly logger?: Logger;
}

interface Served {
  published: PublishedModel;
  runtime: ModelRuntime;
  openapi: Record<string, unknown>;
  accessDeps: AccessDeps;
}

export async function createEngine(config: Config, options: EngineOptions = {}): Promise<Engine> {
  const log = options.logger ?? createLogger(config.logLevel);
  const plugins = await loadPluginModules(config.pluginsDir, requiredPluginNames(config.packDirs));
  const registries = await setUpPlugins(plugins, log);
  const local = loadModel(config.packDirs, { kinds: registries.kinds });
  const db = options.db ?? await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, poolSize: config.dbPoolSize, log });
  let applied: ApplyResult;
  let published: PublishedModel;
  // Set when newer packs are published (a rolling upgrade): their Model is served rather than taking the database back.
  let olderPacks: string | undefined;
  try {
    applied = await applySchema(db.knex, local, registries, { appliedBy: 'tessera serve' });
    published = { model: local, version: applied.version };
    log.info({ version: applied.version, hash: local.hash, steps: applied.plan.steps.length, database: db.kind, plugins: plugins.map((p) => p.name) }, 'model applied');
  } catch (err) {
    const newer = isEngineError(err) && err.code === 'schema.older_packs' ? await loadNewerModel(db.pool, 0).catch(() => undefined) : undefined;
    if (!newer) {
      if (!options.db) await db.close();
      throw err;
    }
    olderPacks = (err as EngineError).detail;
    published = newer;
    applied = { changed: false, version: newer.version, plan: { modelHash: newer.model.hash, steps: [] } };
    log.warn({ version: newer.version, hash: newer.model.hash, reason: olderPacks }, 'serving the published model: these packs are older');
  }
  await ensureAuditTable(db.knex);
  await ensureSqlAssertions(db.knex);
  await ensureSecurityTables(db.knex);

  const serve = (next: PublishedModel): Served => {
    const runtime = buildModelRuntime(next.model, registries.kinds, registries.operators);
    const core = resolveCoreSchema(next.model);
    return {
      published: next, runtime, openapi: buildOpenApiDocument(runtime, registries.actions, next.version),
      accessDeps: { model: next.model, core, kinds: registries.kinds, operators: registries.operators, operatorsFor: runtime.operatorsFor },
    };
  };
  let served: Served;
  try {
    served = serve(published);
  } catch (cannotServe) {
    if (!options.db) await db.close();
    if (!olderPacks) throw cannotServe;
    throw new EngineError('schema.older_packs', 409, `${olderPacks}; this engine cannot serve the published model either: ${(cannotServe as Error).message}`);
  }
  const models = new ModelHolder(published);
  const auth = new Authenticator({
    pool: db.pool, log, tokenTtlSeconds: config.tokenTtlSeconds, jwtSecret: config.jwtSecret,
    loginFailuresPerUser: config.loginFailuresPerUser, loginAttemptsPerAddress: config.loginAttemptsPerAddress,
    accessDeps: () => served.accessDeps,
  });
  await auth.init();
  const seed = await seedAdmin(db.pool, served.accessDeps.core, config.adminPassword);
  if (seed.generatedPassword) {
    // Printed once, on the terminal of whoever started the first instance; it is stored only as a hash.
    process.stdout.write(`\nTessera created the administrator account.\n  username: admin\n  password: ${seed.generatedPassword}\nChange it after signing in (PUT /api/auth/password).\n\n`);
  } else if (seed.seeded) {
    log.info('administrator account created with TESSERA_ADMIN_PASSWORD');
  }
  const reader = new RecordReader(() => ({ pool: db.pool, runtime: served.runtime, operators: registries.operators }));
  const writer = new RecordWriter(() => ({ pool: db.pool, runtime: served.runtime, hooks: registries.hooks, log, onSecurityChange: () => auth.invalidate() }));
  const modelRoutes = (): Router<ApiState> => {
    const router = new Router<ApiState>();
    router.use(historyRoutes(served.runtime, reader, db.pool).routes() as unknown as Koa.Middleware<ApiState>);
    router.use(entityRoutes(served.runtime, { reader, writer }).routes() as unknown as Koa.Middleware<ApiState>);
    return router;
  };
  const entities = new DynamicRouter(modelRoutes());
  // Throws before anything changes when this engine cannot serve `next` (see ModelHolder.swap).
  models.onSwap((next) => {
    served = serve(next);
    auth.invalidate();
    entities.replace(modelRoutes());
  });

  // Other engines on this database publish too (the CLI's `tessera apply` among them); follow them.
  const follower = new ModelFollower({ url: db.url, pool: db.pool, models, log });
  await follower.start();

  async function publish(next: Model, applyOptions: ApplyOptions = {}): Promise<ApplyResult> {
    const result = await applySchema(db.knex, next, registries, { appliedBy: 'tessera publish', ...applyOptions });
    // The follower may already have swapped to this version on hearing the publish notice.
    if (result.changed && models.current().version < result.version) models.swap({ model: next, version: result.version });
    return result;
  }
  const pluginRouters = registries.routers.map(({ plugin, router }) => {
    const mounted = new Router<ApiState>({ prefix: `/api/plugins/${plugin}` });
    mounted.use(router.routes() as unknown as Koa.Middleware<ApiState>);
    return routerMiddleware(mounted);
  });
  const app = createApp(log, [
    routerMiddleware(healthRoutes(db, models)),
    bodyParser({ enableTypes: ['json'], jsonLimit: config.bodyLimitBytes, encoding: 'utf-8' }) as unknown as Koa.Middleware<ApiState>,
    bodyDepthMiddleware(),
    authenticateMiddleware(auth),
    routerMiddleware(authRoutes({ auth, pool: db.pool })),
    routerMiddleware(adminRoutes({
      knex: db.knex,
      loadModel: () => loadModel(config.packDirs, { kinds: registries.kinds }),
      rules: registries,
      publish: (next, allowDestructive) => publish(next, { allowDestructive }),
    })),
    routerMiddleware(metaRoutes({ current: () => served, actions: registries.actions })),
    routerMiddleware(actionRoutes({ actions: registries.actions, reader, pool: db.pool, log, model: () => served.runtime.model, runtime: () => served.runtime })),
    ...pluginRouters,
    entities.middleware(),
  ]);

  const servers: Server[] = [];
  return {
    config, db, models, registries, app, log, applied, publish,
    listen(port = config.port, host = config.host) {
      return new Promise((resolve, reject) => {
        // Long filters travel in the URL: allow 256 KiB of headers so the engine's own limits answer first.
        const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, app.callback());
        server.on('clientError', answerClientError);
        server.listen(port, host);
        server.once('error', reject);
        server.once('listening', () => {
          servers.push(server);
          const addr = server.address() as AddressInfo;
          resolve({ server, url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${addr.port}` });
        });
      });
    },
    async close() {
      await Promise.all(servers.map((s) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); })));
      await follower.stop();
      if (!options.db) await db.close();
    },
  };
}
