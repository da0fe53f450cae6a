// What a plugin sees. Plugins under plugins/<name>/ import these types and nothing else from the engine.
import type Router from '@koa/router';
import type { FieldKind, JsonSchema } from '../metadata/field-kinds.js';
import type { Model } from '../metadata/model.js';
import type { OperatorDef } from '../rules/operator-registry.js';
import type { Logger } from '../shared/logger.js';
import type { Actor } from '../security/actor.js';

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
  /**
   * Also run on this schedule: each occurrence once, however many processes run jobs, a missed one caught up by the
   * next minutes' ticks (as the Model's scheduled work); the payload is then `{ scheduledFor: ISO instant }`.
   */
  readonly schedule?: { readonly cron: string; readonly timeZone?: string };
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
  /** Extra HTTP routes, mounted under /api/plugins/<plugin name>/. */
  routes(router: Router): void;
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

/** Refuses a change from a before hook or an action: the client gets a 422 naming the field. */
export class PluginRejection extends Error {
  constructor(
    readonly detail: string,
    readonly pointer = '',
    readonly code = 'plugin.rejected',
  ) {
    super(detail);
    this.name = 'PluginRejection';
  }
}
