// The engine's HTTP application: every route in the order requests meet them — public routes, then
// authentication, then the signed-in API, plugin routers, reports and the Model's entity routes last. Called by
// engine.ts (the composition root), which builds the services these routes share.
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import type Koa from 'koa';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import type { RecordReader } from '../data/record-reader.js';
import type { RecordWriter } from '../data/record-writer.js';
import { Attachments } from '../data/attachments.js';
import { SavedViews } from '../data/saved-views.js';
import type { LazyCube } from '../bi/lazy-cube.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { BlobCollectorDeps } from '../jobs/collect-blobs.js';
import { loadModel } from '../metadata/load-model.js';
import type { ModelHolder } from '../metadata/model-holder.js';
import type { Model } from '../metadata/model.js';
import type { PluginRegistries } from '../plugins/plugin-registries.js';
import type { ApplyOptions, ApplyResult } from '../schema/apply-schema.js';
import type { Authenticator } from '../security/authenticator.js';
import type { Logger } from '../shared/logger.js';
import type { BlobStore } from '../storage/blob-store.js';
import { NotificationInbox } from '../workflow/notification-inbox.js';
import { PublicLinks } from '../workflow/public-links.js';
import { ShareLinks } from '../workflow/share-links.js';
import { UploadLinks } from '../workflow/upload-links.js';
import { actionRoutes } from './action.routes.js';
import { adminRoutes } from './admin.routes.js';
import { blobAdminRoutes } from './blob-admin.routes.js';
import type { ApiState } from './api-state.js';
import { myApprovalRoutes, type ApprovalRouteDeps } from './approval.routes.js';
import { authRoutes, loginRoutes } from './auth.routes.js';
import { authenticateMiddleware } from './authenticate-middleware.js';
import { biTokenRoutes, cubeMiddleware } from './bi.routes.js';
import { bodyDepthMiddleware } from './body-depth-middleware.js';
import { createApp, routerMiddleware } from './create-app.js';
import { dashboardsMeta } from './dashboard-meta.js';
import { docsRoutes } from './docs.routes.js';
import type { DynamicRouter } from './dynamic-router.js';
import { fileRoutes } from './file.routes.js';
import { healthRoutes } from './health.routes.js';
import { jobsAdminRoutes } from './jobs-admin.routes.js';
import { metaRoutes } from './meta.routes.js';
import { notificationRoutes } from './notification.routes.js';
import { publicFormRoutes, publicLinkRoutes } from './public-form.routes.js';
import { reportRoutes, reportSummaries, type ReportDeps } from './report.routes.js';
import { rulesAdminRoutes } from './rules-admin.routes.js';
import { savedViewRoutes } from './saved-view.routes.js';
import { searchRoutes } from './search.routes.js';
import type { ServedModels } from './served-model.js';
import { publicShareRoutes, shareLinkRoutes } from './share-link.routes.js';
import { uiMiddleware } from './ui.routes.js';
import { publicUploadRoutes, uploadLinkRoutes } from './upload-link.routes.js';

export interface EngineAppDeps {
  readonly config: Config;
  readonly log: Logger;
  readonly db: Database;
  readonly models: ModelHolder;
  readonly served: ServedModels;
  readonly registries: PluginRegistries;
  readonly blobs: BlobStore;
  /** What blob garbage collection runs with (the admin route runs it now). */
  readonly blobCollection: BlobCollectorDeps;
  readonly auth: Authenticator;
  readonly reader: RecordReader;
  readonly writer: RecordWriter;
  readonly queue: JobQueue;
  readonly approvalDeps: ApprovalRouteDeps;
  readonly cube: LazyCube | undefined;
  readonly reportDeps: ReportDeps | undefined;
  /** The Model's entity routes, replaced on every publish. */
  readonly entities: DynamicRouter;
  publish(next: Model, options?: ApplyOptions): Promise<ApplyResult>;
}

