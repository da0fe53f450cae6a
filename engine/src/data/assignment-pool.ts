// The public pool: a record whose owner is empty. Release hands a record back to it, claim takes one from it, and
// returnStaleToPool sends back every owned record without activity for the entity's returnAfterDays, in one
// set-based statement. Each is one transaction that bumps the record's version and writes the audit row and the
// assignment history with it. Called by api/assignment.routes.ts and `tessera pool-return`.
import type pg from 'pg';
import type { Transaction } from '../db/transaction.js';
import { withTransaction } from '../db/transaction.js';
import type { EntityDef } from '../metadata/model.js';
import type { Access } from '../security/access.js';
import type { Actor } from '../security/actor.js';
import { AUDIT_TABLE, deferAudit } from '../security/audit-log.js';
import { EngineError } from '../shared/engine-error.js';
import { q } from '../sql/q.js';
import { lockCap } from './assign-owner.js';
import { ASSIGNMENT_HISTORY_TABLE, deferAssignmentChange, type AssignmentReason } from './assignment-tables.js';
import { assignmentRuntime, poolColumns, type AssignmentRuntime } from './assignment-runtime.js';
import type { ModelRuntime } from './entity-runtime.js';
import { lockRecord } from './lock-record.js';
import { deferPendingApprovalCheck } from './approval-lock.js';
import { requireAction } from './require-action.js';

export interface PoolRequest {
  readonly entity: string;
  readonly actor: Actor;
  readonly access: Access;
  readonly requestId: string;
}

export interface PoolDeps {
  readonly pool: pg.Pool;
  readonly runtime: ModelRuntime;
}

/** What a release or claim answers: the record's id, new version and owner. */
export type PoolResult = Record<string, unknown> & { id: string; version: number };

function runtimeOf(deps: PoolDeps, entity: string): AssignmentRuntime {
  const art = assignmentRuntime(deps.runtime.entity(entity).entity, deps.runtime);
  if (!art) throw new EngineError('assignment.not_configured', 404, `${entity} has no assignment rules`);
  return art;
}

/** Sets the owner (and, on a claim, the declared activity field) and writes the audit and history rows. */
async function reassign(
  tx: Transaction,
  art: AssignmentRuntime,
  req: PoolRequest,
  id: string,
  from: string | null,
  to: string | null,
  reason: AssignmentReason,
): Promise<PoolResult> {
  const { owner, activity } = poolColumns(art.entity);
  // Claiming is activity; the system column updated_at moves with every write anyway.
  const touch = reason === 'claim' && activity !== 'updated_at' ? `, ${q(activity)} = now()` : '';
  // A record waiting for approval changes owner only through its flow.
  deferPendingApprovalCheck(tx, art.entity, id);
  const res = await tx.query<{ version: number }>(
    tx.statement(
      `UPDATE ${q(art.entity.table)} SET ${q(owner)} = $2${touch}, version = version + 1, updated_at = now() WHERE id = $1 RETURNING version`,
      [id, to],
    ),
  );
  const field = art.def.ownerField;
  deferAudit(tx, {
    entity: art.entity.name,
    recordId: id,
    action: `action:${reason}`,
    actorId: req.actor.id,
    actorName: req.actor.username,
    requestId: req.requestId,
    changes: { [field]: { before: from, after: to } },
  });
  deferAssignmentChange(tx, {
    entity: art.entity.name,
    recordId: id,
    fromUser: from,
    toUser: to,
    reason,
    actorId: req.actor.id,
    actorName: req.actor.username,
    requestId: req.requestId,
  });
  return { id, version: res.rows[0]?.version ?? 0, [field]: to };
}

const ownerOf = (record: Record<string, unknown>, field: string): string | null => {
  const v = record[field];
  return typeof v === 'string' ? v : null;
};

/** The owner, or anyone whose update scope holds the record, may hand it back to the pool. */
export function releaseRecord(deps: PoolDeps, req: PoolRequest, id: string): Promise<PoolResult> {
  const art = runtimeOf(deps, req.entity);
  const rt = deps.runtime.entity(req.entity);
  return withTransaction(deps.pool, async (tx) => {
    const current = await lockRecord(tx, rt, id, req.access.readScope);
    if (!current) throw new EngineError('record.not_found', 404, `${req.entity} ${id} does not exist`);
    const owner = ownerOf(current, art.def.ownerField);
    if (owner === null) throw new EngineError('assignment.already_in_pool', 409, `${req.entity} ${id} is already in the pool`);
    if (owner !== req.actor.id) {
      const mayUpdate = req.access.can(req.entity, 'update') && (await lockRecord(tx, rt, id, req.access.scopeFor('update')));
      if (!mayUpdate) throw new EngineError('access.denied', 403, `only its owner or someone who may update it can release this ${req.entity}`);
    }
    return reassign(tx, art, req, id, owner, null, 'release');
  });
}

