// Cube 0.33 (server-core + api-gateway) inside the engine's process, as STACK-NOTES.md "Cube 0.33.65 embedded" says:
// memory cache and queue, no refresh timer, no dev server, JS models generated per viewer (bi/cube-viewers.ts), its own
// pre-aggregation schema, an API secret of its own. The only module that imports Cube's packages: lazy-cube.ts loads it
// when BI is first used, so engines and tests that never query Cube do not pay its start-up.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import type pg from 'pg';
import serverCore from '@cubejs-backend/server-core';
import apiGateway from '@cubejs-backend/api-gateway';
import postgresDriver from '@cubejs-backend/postgres-driver';
import type { Logger } from '../shared/logger.js';
import { EngineError } from '../shared/engine-error.js';
import type { CubeModel } from './build-cube-files.js';
import { checkQueryMembers, type CubeQuery } from './check-query-members.js';

export interface CubeServerOptions {
  readonly databaseUrl: string;
  /** The engine's pool: the viewers' rollup schemas are made with it. */
  readonly pool: pg.Pool;
  /** Signs nothing a user sees: Cube's own tokens never leave the process (users hold Cube tokens of ours). */
  readonly apiSecret: string;
  readonly basePath: string;
  /** The viewer key (Cube app id) of a valid Cube token, undefined for anything else. */
  authenticate(token: string): Promise<string | undefined>;
  model(key: string): CubeModel;
  readonly log: Logger;
}

export interface CubeResult {
  readonly data: Record<string, unknown>[];
  /** Cube's titles and types of the members answered, in the viewer's locale. */
  readonly annotation: Record<string, Record<string, { title?: string; shortTitle?: string; type?: string }>>;
  /** The rollup tables the answer was read from (none: from the records). */
  readonly usedPreAggregations?: Record<string, unknown>;
}

