// State machines on every write path: a create starts in an initial state, and any change of a state field must be
// an allowed transition the caller's roles may take while its guard holds on the stored record; the transition's
// effects join the write's values, so validation, rules and audit see them. The pipeline's steps are below;
// plugin actions (which write with SQL) use checkActionTransitions around the action. Delete is unaffected.
// A transition an approval flow guards is taken only by the flow (its `flowUpdate` pipeline); one that starts a
// flow submits the record to it once the write has passed its rules (startFlows).
import { EngineError } from '../shared/engine-error.js';
import { q } from '../sql/q.js';
import type { Transaction } from '../db/transaction.js';
import type { Access } from '../security/access.js';
import type { CompiledTransition, StateMachine } from '../record-rules/compile-transitions.js';
import { derivedError } from './derived-cascade.js';
import type { EntityRuntime } from './entity-runtime.js';
import type { ApiRecord } from './record-codec.js';
import { throwIfInvalid } from './record-validator.js';
import type { WriteStep } from './write-context.js';

/** Whether the guard holds, whether an approval flow guards the transition on this record, and the effects' values. */
interface Outcome {
  readonly holds: boolean;
  readonly flowGuarded: boolean;
  readonly values: ApiRecord;
}

type Outcomes = ReadonlyMap<CompiledTransition, Outcome>;

const stateOf = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** Admins may take any transition (an admin grant is everything elsewhere too); guards still hold for them. */
export function mayTake(t: CompiledTransition, access: Pick<Access, 'isAdmin' | 'roleCodes'>): boolean {
  const roles = t.def.roles ?? [];
  return roles.length === 0 || access.isAdmin || roles.some((r) => access.roleCodes.has(r));
}

/** A flow without entry criteria guards its transition on every record: no read is needed to know. */
const alwaysByFlow = (t: CompiledTransition): boolean => t.flowGuard === 'TRUE';

/**
 * Guards, flow guards and effect values of `list`, read from the stored row in one statement: each is judged on the
 * record as it was, and effects computed from it, before the write changes it.
 */
async function readOutcomes(tx: Transaction, rt: EntityRuntime, id: string, list: readonly CompiledTransition[]): Promise<Outcomes> {
  const columns: string[] = [];
  list.forEach((t, i) => {
    columns.push(`${t.guard ?? 'TRUE'} AS g${i}`, `${t.flowGuard ?? 'FALSE'} AS f${i}`);
    t.effects.forEach((e, k) => {
      if (e.sql !== undefined) columns.push(`${e.sql} AS e${i}_${k}`);
    });
  });
  const readsRow = (t: CompiledTransition) =>
    t.guard !== undefined || (t.flowGuard !== undefined && !alwaysByFlow(t)) || t.effects.some((e) => e.sql !== undefined);
  const needsRow = list.some(readsRow);
  let row: Record<string, unknown> = {};
  if (needsRow) {
    try {
      const res = await tx.query(tx.statement(`SELECT ${columns.join(', ')} FROM ${q(rt.entity.table)} t WHERE t.id = $1`, [id]));
      row = (res.rows[0] as Record<string, unknown> | undefined) ?? {};
    } catch (err) {
      throw derivedError(err);
    }
  }
  const out = new Map<CompiledTransition, Outcome>();
  list.forEach((t, i) => {
    const values: ApiRecord = {};
    t.effects.forEach((e, k) => {
      values[e.field] = e.sql !== undefined ? row[`e${i}_${k}`] : structuredClone(e.value);
    });
    const flowGuarded = alwaysByFlow(t) || (t.flowGuard !== undefined && row[`f${i}`] === true);
    out.set(t, { holds: !needsRow || row[`g${i}`] === true, flowGuarded, values });
  });
  return out;
}

function listed(ts: readonly CompiledTransition[]): string {
  return ts.length ? ts.map((t) => `${t.def.to} (${t.def.name})`).join(', ') : 'nothing';
}

/** What a change takes: the transition's effects, and the transition (none when a stateless record enters the machine). */
interface Taken {
  readonly effects: ApiRecord;
  readonly transition?: CompiledTransition;
}

function refused(m: StateMachine, from: string | null, to: string | null, pointer: string, allowed: readonly CompiledTransition[], code: string, message: string) {
  return new EngineError('validation.transition', 422, message, {
    fieldErrors: [{ pointer: `${pointer}/${m.field}`, code, message }],
    extra: { field: m.field, from, to, allowed: allowed.map((t) => ({ name: t.def.name, to: t.def.to })) },
  });
}