/** A user who may update the entity takes a pool record they can read, unless they are at the cap. */
export function claimRecord(deps: PoolDeps, req: PoolRequest, id: string): Promise<PoolResult> {
  const art = runtimeOf(deps, req.entity);
  const rt = deps.runtime.entity(req.entity);
  const userId = req.actor.id;
  if (userId === null) throw new EngineError('access.denied', 403, 'only a user can claim records');
  requireAction(req.access, req.entity, 'update');
  return withTransaction(deps.pool, async (tx) => {
    const cap = art.def.cap;
    if (cap) lockCap(tx, req.entity);
    const current = await lockRecord(tx, rt, id, req.access.readScope);
    if (!current) throw new EngineError('record.not_found', 404, `${req.entity} ${id} does not exist`);
    if (ownerOf(current, art.def.ownerField) !== null) {
      throw new EngineError('assignment.not_in_pool', 409, `${req.entity} ${id} is not in the pool: release it first`);
    }
    if (cap && (await art.openCount(tx, userId)) >= cap.max) {
      throw new EngineError('assignment.cap_reached', 409, `you already hold ${cap.max} open ${req.entity} records, the most allowed`);
    }
    return reassign(tx, art, req, id, null, userId, 'claim');
  });
}

/** Who returns stale records: an administrator through the API, or the CLI (no user). */
export interface PoolReturnActor {
  readonly actorId: string | null;
  readonly actorName: string;
  readonly requestId: string;
  /**
   * The schedule skips records a write in progress holds (its next run takes them) so it never queues behind users;
   * an administrator's or the CLI's return waits for them, so its count is every stale record.
   */
  readonly skipLocked?: boolean;
}

/**
 * Every live owned record whose activity (the declared field, or updated_at; a record never active counts from
 * its creation) is older than returnAfterDays goes back to the pool: one statement updates them and writes their
 * audit and history rows. A waited-for record is checked again once its writer commits, so one just touched stays.
 */
export async function returnStaleToPool(pool: pg.Pool, entity: EntityDef, actor: PoolReturnActor): Promise<number> {
  const def = entity.assignment;
  const days = def?.pool.returnAfterDays;
  if (!def || days === undefined) {
    throw new EngineError('assignment.no_pool_return', 409, `${entity.name} has no pool.returnAfterDays: nothing returns to its pool`);
  }
  const { owner, activity } = poolColumns(entity);
  const t = q(entity.table);
  const res = await pool.query<{ n: number }>(
    `WITH stale AS (
       SELECT s.id, s.${q(owner)} AS from_user FROM ${t} s
        WHERE s.deleted_at IS NULL AND s.${q(owner)} IS NOT NULL
          AND coalesce(s.${q(activity)}, s.created_at) < now() - make_interval(days => $1::int)
        ORDER BY s.id FOR UPDATE${actor.skipLocked ? ' SKIP LOCKED' : ''}),
     moved AS (
       UPDATE ${t} r SET ${q(owner)} = NULL, version = r.version + 1, updated_at = now() FROM stale
        WHERE r.id = stale.id RETURNING r.id, stale.from_user),
     history AS (
       INSERT INTO ${ASSIGNMENT_HISTORY_TABLE} (entity, record_id, from_user, to_user, reason, actor_id, actor_name, request_id)
       SELECT $2, m.id, m.from_user, NULL, 'pool_return', $3, $4, $5 FROM moved m),
     audit AS (
       INSERT INTO ${AUDIT_TABLE} (entity, record_id, action, actor_id, actor_name, request_id, changes)
       SELECT $2, m.id, 'action:pool_return', $3, $4, $5,
              jsonb_build_object($6::text, jsonb_build_object('before', m.from_user, 'after', NULL))
         FROM moved m)
     SELECT count(*)::int AS n FROM moved`,
    [days, entity.name, actor.actorId, actor.actorName, actor.requestId, def.ownerField],
  );
  return res.rows[0]?.n ?? 0;
}
