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
  /** Where the local file storage keeps blobs (TESSERA_FILES_DIR, by default <data>/files). */
  readonly filesDir: string;
  /** Largest file an upload may store, in bytes (TESSERA_FILE_LIMIT). */
  readonly fileLimitBytes: number;
  /**
   * Content types an upload may have (TESSERA_FILE_TYPES, comma-separated), judged on the type sniffed from the
   * bytes; by default documents, images, archives and plain text.
   */
  readonly fileTypes: readonly string[];
  /** Where blobs live (TESSERA_STORAGE=local|s3): the folder above, or an S3-compatible bucket. */
  readonly storage: StorageConfig;
  /**
   * How old an unreferenced blob must be before garbage collection sets it aside, and how long it stays aside before
   * it is purged (TESSERA_BLOB_GRACE_SECONDS, by default a day): longer than any upload takes to be written to its record.
   */
  readonly blobGraceSeconds: number;
  /** Pack folders to install, in the order given (requires decide the real order). */
  readonly packDirs: readonly string[];
  readonly pluginsDir: string;
  readonly logLevel: string;
  /** Largest accepted request body, in bytes. */
  readonly bodyLimitBytes: number;
  /** Largest spreadsheet an import accepts, in bytes. */
  readonly importLimitBytes: number;
  /** The most rows a list's `total=capped` counts (the home page's record counts). */
  readonly countCapRows: number;
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
  /** The address people reach this installation at, for links sent by mail (TESSERA_PUBLIC_URL). */
  readonly publicUrl: string;
  /** The Chromium binary that prints PDFs (TESSERA_CHROMIUM); plugins answer 503 while it is missing. */
  readonly chromiumPath: string;
  /**
   * The instance's signing certificate as a PKCS#12 file (TESSERA_SIGNING_P12) and its passphrase
   * (TESSERA_SIGNING_P12_PASSWORD). Unset, a self-signed one is generated under the data folder and kept there;
   * the scaled topology sets it, so every process signs with the same certificate.
   */
  readonly signingP12?: { readonly path: string; readonly passphrase: string };
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

/** The local driver needs nothing beyond filesDir; S3 needs its bucket and, off AWS, an endpoint. */
export type StorageConfig =
  | { readonly driver: 'local' }
  | {
      readonly driver: 's3';
      readonly endpoint?: string;
      readonly bucket: string;
      readonly region: string;
      readonly accessKeyId?: string;
      readonly secretAccessKey?: string;
      /** Path-style URLs (http://host/bucket/key): MinIO, s3rver and most self-hosted stores want them. */
      readonly forcePathStyle: boolean;
    };

/** What uploads accept unless TESSERA_FILE_TYPES says otherwise. */
export const DEFAULT_FILE_TYPES: readonly string[] = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/tiff',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/msword',
  'application/vnd.ms-excel',
  'application/x-cfb',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/zip',
  'text/plain',
  'text/csv',
];

function storageConfig(env: Env): StorageConfig {
  const driver = env.TESSERA_STORAGE || 'local';
  if (driver === 'local') return { driver };
  if (driver !== 's3') throw new Error(`TESSERA_STORAGE must be local or s3, got '${driver}'`);
  const bucket = env.TESSERA_S3_BUCKET;
  if (!bucket) throw new Error('TESSERA_STORAGE=s3 needs TESSERA_S3_BUCKET');
  return Object.freeze({
    driver,
    bucket,
    region: env.TESSERA_S3_REGION || 'us-east-1',
    forcePathStyle: flag(env, 'TESSERA_S3_PATH_STYLE', env.TESSERA_S3_ENDPOINT !== undefined && env.TESSERA_S3_ENDPOINT !== ''),
    ...(env.TESSERA_S3_ENDPOINT ? { endpoint: env.TESSERA_S3_ENDPOINT } : {}),
    ...(env.TESSERA_S3_ACCESS_KEY_ID ? { accessKeyId: env.TESSERA_S3_ACCESS_KEY_ID } : {}),
    ...(env.TESSERA_S3_SECRET_ACCESS_KEY ? { secretAccessKey: env.TESSERA_S3_SECRET_ACCESS_KEY } : {}),
  });
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
  const dataDir = resolve(cwd, env.TESSERA_DATA_DIR || 'data');
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
    dataDir,
    filesDir: env.TESSERA_FILES_DIR ? resolve(cwd, env.TESSERA_FILES_DIR) : resolve(dataDir, 'files'),
    fileLimitBytes: positiveInt(env, 'TESSERA_FILE_LIMIT', 50 * 1024 * 1024),
    fileTypes: Object.freeze(
      env.TESSERA_FILE_TYPES
        ? env.TESSERA_FILE_TYPES.split(',')
            .map((t) => t.trim().toLowerCase())
            .filter(Boolean)
        : DEFAULT_FILE_TYPES,
    ),
    storage: storageConfig(env),
    blobGraceSeconds: positiveInt(env, 'TESSERA_BLOB_GRACE_SECONDS', 24 * 3600),
    packDirs: Object.freeze(packs),
    pluginsDir: resolve(cwd, env.TESSERA_PLUGINS_DIR || 'plugins'),
    logLevel: env.LOG_LEVEL || 'info',
    bodyLimitBytes: positiveInt(env, 'TESSERA_BODY_LIMIT', 1024 * 1024),
    importLimitBytes: positiveInt(env, 'TESSERA_IMPORT_LIMIT', 20 * 1024 * 1024),
    countCapRows: positiveInt(env, 'TESSERA_COUNT_CAP', 2_000),
    dbPoolSize: positiveInt(env, 'TESSERA_DB_POOL', 10),
    tokenTtlSeconds: positiveInt(env, 'TESSERA_TOKEN_TTL', 8 * 3600),
    jwtSecret: env.TESSERA_JWT_SECRET || undefined,
    adminPassword: env.TESSERA_ADMIN_PASSWORD || undefined,
    loginFailuresPerUser: positiveInt(env, 'TESSERA_LOGIN_FAILURES_PER_USER', 5),
    loginAttemptsPerAddress: positiveInt(env, 'TESSERA_LOGIN_ATTEMPTS_PER_ADDRESS', 30),
    smtpUrl: env.TESSERA_SMTP_URL || undefined,
    mailFrom: env.TESSERA_MAIL_FROM || 'tessera@localhost',
    publicUrl: (env.TESSERA_PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, ''),
    chromiumPath: env.TESSERA_CHROMIUM || '/usr/bin/chromium',
    ...(env.TESSERA_SIGNING_P12
      ? { signingP12: { path: resolve(cwd, env.TESSERA_SIGNING_P12), passphrase: env.TESSERA_SIGNING_P12_PASSWORD ?? '' } }
      : {}),
    demoData: flag(env, 'TESSERA_DEMO_DATA', true),
    bi: flag(env, 'TESSERA_BI', true),
  });
}