function approvalRequired(m: StateMachine, from: string | null, to: string | null, t: CompiledTransition, conditional: boolean) {
  const where = conditional ? ' for this record (it meets the flow\'s entry criteria)' : '';
  return new EngineError(
    'approval.required',
    409,
    `'${t.def.name}' (${from} -> ${to}) is taken only by approving its approval flow${where}: submit the record to it`,
    { extra: { field: m.field, from, to, transition: t.def.name } },
  );
}

/**
 * The effects of the transition a change from `from` to `to` takes, or a refusal: 422 when no transition (or no
 * guard) allows it, 409 when an approval flow guards it on this record, 403 when one exists but the caller's roles
 * may not take it. `outcomes` judges the candidates; `byFlow` is the flow's own write, which the flow does not guard.
 */
async function choose(
  m: StateMachine, from: string | null, to: string | null, access: Pick<Access, 'isAdmin' | 'roleCodes'>, pointer: string,
  outcomes: (candidates: readonly CompiledTransition[]) => Promise<Outcomes>, byFlow: boolean,
): Promise<Taken> {
  // A record without a state (the field added later, or left empty) enters the machine like a new one.
  if (from === null && to !== null && (m.initial === undefined || m.initial.includes(to))) return { effects: {} };
  const open = (t: CompiledTransition) => byFlow || !alwaysByFlow(t);
  const fromHere = m.transitions.filter((t) => from !== null && t.def.from.includes(from) && mayTake(t, access) && open(t));
  const joining = m.transitions.filter((t) => from !== null && t.def.from.includes(from) && t.def.to === to);
  if (joining.length === 0) {
    const msg = `${m.field} cannot change from ${from === null ? 'no value' : `'${from}'`} to ${to === null ? 'no value' : `'${to}'`}; from there it may change to ${listed(fromHere)}`;
    throw refused(m, from, to, pointer, fromHere, 'validation.transition', msg);
  }
  const always = joining.find((t) => !open(t));
  if (always && joining.every((t) => !open(t))) throw approvalRequired(m, from, to, always, false);
  // Several transitions may join the same states (by role, or by condition): the first whose guard holds is taken.
  const judged = await outcomes(joining);
  const candidates = byFlow ? joining : joining.filter((t) => judged.get(t)?.flowGuarded !== true);
  const flowOnly = joining.find((t) => !candidates.includes(t));
  if (candidates.length === 0 && flowOnly) throw approvalRequired(m, from, to, flowOnly, true);
  const permitted = candidates.filter((t) => mayTake(t, access));
  const first = candidates[0]?.def.name;
  if (permitted.length === 0) {
    const roles = [...new Set(candidates.flatMap((t) => t.def.roles ?? []))].join(', ');
    throw new EngineError('access.transition_denied', 403, `only the roles ${roles} may take '${first}' (${from} -> ${to})`, {
      extra: { field: m.field, from, to, transition: first },
    });
  }
  const taken = permitted.find((t) => judged.get(t)?.holds === true);
  const outcome = taken ? judged.get(taken) : undefined;
  if (taken && outcome) return { effects: outcome.values, transition: taken };
  const msg = `the condition of '${permitted[0]?.def.name}' does not hold, so ${m.field} cannot change from '${from}' to '${to}' now`;
  throw refused(m, from, to, pointer, fromHere, 'validation.transition_guard', msg);
}

/** A create starts in one of the initial states (any when the machine names none). */
export const enforceInitialState: WriteStep = async (ctx) => {
  for (const m of ctx.rt.rules.stateMachines) {
    const value = stateOf(ctx.changes[m.field]);
    // An unknown value is the schema's to report (validate runs next), with its list of values.
    if (value === null || m.initial === undefined || m.initial.includes(value) || !isState(ctx.rt, m, value)) continue;
    const msg = `a new ${ctx.rt.entity.name} starts with ${m.field} ${m.initial.map((s) => `'${s}'`).join(' or ')}, not '${value}'`;
    throw refused(m, null, value, ctx.pointerPrefix, [], 'validation.transition', msg);
  }
};

function isState(rt: EntityRuntime, m: StateMachine, value: string): boolean {
  return rt.entity.fields.some((f) => f.name === m.field && (f.values ?? []).some((v) => v.value === value));
}