export function engineApp(deps: EngineAppDeps): Koa<ApiState> {
  const { config, db, registries, served, auth, writer, blobs, cube, reportDeps } = deps;
  const pool = db.pool;
  // Routes read the Model served now, not the one at start: a publish swaps it.
  const runtime = () => served.current.runtime;
  const mountPlugins = (routers: PluginRegistries['routers'], base: string) =>
    routers.map(({ plugin, router }) => {
      const mounted = new Router<ApiState>({ prefix: `${base}/${plugin}` });
      mounted.use(router.routes());
      return routerMiddleware(mounted);
    });
  const pluginRouters = mountPlugins(registries.routers, '/api/plugins');
  const publicLinks = new PublicLinks({
    pool,
    writer,
    current: () => served.current,
    callerFor: async (userId, requestId) => ({ ...(await auth.actingAs(userId)), requestId }),
  });
  const attachments = new Attachments(pool);
  const fileLimits = { maxBytes: config.fileLimitBytes, types: config.fileTypes };
  const uploads = {
    pool,
    links: new UploadLinks(pool, attachments),
    blobs,
    limits: fileLimits,
    runtime,
  };
  const shares = {
    pool,
    links: new ShareLinks(pool, runtime),
    blobs,
    runtime,
  };
  return createApp(deps.log, [
    // Public: health, the docs viewer, sign-in and public forms (whose links are their key) come before authentication.
    routerMiddleware(healthRoutes(db, deps.models)),
    routerMiddleware(docsRoutes()),
    ...(cube ? [cubeMiddleware(cube)] : []),
    // Public: the runtime UI's files (anything but /api/*).
    uiMiddleware(),
    bodyParser({ enableTypes: ['json'], jsonLimit: config.bodyLimitBytes, encoding: 'utf-8' }),
    bodyDepthMiddleware(),
    routerMiddleware(loginRoutes({ auth })),
    routerMiddleware(publicFormRoutes(publicLinks, runtime)),
    // Public: link routes whose unguessable token is the key (plugins' signing links, share and upload links).
    ...mountPlugins(registries.publicRouters, '/api/public'),
    routerMiddleware(publicShareRoutes(shares)),
    routerMiddleware(publicUploadRoutes(uploads)),
    authenticateMiddleware(auth),
    routerMiddleware(publicLinkRoutes(publicLinks)),
    routerMiddleware(authRoutes({ auth, pool })),
    routerMiddleware(shareLinkRoutes(shares)),
    routerMiddleware(uploadLinkRoutes(uploads)),
    routerMiddleware(
      fileRoutes({
        pool,
        blobs,
        reader: deps.reader,
        writer,
        attachments,
        limits: fileLimits,
        runtime,
      }),
    ),
    ...(cube ? [routerMiddleware(biTokenRoutes(cube))] : []),
    routerMiddleware(
      adminRoutes({
        knex: db.knex,
        loadModel: () => loadModel(config.packDirs, { kinds: registries.kinds }),
        rules: registries,
        publish: (next, publishOptions) => deps.publish(next, publishOptions),
      }),
    ),
    routerMiddleware(rulesAdminRoutes({ pool, runtime })),
    routerMiddleware(jobsAdminRoutes(deps.queue)),
    routerMiddleware(blobAdminRoutes(deps.blobCollection)),
    routerMiddleware(notificationRoutes({ inbox: new NotificationInbox(pool), pool })),
    routerMiddleware(searchRoutes({ pool, runtime })),
    routerMiddleware(savedViewRoutes({ views: new SavedViews(db.pool), operators: registries.operators, runtime })),
    routerMiddleware(
      metaRoutes({
        current: () => served.current,
        actions: registries.actions,
        ...(reportDeps
          ? {
              reports: (state, locale) => (state.session ? reportSummaries(reportDeps, state.session, locale) : []),
              dashboards: (state, locale) => (state.session ? dashboardsMeta(reportDeps, state.session, locale) : []),
            }
          : {}),
      }),
    ),
    routerMiddleware(
      actionRoutes({
        actions: registries.actions,
        writer,
        pool,
        log: deps.log,
        model: () => runtime().model,
        runtime,
      }),
    ),
    routerMiddleware(myApprovalRoutes({ ...deps.approvalDeps, runtime })),
    ...pluginRouters,
    ...(reportDeps ? [routerMiddleware(reportRoutes(reportDeps))] : []),
    deps.entities.middleware(),
  ]);
}
