// The only module that reads process.env; everything else receives a frozen Config.
import { resolve } from 'node:path';

export interface Config {
  readonly port: number;
  readonly host: string;
  /** PostgreSQL URL; undefined selects the embedded database. */
  readonly databaseUrl?: string;
  /** Redis URL; when set, jobs run on Bull queues shared by every engine process, else on an in-process queue. */
  readonly redisUrl?: string;
  /** Prefix of this installation's Redis keys, so that several installations can share one Redis. */
  readonly redisPrefix: string;
  /**
   * Whether this process runs job handlers. `false` makes an HTTP-only process in the scaled topology, where
   * `tessera worker` processes run the jobs (needs REDIS_URL: without Redis nothing else could run them).
   */
  readonly runJobs: boolean;
  /** How jobs from the outbox are retried: attempts in all, and the first wait of an exponential backoff. */
  readonly jobAttempts: number;
  readonly jobBackoffMs: number;
  /**
   * Bull's lock on a running job: a worker that dies mid-job stops renewing it, and after this long another
   * worker takes the job again (a stalled job).
   */
  readonly jobLockMs: number;
  /** Where the embedded database keeps its files. */
  readonly dataDir: string;
  /** Pack folders to install, in the order given (requires decide the real order). */
  readonly packDirs: readonly string[];
  readonly pluginsDir: string;
  readonly logLevel: string;
  /** Largest accepted request body, in bytes. */
  readonly bodyLimitBytes: number;
  /** Largest spreadsheet an import accepts, in bytes. */
  readonly importLimitBytes: number;
  readonly dbPoolSize: number;
  /** Session token lifetime. */
  readonly tokenTtlSeconds: number;
  /** Signing secret for session tokens; when unset one is generated and kept in the database. */
  readonly jwtSecret?: string;
  /** Password of the admin seeded on first start; generated and printed once when unset. */
  readonly adminPassword?: string;
  /** Failed logins allowed per user per 15 minutes, and login attempts per address per minute. */
  readonly loginFailuresPerUser: number;
  readonly loginAttemptsPerAddress: number;
  /** SMTP server mail channels send through (TESSERA_SMTP_URL); unset, mail deliveries fail visibly. */
  readonly smtpUrl?: string;
  /** Sender of notification mail (TESSERA_MAIL_FROM). */
  readonly mailFrom: string;
  /**
   * Whether `tessera serve` seeds the small demo data of every installed pack that has some, when none of the
   * pack's entities has a record yet (a newcomer's first start). Only the serve command reads it.
   */
  readonly demoData: boolean;
  /** Whether the engine serves analytics through Cube (TESSERA_BI; Cube itself starts on first use). */
  readonly bi: boolean;
  /**
   * Where `tessera serve` opens Cube's playground for administrators and analysts: development mode only (NODE_ENV is
   * not production), on TESSERA_PLAYGROUND_PORT, by default the port after PORT. Undefined in production.
   */
  readonly playgroundPort?: number;
}

export type Env = Readonly<Record<string, string | undefined>>;

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error(`${name} must be true or false, got '${raw}'`);
}

function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number, got '${raw}'`);
  return n;
}

/** Default pack list: every folder under metadata/packs/ (the loader orders them by `requires`). */
export const DEFAULT_PACKS_DIR = 'metadata/packs';

export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const packs = env.TESSERA_PACKS
    ? env.TESSERA_PACKS.split(',')
        .map((p) => resolve(cwd, p.trim()))
        .filter(Boolean)
    : [resolve(cwd, DEFAULT_PACKS_DIR)];
  const redisUrl = env.REDIS_URL || undefined;
  const runJobs = flag(env, 'TESSERA_RUN_JOBS', true);
  if (!runJobs && redisUrl === undefined) {
    throw new Error('TESSERA_RUN_JOBS=false needs REDIS_URL: without Redis, jobs run only in the process that queued them');
  }
  const port = positiveInt(env, 'PORT', 3000);
  return Object.freeze({
    port,
    playgroundPort: env.NODE_ENV === 'production' ? undefined : positiveInt(env, 'TESSERA_PLAYGROUND_PORT', port + 1),
    host: env.HOST || '0.0.0.0',
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl,
    redisPrefix: env.TESSERA_REDIS_PREFIX || 'tessera',
    runJobs,
    jobAttempts: positiveInt(env, 'TESSERA_JOB_ATTEMPTS', 5),
    jobBackoffMs: positiveInt(env, 'TESSERA_JOB_BACKOFF_MS', 1000),
    jobLockMs: positiveInt(env, 'TESSERA_JOB_LOCK_MS', 30_000),
    dataDir: resolve(cwd, env.TESSERA_DATA_DIR || 'data'),
    packDirs: Object.freeze(packs),
    pluginsDir: resolve(cwd, env.TESSERA_PLUGINS_DIR || 'plugins'),
    logLevel: env.LOG_LEVEL || 'info',
    bodyLimitBytes: positiveInt(env, 'TESSERA_BODY_LIMIT', 1024 * 1024),
    importLimitBytes: positiveInt(env, 'TESSERA_IMPORT_LIMIT', 20 * 1024 * 1024),
    dbPoolSize: positiveInt(env, 'TESSERA_DB_POOL', 10),
    tokenTtlSeconds: positiveInt(env, 'TESSERA_TOKEN_TTL', 8 * 3600),
    jwtSecret: env.TESSERA_JWT_SECRET || undefined,
    adminPassword: env.TESSERA_ADMIN_PASSWORD || undefined,
    loginFailuresPerUser: positiveInt(env, 'TESSERA_LOGIN_FAILURES_PER_USER', 5),
    loginAttemptsPerAddress: positiveInt(env, 'TESSERA_LOGIN_ATTEMPTS_PER_ADDRESS', 30),
    smtpUrl: env.TESSERA_SMTP_URL || undefined,
    mailFrom: env.TESSERA_MAIL_FROM || 'tessera@localhost',
    demoData: flag(env, 'TESSERA_DEMO_DATA', true),
    bi: flag(env, 'TESSERA_BI', true),
  });
}
