// What a plugin sees. Plugins under plugins/<name>/ import these types and nothing else from the engine.
import type Router from '@koa/router';
import type { FieldKind, JsonSchema } from '../metadata/field-kinds.js';
import type { Model } from '../metadata/model.js';
import type { OperatorDef } from '../rules/operator-registry.js';
import type { Logger } from '../shared/logger.js';
import type { Actor } from '../security/actor.js';
import type { BlobStore } from '../storage/blob-store.js';

// Plugins that issue their own links (signing, ...) make and keep tokens as the engine's links do.
export { hashLinkToken, isLinkTokenShaped, newLinkToken } from '../security/link-tokens.js';

export type RecordEventName =
  | 'record.beforeCreate'
  | 'record.afterCreate'
  | 'record.beforeUpdate'
  | 'record.afterUpdate'
  | 'record.beforeDelete'
  | 'record.afterDelete';

export type PluginRecord = Record<string, unknown>;

// Plugins see who is acting through their hook and action contexts.
export type { Actor };

/** SQL access for plugins: always inside the current transaction, always with bound parameters. */
export interface PluginDb {
  query<R extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

export interface PluginContext {
  readonly db: PluginDb;
  readonly model: Model;
  readonly actor: Actor;
  readonly log: Logger;
}

export interface RecordEvent extends PluginContext {
  readonly event: RecordEventName;
  readonly entity: string;
  /** For before-create/update: the values being written; a before hook may change them. */
  readonly changes: PluginRecord;
  /** The record as it was (update, delete). */
  readonly before?: PluginRecord;
  /** The record as written (after hooks). */
  readonly after?: PluginRecord;
  /**
   * After hooks only: they run after commit, at least once (a hook that throws is retried with backoff), so a
   * hook with effects outside its own idempotent SQL keys them by this — the same on every attempt.
   */
  readonly deliveryKey?: string;
  /**
   * Before hooks only: writes through the write pipeline inside this write's transaction, as its caller (access,
   * validation, audit and hooks apply as to any write), for records a plugin keeps beside the one being written.
   */
  readonly records?: PluginRecords;
}

export type RecordHook = (event: RecordEvent) => void | Promise<void>;

export interface HookOptions {
  /** Only for these entities (all when absent). */
  readonly entities?: readonly string[];
}

/**
 * Writes through the engine's write pipeline inside an action's transaction, as the caller: access, validation, rules,
 * numbering, audit and after hooks apply as to any write, and the whole action commits or fails as one. A refused
 * write throws (the action fails with its problem, pointers under `/<entity>`). Numbers drawn at commit are not in
 * the returned record yet.
 */
export interface PluginRecords {
  create(entity: string, values: PluginRecord): Promise<PluginRecord & { id: string }>;
  /**
   * Creates many records of one entity as `create` would one after the other (each checked, audited and indexed),
   * with their inserts sent together and derived values brought up to date once for all of them. Error pointers
   * are `/<entity>/<index>/...`.
   */
  createMany(entity: string, values: readonly PluginRecord[]): Promise<Array<PluginRecord & { id: string }>>;
  update(entity: string, id: string, patch: PluginRecord): Promise<PluginRecord & { id: string }>;
  /** Deletes as the DELETE route does (soft or hard per the entity, its delete rules and hooks applied). */
  delete(entity: string, id: string): Promise<void>;
}

export interface ActionDef {
  readonly entity: string;
  readonly name: string;
  readonly label?: Record<string, string>;
  /** JSON Schema of the action's input body. */
  readonly input: JsonSchema;
  /**
   * A scheduled run may put up to this many records in one transaction; if that transaction fails, each of its
   * records runs again in a transaction of its own, so one bad record fails alone. Only for actions whose runs on
   * different records do not read what the others write. Absent: one transaction per record.
   */
  readonly batchSize?: number;
  /**
   * The action on a batch of records at once (set-based reads, batched writes), as `run` would do on each in turn:
   * returns each record's output by id. Each record is locked, checked and audited as for `run`. Absent: a batch
   * runs `run` on each record in turn.
   */
  runBatch?(
    args: PluginContext & {
      readonly targets: ReadonlyArray<{ readonly id: string; readonly record: PluginRecord }>;
      readonly input: PluginRecord;
      readonly records: PluginRecords;
    },
  ): Promise<ReadonlyMap<string, unknown>>;
  run(
    args: PluginContext & {
      readonly id: string;
      readonly record: PluginRecord;
      readonly input: PluginRecord;
      readonly records: PluginRecords;
    },
  ): Promise<unknown>;
}

/** SQL and pipeline writes inside one transaction a job opened. */
export interface JobTransaction {
  readonly db: PluginDb;
  readonly records: PluginRecords;
}

/**
 * One transaction a job writes many records in, set-based (a billing run, a period close): the statements commit
 * together or not at all. Such writes bypass the record pipeline, so the job draws numbers in blocks and brings
 * derived fields up to date itself, as a seeder does.
 */
export interface BulkWork {
  readonly db: SeedDb;
  /** `count` numbers of a numbered field (literals and date parts only), drawn from its counter in this transaction. */
  drawNumbers(entity: string, field: string, count: number): Promise<DrawnNumbers>;
  /** Brings an entity's computed and rollup fields, and those of the entities reading them, up to date. */
  recompute(entity: string): Promise<number>;
}

export interface JobDef {
  /** `area:action`. */
  readonly name: string;
  run(
    args: PluginContext & {
      readonly payload: unknown;
      /**
       * Runs `fn` in one transaction whose writes go through the write pipeline as the system (audited as the jobs'
       * actor, with validation, rules, numbering and after hooks), all or nothing; `db` outside it autocommits.
       */
      transaction<T>(fn: (tx: JobTransaction) => Promise<T>): Promise<T>;
      /** Runs `work` in one set-based transaction of its own (see BulkWork). */
      bulk<T>(work: (tx: BulkWork) => Promise<T>): Promise<T>;
    },
  ): Promise<void>;
}

/** Text fields of one entity whose values are blob keys (see PluginHost.blobKeys). */
export interface BlobKeysDef {
  readonly entity: string;
  readonly fields: readonly string[];
}

/** A notification as an external channel sends it: rendered in the recipient's locale. */
export interface ChannelMessage {
  readonly id: string;
  readonly kind: string;
  readonly title: string;
  readonly body: string;
  readonly entity: string | null;
  readonly recordId: string | null;
  readonly createdAt: string;
}

export interface ChannelRecipient {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly email: string | null;
  readonly locale: string | null;
}

/**
 * A way to reach users beyond the in-app inbox (which is always on). Each delivery is a job of its own, retried
 * with backoff; `deliver` throws to fail an attempt, or returns `{ skipped }` when this recipient cannot be reached
 * this way (no address): the delivery is then marked skipped with that reason, not retried.
 */
export interface ChannelDef {
  /** Names the channel in delivery states, e.g. `email`. */
  readonly name: string;
  deliver(args: {
    readonly message: ChannelMessage;
    readonly recipient: ChannelRecipient;
    readonly log: Logger;
    readonly signal: AbortSignal;
  }): Promise<{ readonly skipped: string } | undefined>;
}

/** Settings the engine's config gives plugins (plugins never read the environment). */
export interface PluginSettings {
  /** SMTP server for mail channels, e.g. smtp://user:pass@host:587 (TESSERA_SMTP_URL). */
  readonly smtpUrl?: string;
  /** Sender address of mail (TESSERA_MAIL_FROM). */
  readonly mailFrom: string;
  /** The address people reach this installation at (TESSERA_PUBLIC_URL), without a trailing slash: for links in mail. */
  readonly publicUrl: string;
  /** The Chromium binary plugins print pages with (TESSERA_CHROMIUM); it may be absent on a machine. */
  readonly chromiumPath: string;
  /** The engine's data folder: where a plugin keeps files of its own that must outlive a restart. */
  readonly dataDir: string;
  /**
   * The instance's signing certificate, a PKCS#12 file and its passphrase (TESSERA_SIGNING_P12,
   * TESSERA_SIGNING_P12_PASSWORD); when unset a signing plugin generates a self-signed one under dataDir.
   */
  readonly signingP12?: { readonly path: string; readonly passphrase: string };
}

/**
 * Database work for a plugin's routes, which run outside an action or a job. Bound when the engine starts: a
 * call during set-up fails.
 */
export interface PluginWork {
  /** Autocommit SQL with bound parameters. */
  query<R extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /**
   * One transaction as the system (audited as `plugin <name>`): SQL and writes through the pipeline, with
   * validation, rules and transitions as always. For what the plugin itself decides, e.g. on a public link's token.
   */
  transaction<T>(fn: (tx: JobTransaction) => Promise<T>): Promise<T>;
  /**
   * The record as the signed-in caller of an authenticated plugin route may read it (pass the route's `ctx.state`):
   * 401 without a session, 403 without read access, 404 outside their scope.
   */
  readAs(state: unknown, entity: string, id: string): Promise<PluginRecord>;
}

/** How much demo data a seeder writes: a first start's worth, or a benchmark's. */
export type SeedSize = 'small' | 'large';
export const SEED_SIZES: readonly SeedSize[] = ['small', 'large'];

/** SQL inside the one transaction a seed runs in, always with bound parameters. */
export interface SeedDb {
  query<R extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Rows a statement changed (INSERT ... SELECT, UPDATE), without sending them back. */
  execute(sql: string, params?: readonly unknown[]): Promise<number>;
}

/** Numbers drawn at once for a numbered field: the i-th record (1-based) gets `head + lpad(first + i - 1, width) + tail`. */
export interface DrawnNumbers {
  readonly head: string;
  readonly tail: string;
  readonly first: string;
  readonly width: number;
  /** Where the rule reserves numbers: the i-th record's sequence number is the i-th of these (they skip the reserved). */
  readonly sequence?: readonly string[];
}

export interface SeedContext {
  readonly size: SeedSize;
  readonly model: Model;
  readonly db: SeedDb;
  readonly log: Logger;
  /** A pseudo-random number in [0, 1) from a fixed seed: the same sequence on every run. */
  random(): number;
  /** Runs one step and reports it (label, rows, seconds) as progress. */
  step(label: string, run: () => Promise<number>): Promise<number>;
  /**
   * Takes `count` numbers of a numbered field (a pattern of literals and date parts) from its counter, so the
   * next record created through the API gets the one after them.
   */
  drawNumbers(entity: string, field: string, count: number): Promise<DrawnNumbers>;
  /** Sets users' passwords (they can sign in with them at once). */
  setPasswords(passwords: ReadonlyArray<{ readonly userId: string; readonly password: string }>): Promise<void>;
  /** Brings an entity's computed, rollup and score fields, and those of the entities reading them, up to date. */
  recompute(entity: string): Promise<number>;
}

/** A user the demo data signs in as, shown to whoever started it. */
export interface SeedLogin {
  readonly username: string;
  readonly displayName: string;
  readonly password: string;
  /** What they do, in a few words (their roles). */
  readonly role: string;
}

export interface SeedOutcome {
  /** Rows written per entity. */
  readonly counts: Readonly<Record<string, number>>;
  readonly logins: readonly SeedLogin[];
}

/** Demo data for a pack: `tessera seed <pack> --size small|large` runs it, once per database. */
export interface SeederDef {
  readonly pack: string;
  readonly sizes: readonly SeedSize[];
  run(ctx: SeedContext): Promise<SeedOutcome>;
}

export interface PluginHost {
  readonly pluginName: string;
  readonly log: Logger;
  before(event: RecordEventName, hook: RecordHook, options?: HookOptions): void;
  after(event: RecordEventName, hook: RecordHook, options?: HookOptions): void;
  action(def: ActionDef): void;
  operator(def: OperatorDef): void;
  fieldKind(kind: FieldKind): void;
  job(def: JobDef): void;
  /** A notification channel (email, chat, SMS). */
  channel(def: ChannelDef): void;
  readonly settings: PluginSettings;
  /** The installation's file storage (content-addressed by SHA-256). */
  readonly blobs: BlobStore;
  /**
   * Says which text fields of an entity hold the SHA-256 keys of blobs this plugin stored (`blobs.put`), so blob
   * garbage collection keeps them. File fields need no word: the engine knows them. A blob no field or declared
   * field names is deleted once it is older than the grace period.
   */
  blobKeys(def: BlobKeysDef): void;
  /** Extra HTTP routes, mounted under /api/plugins/<plugin name>/, for signed-in callers. */
  routes(router: Router): void;
  /**
   * Routes anyone may call, mounted under /api/public/<plugin name>/ before authentication (JSON bodies parsed):
   * for links whose unguessable token is the key. They act through `work`.
   */
  publicRoutes(router: Router): void;
  /** Database work for the plugin's routes (see PluginWork). */
  readonly work: PluginWork;
  /** Releases what the plugin holds (a browser, a worker thread) when the engine closes. */
  onClose(release: () => Promise<void>): void;
  /** Demo data for a pack (one seeder per pack). */
  seeder(def: SeederDef): void;
}

export interface TesseraPlugin {
  readonly name: string;
  readonly version: string;
  /** Other plugins that must be set up first. */
  readonly requires?: readonly string[];
  setup(host: PluginHost): void | Promise<void>;
}

/**
 * Refuses a change from a before hook, an action or a plugin route: the client gets a 422 naming the field, or the
 * status given when the refusal is not about the values (404 a link that does not exist, 409 a conflict, 410 an
 * expired link, 423 a record someone else has checked out, 429 too many attempts, 503 a missing dependency of the
 * installation).
 */
export class PluginRejection extends Error {
  readonly status: number;
  constructor(
    readonly detail: string,
    readonly pointer = '',
    readonly code = 'plugin.rejected',
    status = 422,
  ) {
    super(detail);
    this.name = 'PluginRejection';
    // Client errors, or 503 for what the installation lacks: a plugin cannot make a refusal look like a fault.
    this.status = Number.isInteger(status) && ((status >= 400 && status < 500) || status === 503) ? status : 422;
  }
}
