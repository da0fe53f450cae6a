// Runs the write pipeline for create, update, delete and bulk create, each in one transaction.
import { v7 as uuidv7 } from 'uuid';
import type { Actor } from '../security/actor.js';
import type { Access } from '../security/access.js';
import type { ApiRecord } from './record-codec.js';
import { withTransaction, type Transaction } from '../db/transaction.js';
import { EngineError } from '../shared/engine-error.js';
import { stripHidden } from './visible-fields.js';
import type { WriteContext, WriteOp, WriteServices } from './write-context.js';
import { DEFAULT_PIPELINES, type WritePipelines } from './write-pipeline.js';
import { RESTORE_STEPS } from './restore-record.js';
import { persist } from './write-steps.js';
import { applyDerivedMany, recomputeDerived, ruledWrite } from './record-rule-steps.js';

const DEADLOCK_ATTEMPTS = 3;

const isDeadlock = (err: unknown) => (err as { code?: unknown } | null)?.code === '40P01';

export interface WriteRequest {
  readonly entity: string;
  readonly actor: Actor;
  readonly access: Access;
  readonly requestId: string;
  /**
   * The file values of this write name blobs trusted code stored (the upload route, a plugin); without it a client
   * cannot set a file field to a value other than the one it holds (file-ref-steps.ts).
   */
  readonly filesVouched?: boolean;
}

/** A transaction of the writer's, for work that writes records through the pipeline as part of its own (approval flows). */
export interface WriteScope {
  readonly tx: Transaction;
  readonly services: WriteServices;
  readonly afterCommit: WriteContext['afterCommit'];
}

export class RecordWriter {
  constructor(
    private readonly services: () => WriteServices,
    private readonly pipelines: WritePipelines = DEFAULT_PIPELINES,
  ) {}

  private async runSteps(ctx: WriteContext, steps = this.pipelines[ctx.op]): Promise<() => ApiRecord> {
    for (const step of steps) await step(ctx);
    // Read once the transaction has committed: values drawn at commit (numbers) are in the record by then.
    return () => stripHidden(ctx.after ?? {}, ctx.rt, ctx.access);
  }

  private context(
    op: WriteOp, req: WriteRequest, tx: Transaction, services: WriteServices,
    id: string, changes: ApiRecord, afterCommit: WriteContext['afterCommit'], pointerPrefix = '', expectedVersion?: number,
  ): WriteContext {
    return {
      op, rt: services.runtime.entity(req.entity), actor: req.actor, access: req.access, tx, services, requestId: req.requestId,
      filesVouched: req.filesVouched === true, pointerPrefix, id, changes, afterCommit, drawnAtCommit: [], ...(expectedVersion !== undefined ? { expectedVersion } : {}),
    };
  }