function transitionsStep(byFlow: boolean): WriteStep {
  return async (ctx) => {
    for (const m of ctx.rt.rules.stateMachines) {
      if (!(m.field in ctx.changes)) continue;
      const from = stateOf(ctx.before?.[m.field]);
      const to = ctx.changes[m.field];
      if (to === from || (typeof to === 'string' && !isState(ctx.rt, m, to))) continue;
      const read = (list: readonly CompiledTransition[]) => readOutcomes(ctx.tx, ctx.rt, ctx.id, list);
      const taken = await choose(m, from, stateOf(to), ctx.access, ctx.pointerPrefix, read, byFlow);
      // The transition's effects win over the patch: they are the metadata's rule, not the caller's choice. For the
      // same reason they come after `authorise`: the caller's field permissions bound what they write, not these.
      Object.assign(ctx.changes, taken.effects);
      const flow = taken.transition?.def.startFlow;
      if (flow !== undefined) (ctx.flowsToStart ??= []).push(flow);
      const action = taken.transition?.def.runAction;
      if (action !== undefined) (ctx.actionsToRun ??= []).push(action);
    }
  };
}

/** Runs before `validate`: the change must be a transition, and its effects are validated with the rest of the patch. */
export const applyTransitions: WriteStep = transitionsStep(false);

/** The same for an approval flow's own write (its effects): it may take the transition it guards. */
export const applyFlowTransitions: WriteStep = transitionsStep(true);

/** Submits the record to the flows its transitions start, once the write has passed its rules (same transaction). */
export const startFlows: WriteStep = async (ctx) => {
  const flows = ctx.flowsToStart ?? [];
  if (flows.length === 0) return;
  const starter = ctx.services.approvals;
  if (!starter) throw new EngineError('approval.unavailable', 500, 'this engine runs no approval flows');
  for (const flow of flows) await starter.start(ctx, flow);
};

/** Runs the plugin actions its transitions name, once the write has passed its rules (same transaction). */
export const runTransitionActions: WriteStep = async (ctx) => {
  const actions = ctx.actionsToRun ?? [];
  if (actions.length === 0) return;
  const runner = ctx.services.actions;
  if (!runner) throw new EngineError('transition.actions_unavailable', 500, 'this engine runs no plugin actions');
  for (const action of actions) await runner.run(ctx, action);
};

/**
 * An action a transition ran may have written the record itself (a link to what it made), as a write of its own:
 * answer with the row as stored. The last step, so this write's audit and after hooks keep what it changed.
 */
export const answerStoredAfterActions: WriteStep = async (ctx) => {
  if (!ctx.actionsToRun?.length || ctx.op === 'delete') return;
  const { entity, codec } = ctx.rt;
  const res = await ctx.tx.query(ctx.tx.statement(`SELECT ${codec.selectList('').sql} FROM ${q(entity.table)} WHERE id = $1`, [ctx.id]));
  const stored = res.rows[0] as ApiRecord | undefined;
  if (stored) ctx.after = { ...ctx.after, ...stored };
};

/**
 * For a plugin action, which writes with SQL: read the guards and effects of every transition out of the stored
 * states before it runs, then judge what it changed. Returns the effects to write, or nothing.
 */
export async function checkActionTransitions(
  tx: Transaction, rt: EntityRuntime, id: string, before: ApiRecord, access: Access,
): Promise<(after: ApiRecord) => Promise<ApiRecord>> {
  const machines = rt.rules.stateMachines;
  const candidates = machines.flatMap((m) => m.transitions.filter((t) => t.def.from.includes(stateOf(before[m.field]) ?? '')));
  const outcomes = candidates.length ? await readOutcomes(tx, rt, id, candidates) : new Map<CompiledTransition, Outcome>();
  return async (after) => {
    const effects: ApiRecord = {};
    for (const m of machines) {
      const from = stateOf(before[m.field]);
      const to = stateOf(after[m.field]);
      if (from === to) continue;
      Object.assign(effects, (await choose(m, from, to, access, '', async () => outcomes, false)).effects);
    }
    if (Object.keys(effects).length === 0) return effects;
    throwIfInvalid(rt.validator.validateUpdate(effects, ''));
    const cols = rt.codec.toColumns(effects);
    const names = Object.keys(cols);
    await tx.query(
      tx.statement(`UPDATE ${q(rt.entity.table)} SET ${names.map((n, i) => `${q(n)} = $${i + 2}`).join(', ')} WHERE id = $1`, [id, ...Object.values(cols)]),
    );
    return effects;
  };
}
