// The state one write carries through the pipeline's steps.
import type pg from 'pg';
import type { Transaction } from '../db/transaction.js';
import type { Logger } from '../shared/logger.js';
import type { HookRegistry } from '../plugins/hook-registry.js';
import type { PluginRecords } from '../plugins/plugin-api.js';
import type { Actor } from '../security/actor.js';
import type { Access } from '../security/access.js';
import type { EntityRuntime, ModelRuntime } from './entity-runtime.js';
import type { ApiRecord } from './record-codec.js';

export type WriteOp = 'create' | 'update' | 'delete';

export interface WriteServices {
  readonly pool: pg.Pool;
  readonly runtime: ModelRuntime;
  readonly hooks: HookRegistry;
  readonly log: Logger;
  /** Called after a committed write to users, roles or org units, whose changes alter access. */
  readonly onSecurityChange?: () => void;
  /** Called after a committed write that left outbox jobs, so this process relays them at once rather than at its next poll. */
  readonly onOutbox?: () => void;
  /** Submits records to approval flows (workflow/), for transitions that start one. */
  readonly approvals?: FlowStarter;
  /** Runs plugin actions, for transitions that run one. */
  readonly actions?: TransitionActionRunner;
  /** Pipeline writes inside `ctx`'s transaction as its caller, for before hooks (plugin-records.ts, handed in by engine.ts). */
  readonly hookRecords?: (ctx: WriteContext) => PluginRecords;
}

/** What the write pipeline needs of plugin actions, which run with the API's plugin context (api/). */
export interface TransitionActionRunner {
  /** Runs the entity's action `name` on the written record inside the write's transaction, as its caller. */
  run(ctx: WriteContext, name: string): Promise<void>;
}

/** What the write pipeline needs of approval flows, which sit above data/. */
export interface FlowStarter {
  /** Submits the written record to `flow` inside the write's transaction; throws (EngineError) when it cannot. */
  start(ctx: WriteContext, flow: string): Promise<void>;
}

export interface WriteContext {
  readonly op: WriteOp;
  readonly rt: EntityRuntime;
  readonly actor: Actor;
  readonly access: Access;
  readonly tx: Transaction;
  readonly services: WriteServices;
  readonly requestId: string;
  /** The write's file values were stored by trusted code (see WriteRequest.filesVouched). */
  readonly filesVouched: boolean;
  /** Where this record sits in the request body, for error pointers ('' or '/data/3'). */
  readonly pointerPrefix: string;
  /** One record of a bulk create: several records share the transaction. */
  readonly batch?: boolean;
  id: string;
  /** Values being written: the whole record on create, the patch on update, empty on delete. */
  changes: ApiRecord;
  expectedVersion?: number;
  /** The stored record before the write (update, delete). */
  before?: ApiRecord;
  /** The stored record after the write. */
  after?: ApiRecord;
  /** The create's INSERT computed the row's derived values (and locked the parents they read). */
  derivedOnInsert?: boolean;
  /** Fields whose values the transaction's last statements give (numbers): read from the row, set in `after` at commit. */
  readonly drawnAtCommit: Array<{ readonly field: string; readonly column: string }>;
  /** Approval flows the transitions taken start, by name (startFlows submits the record to them). */
  flowsToStart?: string[];
  /** Plugin actions the transitions taken run, by name (runTransitionActions runs them). */
  actionsToRun?: string[];
  /** Work to do once the transaction has committed (cache invalidation, waking the outbox relay). */
  readonly afterCommit: Array<() => Promise<void>>;
}

export type WriteStep = (ctx: WriteContext) => Promise<void>;