  /**
   * A write whose transaction PostgreSQL aborted to break a deadlock wrote nothing, so it runs again; one that
   * keeps meeting deadlocks is a 409 to send again, never a 500. (Numbering avoids its own: numbering-steps.ts.)
   */
  private async write<T>(fn: (tx: Transaction, services: WriteServices, afterCommit: WriteContext['afterCommit']) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      const services = this.services();
      const afterCommit: WriteContext['afterCommit'] = [];
      let result: T;
      try {
        result = await withTransaction(services.pool, (tx) => fn(tx, services, afterCommit));
      } catch (err) {
        if (!isDeadlock(err)) throw err;
        if (attempt < DEADLOCK_ATTEMPTS) continue;
        throw new EngineError('record.write_conflict', 409, 'the write kept colliding with concurrent writes; send it again', { cause: err });
      }
      for (const job of afterCommit) await job();
      return result;
    }
  }

  /** Runs `fn` in one transaction (retried on deadlock like any write); the after-commit work of its writes follows. */
  async transaction<T>(fn: (scope: WriteScope) => Promise<T>): Promise<T> {
    return this.write((tx, services, afterCommit) => fn({ tx, services, afterCommit }));
  }

  /** An approval flow's effects on `id`, inside `scope`'s transaction, through the `flowUpdate` pipeline. */
  async flowUpdate(scope: WriteScope, req: WriteRequest, id: string, patch: ApiRecord): Promise<ApiRecord> {
    const ctx = this.context('update', req, scope.tx, scope.services, id, { ...patch }, scope.afterCommit);
    const finish = await this.runSteps(ctx, this.pipelines.flowUpdate);
    return finish();
  }

  /**
   * A create inside `scope`'s transaction (a plugin action's), through the create pipeline. The record is returned as
   * written so far: values drawn at commit (numbers) are not in it yet. Error pointers start with `pointerPrefix`.
   */
  async createIn(scope: WriteScope, req: WriteRequest, input: ApiRecord, pointerPrefix = ''): Promise<ApiRecord> {
    const ctx = this.context('create', req, scope.tx, scope.services, uuidv7(), { ...input }, scope.afterCommit, pointerPrefix);
    return (await this.runSteps(ctx))();
  }

  /**
   * Many creates of one entity inside `scope`'s transaction, each through the create pipeline as createIn runs it,
   * except that the inserts travel together and derived values are brought up to date once for all of them
   * (applyDerivedMany). A pipeline without those steps runs each create in turn. Pointers: `pointerPrefix/<index>`.
   */
  async createManyIn(scope: WriteScope, req: WriteRequest, inputs: readonly ApiRecord[], pointerPrefix = ''): Promise<ApiRecord[]> {
    const steps = this.pipelines.create;
    const persistAt = steps.indexOf(persist);
    const derivedAt = steps.indexOf(recomputeDerived);
    // A batch, as a bulk create is: numbers of several scopes are drawn taking turns (numbering-steps.ts).
    const contexts = inputs.map((input, i) => ({
      ...this.context('create', req, scope.tx, scope.services, uuidv7(), { ...input }, scope.afterCommit, `${pointerPrefix}/${i}`),
      batch: true,
    }));
    const linked = contexts[0]?.rt.entity.fields.some((f) => f.junction) ?? false;
    if (persistAt < 0 || derivedAt !== persistAt + 1 || linked) {
      const out: ApiRecord[] = [];
      for (const ctx of contexts) out.push((await this.runSteps(ctx))());
      return out;
    }
    for (const ctx of contexts) for (const step of steps.slice(0, persistAt)) await step(ctx);
    // Started together, the inserts go out in order without waiting for each other's answers; the first to fail
    // is the first to settle, and it fails the whole write.
    await Promise.all(contexts.map((ctx) => persist(ctx)));
    const afters = await applyDerivedMany(contexts.map(ruledWrite));
    contexts.forEach((ctx, i) => {
      const after = afters[i];
      if (after) ctx.after = after;
    });
    const out: ApiRecord[] = [];
    for (const ctx of contexts) out.push((await this.runSteps(ctx, steps.slice(derivedAt + 1)))());
    return out;
  }

  /** An update inside `scope`'s transaction (a plugin action's), through the update pipeline; see createIn. */
  async updateIn(scope: WriteScope, req: WriteRequest, id: string, patch: ApiRecord, pointerPrefix = ''): Promise<ApiRecord> {
    const steps = Object.keys(patch).length === 0 ? this.pipelines.emptyUpdate : this.pipelines.update;
    const ctx = this.context('update', req, scope.tx, scope.services, id, { ...patch }, scope.afterCommit, pointerPrefix);
    return (await this.runSteps(ctx, steps))();
  }

  /** A delete inside `scope`'s transaction (a plugin action's), through the delete pipeline; see createIn. */
  async deleteIn(scope: WriteScope, req: WriteRequest, id: string, pointerPrefix = ''): Promise<ApiRecord> {
    const ctx = this.context('delete', req, scope.tx, scope.services, id, {}, scope.afterCommit, pointerPrefix);
    return (await this.runSteps(ctx))();
  }

  async create(req: WriteRequest, input: ApiRecord): Promise<ApiRecord> {
    const finish = await this.write((tx, services, after) =>
      this.runSteps(this.context('create', req, tx, services, uuidv7(), { ...input }, after)));
    return finish();
  }

  /** All or nothing: the first invalid record fails the whole batch, with pointers into `data`. */
  async bulkCreate(req: WriteRequest, inputs: readonly ApiRecord[]): Promise<ApiRecord[]> {
    const finished = await this.write(async (tx, services, after) => {
      const out: Array<() => ApiRecord> = [];
      for (const [i, input] of inputs.entries()) {
        const ctx = this.context('create', req, tx, services, uuidv7(), { ...input }, after, `/data/${i}`);
        out.push(await this.runSteps({ ...ctx, batch: true }));
      }
      return out;
    });
    return finished.map((finish) => finish());
  }

  async update(req: WriteRequest, id: string, patch: ApiRecord, expectedVersion: number): Promise<ApiRecord> {
    const steps = Object.keys(patch).length === 0 ? this.pipelines.emptyUpdate : this.pipelines.update;
    const finish = await this.write((tx, services, after) =>
      this.runSteps(this.context('update', req, tx, services, id, { ...patch }, after, '', expectedVersion), steps));
    return finish();
  }

  /** Brings a soft-deleted record back (see restore-record.ts). */
  async restore(req: WriteRequest, id: string, expectedVersion?: number): Promise<ApiRecord> {
    const finish = await this.write((tx, services, after) =>
      this.runSteps(this.context('update', req, tx, services, id, {}, after, '', expectedVersion), RESTORE_STEPS));
    return finish();
  }

  async delete(req: WriteRequest, id: string, expectedVersion?: number): Promise<ApiRecord> {
    const finish = await this.write((tx, services, after) =>
      this.runSteps(this.context('delete', req, tx, services, id, {}, after, '', expectedVersion)));
    return finish();
  }
}