export interface CubeServer {
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Runs a query as the viewer of `key` (their model, their query rewrite), in the process. */
  load(key: string, query: Record<string, unknown>, requestId: string): Promise<CubeResult>;
  /** Builds every rollup of the viewer of `key` anew (a new table each, read by the queries that follow); resolves when built. */
  buildRollups(key: string, requestId: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Cube's rollup tables live in schemas of their own, one per viewer (user and grants): a viewer's rollups hold only
 * their rows (their scope is in every cube's SQL), and Cube's orphan clean-up drops every table of a schema that the
 * model it compiles does not know — in a shared schema, one viewer's build dropped another's tables.
 */
export const PRE_AGGREGATIONS_SCHEMA_PREFIX = 'tessera_cube_';

export function preAggregationsSchema(viewerKey: string): string {
  // The key is `<model version>:<user>:<grants>:<locale>`: the schema follows the user and grants, not the version
  // (a new version's rollups replace the old ones there) nor the locale (titles are not stored).
  const [, user = '', basis = ''] = viewerKey.split(':');
  return PRE_AGGREGATIONS_SCHEMA_PREFIX + createHash('sha256').update(`${user}:${basis}`).digest('hex').slice(0, 16);
}

type RequestContextOf<F> = F extends (request: { context: infer C }) => unknown ? C : never;

type DriverFactoryResult = ReturnType<NonNullable<serverCore.CreateOptions['driverFactory']>>;

interface SecurityContext {
  readonly key: string;
}

function keyOf(context: { securityContext?: unknown }): string {
  const key = (context.securityContext as Partial<SecurityContext> | undefined)?.key;
  if (typeof key !== 'string') throw new apiGateway.CubejsHandlerError(403, 'Forbidden', 'no Tessera security context');
  return key;
}

/** Cube's server core with its API gateway reachable, to run report queries in the process. */
class EmbeddedCube extends serverCore.CubejsServerCore {
  gateway(): ReturnType<serverCore.CubejsServerCore['apiGateway']> {
    return this.apiGateway();
  }

  /** Cube's refresh scheduler: what its `/pre-aggregations/jobs` route and refresh worker build rollups with. */
  refresher(): ReturnType<serverCore.CubejsServerCore['getRefreshScheduler']> {
    return this.getRefreshScheduler();
  }
}

function isContinueWait(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { error?: unknown }).error === 'Continue wait';
}

/**
 * A rollup table is named by its content, its structure and the second its build began: a build Cube's query path
 * began in the background in the same second as ours (data changed since the last build) takes the name first.
 */
function isNameTaken(err: unknown): boolean {
  const text = err instanceof Error ? err.message : String((err as { error?: unknown } | null)?.error ?? err);
  return /relation "[^"]+" already exists/.test(text);
}

/**
 * Cube's shutdown releases only the drivers of data sources it marked as seen, and postgres-driver 0.35's release()
 * does not wait for its pool: end each driver's pool here and wait, so that nothing of Cube's stays connected once the
 * engine has closed (a database dropped next meets no session of ours).
 */
async function endPool(driver: postgresDriver.PostgresDriver): Promise<void> {
  const pool = (driver as unknown as { pool?: { ending?: boolean; end(): Promise<void> } }).pool;
  if (pool && !pool.ending) await pool.end();
}

function withoutStack(body: unknown): unknown {
  if (!body || typeof body !== 'object' || !('stack' in body)) return body;
  const { stack: _stack, ...rest } = body as Record<string, unknown>;
  return rest;
}

/** PostgreSQL's codes for a schema created by someone else meanwhile (a race on pg_namespace, or plainly there). */
const SCHEMA_EXISTS = new Set(['23505', '42P06']);

export async function startCubeServer(o: CubeServerOptions): Promise<CubeServer> {
  const url = new URL(o.databaseUrl);
  const drivers: postgresDriver.PostgresDriver[] = [];
  // Cube creates a viewer's rollup schema (CREATE SCHEMA IF NOT EXISTS) on its first build: two builds at once — the
  // rollup job and a dashboard's first query, say — both tried, and one query failed (a duplicate key on
  // pg_namespace). Each viewer's schema is made here first, before any of their queries or builds reach Cube; two of
  // ours at once meet the same race, and the loser finds the schema there.
  const schemasMade = new Set<string>();
  const ensureSchema = async (key: string): Promise<void> => {
    const schema = preAggregationsSchema(key);
    if (schemasMade.has(schema) || o.model(key).rollups.length === 0) return;
    try {
      await o.pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    } catch (err) {
      if (!SCHEMA_EXISTS.has(String((err as { code?: unknown }).code))) throw err;
    }
    schemasMade.add(schema);
  };
  const core = new EmbeddedCube({
    dbType: 'postgres',
    // postgres-driver 0.35 (the registry has no 0.33) declares its own copy of base-driver's class: the same shape at
    // runtime, a different private member to TypeScript.
    driverFactory: () => {
      const driver = new postgresDriver.PostgresDriver({
        host: url.hostname,
        port: Number(url.port || 5432),
        user: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
        database: url.pathname.slice(1),
        maxPoolSize: 4,
      });
      drivers.push(driver);
      return driver as unknown as DriverFactoryResult;
    },
    devServer: false,
    telemetry: false,
    cacheAndQueueDriver: 'memory',
    scheduledRefreshTimer: false,
    allowNodeRequire: false,
    apiSecret: o.apiSecret,
    basePath: o.basePath,
    preAggregationsSchema: (context) => preAggregationsSchema(keyOf(context)),
    orchestratorOptions: { preAggregationsOptions: { externalRefresh: false } },
    maxCompilerCacheKeepAlive: 10 * 60 * 1000,
    compilerCacheSize: 200,
    // The key holds the Model version, the user, their grants and locale: a publish or a grant change compiles anew.
    contextToAppId: (context) => `tessera:${keyOf(context)}`,
    schemaVersion: (context) => keyOf(context),
    repositoryFactory: (context) => ({
      localPath: () => '/tessera-generated-model',
      dataSchemaFiles: async () => [...o.model(keyOf(context)).files],
    }),
    checkAuth: async (req: { securityContext?: unknown }, authorization?: string) => {
      const token = authorization?.replace(/^Bearer\s+/i, '');
      const key = token ? await o.authenticate(token) : undefined;
      if (!key) throw new apiGateway.CubejsHandlerError(401, 'Unauthorized', 'send a Cube token from POST /api/bi/token');
      await ensureSchema(key);
      req.securityContext = { key } satisfies SecurityContext;
    },
    queryRewrite: async (query, context) => {
      const unknown = checkQueryMembers(query as CubeQuery, o.model(keyOf(context)).members);
      if (unknown) throw new apiGateway.CubejsHandlerError(400, 'Bad Request', `'${unknown}' is not a member you may query`);
      return query;
    },
    // Cube logs raw bearer tokens on authentication failures: log its events without their parameters' tokens.
    logger: (msg, params) => {
      const { authInfo: _a, securityContext: _s, token: _t, ...rest } = params;
      if (/error/i.test(msg)) o.log.warn({ cube: rest }, `cube: ${msg}`);
      else o.log.debug({ cube: rest }, `cube: ${msg}`);
    },
  });
  const app = express();
  app.disable('x-powered-by');
  // Cube answers every error with its stack (file paths of this machine): clients get the message only.
  app.use((_req, res, next) => {
    const json = res.json.bind(res);
    res.json = (body: unknown) => json(withoutStack(body));
    next();
  });
  await core.initApp(app);
  const gateway = core.gateway();
  const load = async (key: string, query: Record<string, unknown>, requestId: string): Promise<CubeResult> => {
    await ensureSchema(key);
    for (;;) {
      const answer = await new Promise<{ message: Record<string, unknown>; status: number }>((resolve, reject) => {
        gateway
          .load({
            query,
            // Cube reports the rollups it read from only to its playground's own callers: our in-process call is one.
            context: {
              securityContext: { key } satisfies SecurityContext,
              requestId,
              signedWithPlaygroundAuthSecret: true,
            } as RequestContextOf<typeof gateway.load>,
            res: (message, opts) => resolve({ message: message as Record<string, unknown>, status: opts?.status ?? 200 }),
          })
          .catch(reject);
      });
      if (answer.message.error === 'Continue wait') continue;
      if (answer.status >= 400 || answer.message.error !== undefined) {
        // The query was planned from checked metadata and the caller's members were checked: a failure is ours, and
        // its message may hold SQL or database text that no client should read.
        o.log.error({ requestId, status: answer.status, error: answer.message.error, query }, 'cube: a report query failed');
        throw new EngineError('report.query_failed', 502, 'the report could not be computed; the engine log has the cause');
      }

      return answer.message as unknown as CubeResult;
    }
  };
  const buildRollups = async (key: string, requestId: string): Promise<void> => {
    const ids = o.model(key).rollups;
    if (ids.length === 0) return;
    await ensureSchema(key);
    const securityContext: SecurityContext = { key };
    // authInfo is the older name of securityContext that Cube's background contexts still carry.
    const context = { securityContext, authInfo: securityContext, requestId };
    // One at a time: each build reads the reported tables whole, and the viewer's reports wait for none of them.
    for (const id of ids) {
      // Cube gives up waiting after a few seconds ('Continue wait') while the build goes on in its queue; asking
      // again joins that build (the queue keys it by its SQL) rather than starting another. A name taken by a build
      // of the same second is asked again a second later, under the next second's name.
      for (let taken = 0; ;) {
        try {
          await core.refresher().buildPreAggregations(context, {
            timezones: ['UTC'],
            preAggregations: [{ id }],
            forceBuildPreAggregations: true,
            throwErrors: true,
          });
          break;
        } catch (err) {
          if (isContinueWait(err)) continue;
          if (!isNameTaken(err) || ++taken > 3) throw err;
          await new Promise((r) => setTimeout(r, 1_000));
        }
      }
    }
  };
  return {
    handle: (req, res) => app(req, res),
    load,
    buildRollups,
    close: async () => {
      await core.shutdown();
      await Promise.all(drivers.map(endPool));
    },
  };
}
