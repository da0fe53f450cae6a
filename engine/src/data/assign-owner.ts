// Write steps for entities with assignment rules. On create, when the client (or a before hook) did not name an
// owner, the rules are tried in order: the first whose condition matches the new record and whose target has an
// active user decides (a target with no such user skips the rule); it picks one of its users round-robin or
// least-loaded, skipping users at the cap. No deciding rule, or every user of it at the cap: the record goes to
// the pool (owner empty). Every change of owner, by rule or by hand, is written to the assignment history.
import type { AssignmentRuleDef } from '../metadata/assignment.js';
import type { Transaction } from '../db/transaction.js';
import { advanceCursor, deferAssignmentChange, type AssignmentReason } from './assignment-tables.js';
import { assignmentRuntime, type AssignmentRuntime, type Candidate } from './assignment-runtime.js';
import type { ApiRecord } from './record-codec.js';
import type { WriteContext, WriteStep } from './write-context.js';

export interface Assignee {
  readonly userId: string | null;
  readonly reason: AssignmentReason;
  readonly rule?: AssignmentRuleDef;
}

/**
 * Serialises assignments under a cap for the rest of the transaction: counts of open records only stay true
 * while no other transaction assigns to the same users. Class id 7391 keeps these apart from the engine's other locks.
 */
export function lockCap(tx: Transaction, entity: string): void {
  tx.defer(tx.statement('SELECT pg_advisory_xact_lock(7391, hashtext($1))', [entity]));
}

/** The first candidate from the cursor's position on (wrapping) that passes `eligible`. */
function roundRobin(candidates: readonly Candidate[], counter: number, eligible: (c: Candidate) => boolean): Candidate | undefined {
  const start = (counter - 1) % candidates.length;
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[(start + i) % candidates.length];
    if (c && eligible(c)) return c;
  }
  return undefined;
}

/** Fewest open records; ties go to the earliest user (candidates come ordered by id). */
function leastLoaded(candidates: readonly Candidate[], eligible: (c: Candidate) => boolean): Candidate | undefined {
  let best: Candidate | undefined;
  for (const c of candidates) if (eligible(c) && (!best || c.open < best.open)) best = c;
  return best;
}

export async function chooseAssignee(tx: Transaction, art: AssignmentRuntime, record: ApiRecord): Promise<Assignee> {
  const cap = art.def.cap;
  if (cap) lockCap(tx, art.entity.name);
  for (const rule of art.rules) {
    if (!rule.matches(record)) continue;
    // The cursor row is taken first in both strategies: it makes concurrent creates through this rule take turns,
    // so least-loaded counts are read after the previous assignment has committed.
    const counter = await advanceCursor(tx, art.entity.name, rule.def.id);
    const strategy = rule.def.strategy;
    const candidates = await art.candidates(tx, rule.def.to, cap !== undefined || strategy === 'leastLoaded');
    if (candidates.length === 0) continue;
    const eligible = (c: Candidate) => cap === undefined || c.open < cap.max;
    const chosen = strategy === 'leastLoaded' ? leastLoaded(candidates, eligible) : roundRobin(candidates, counter, eligible);
    return chosen ? { userId: chosen.id, reason: 'rule', rule: rule.def } : { userId: null, reason: 'cap_full', rule: rule.def };
  }
  return { userId: null, reason: 'no_match' };
}

function record(ctx: WriteContext, fromUser: string | null, toUser: string | null, reason: AssignmentReason, rule?: AssignmentRuleDef): void {
  deferAssignmentChange(ctx.tx, {
    entity: ctx.rt.entity.name,
    recordId: ctx.id,
    fromUser,
    toUser,
    reason,
    ...(rule ? { rule: { id: rule.id, name: rule.name } } : {}),
    actorId: ctx.actor.id,
    actorName: ctx.actor.username,
    requestId: ctx.requestId,
  });
}

const ownerValue = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * Create: runs after the references are checked, so an owner the rules chose is not held to the creator's read
 * scope of users (the rules, not the creator, picked them); an owner the client named was checked like any value.
 */
export const assignByRules: WriteStep = async (ctx) => {
  const art = assignmentRuntime(ctx.rt.entity, ctx.services.runtime);
  if (!art) return;
  const field = art.def.ownerField;
  if (field in ctx.changes) {
    const named = ownerValue(ctx.changes[field]);
    if (named) record(ctx, null, named, 'manual');
    return;
  }
  const chosen = await chooseAssignee(ctx.tx, art, ctx.changes);
  ctx.changes[field] = chosen.userId;
  record(ctx, null, chosen.userId, chosen.reason, chosen.rule);
};

/** Update: an owner changed through PATCH is a manual assignment. */
export const recordOwnerChange: WriteStep = async (ctx) => {
  const def = ctx.rt.entity.assignment;
  if (!def || !(def.ownerField in ctx.changes)) return;
  const before = ownerValue(ctx.before?.[def.ownerField]);
  const after = ownerValue(ctx.after?.[def.ownerField]);
  if (before !== after) record(ctx, before, after, 'manual');
};

