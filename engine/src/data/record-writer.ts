// Runs the write pipeline for create, update, delete and bulk create, each in one transaction.
import { v7 as uuidv7 } from 'uuid';
import type { Actor } from '../security/actor.js';
import type { Access } from '../security/access.js';
import type { ApiRecord } from './record-codec.js';
import { withTransaction, type Transaction } from '../db/transaction.js';
import { stripHidden } from './visible-fields.js';
import type { WriteContext, WriteOp, WriteServices } from './write-context.js';
import { DEFAULT_PIPELINES, type WritePipelines } from './write-pipeline.js';

export interface WriteRequest {
  readonly entity: string;
  readonly actor: Actor;
  readonly access: Access;
  readonly requestId: string;
}

export class RecordWriter {
  constructor(
    private readonly services: () => WriteServices,
    private readonly pipelines: WritePipelines = DEFAULT_PIPELINES,
  ) {}

  private async runSteps(ctx: WriteContext, steps = this.pipelines[ctx.op]): Promise<ApiRecord> {
    for (const step of steps) await step(ctx);
    return stripHidden(ctx.after ?? {}, ctx.rt, ctx.access);
  }

  private context(
    op: WriteOp, req: WriteRequest, tx: Transaction, services: WriteServices,
    id: string, changes: ApiRecord, afterCommit: WriteContext['afterCommit'], pointerPrefix = '', expectedVersion?: number,
  ): WriteContext {
    return {
      op, rt: services.runtime.entity(req.entity), actor: req.actor, access: req.access, tx, services, requestId: req.requestId,
      pointerPrefix, id, changes, afterCommit, ...(expectedVersion !== undefined ? { expectedVersion } : {}),
    };
  }

  private async write<T>(fn: (tx: Transaction, services: WriteServices, afterCommit: WriteContext['afterCommit']) => Promise<T>): Promise<T> {
    const services = this.services();
    const afterCommit: WriteContext['afterCommit'] = [];
    const result = await withTransaction(services.pool, (tx) => fn(tx, services, afterCommit));
    for (const job of afterCommit) await job();
    return result;
  }

  create(req: WriteRequest, input: ApiRecord): Promise<ApiRecord> {
    return this.write((tx, services, after) =>
      this.runSteps(this.context('create', req, tx, services, uuidv7(), { ...input }, after)));
  }

  /** All or nothing: the first invalid record fails the whole batch, with pointers into `data`. */
  bulkCreate(req: WriteRequest, inputs: readonly ApiRecord[]): Promise<ApiRecord[]> {
    return this.write(async (tx, services, after) => {
      const out: ApiRecord[] = [];
      for (const [i, input] of inputs.entries()) {
        out.push(await this.runSteps(this.context('create', req, tx, services, uuidv7(), { ...input }, after, `/data/${i}`)));
      }
      return out;
    });
  }

  update(req: WriteRequest, id: string, patch: ApiRecord, expectedVersion: number): Promise<ApiRecord> {
    const steps = Object.keys(patch).length === 0 ? this.pipelines.emptyUpdate : this.pipelines.update;
    return this.write((tx, services, after) =>
      this.runSteps(this.context('update', req, tx, services, id, { ...patch }, after, '', expectedVersion), steps));
  }

  delete(req: WriteRequest, id: string, expectedVersion?: number): Promise<ApiRecord> {
    return this.write((tx, services, after) =>
      this.runSteps(this.context('delete', req, tx, services, id, {}, after, '', expectedVersion)));
  }
}
