// Assignment rules and the public pool as a pack declares them and as the Model keeps them. The meta-schema is
// metadata/schema/assignment.schema.json; check-assignment.ts checks what it cannot; compile-model.ts calls
// compileAssignment. The runtime (data/assign-*.ts, data/assignment-pool.ts) reads only the compiled form.
import { DEFAULT_CRON_TZ } from '../shared/cron.js';
import type { Label } from './label.js';
import type { ScheduleDef } from './schedule-def.js';

export type AssignmentStrategy = 'roundRobin' | 'leastLoaded';

/** Users are data, so a target names them: by username, by role code, or by org unit code (or name). */
export type AssignmentTarget = { readonly users: readonly string[] } | { readonly role: string } | { readonly orgUnit: string };

export interface AssignmentRuleSpec {
  id: string;
  name: string;
  label?: Label;
  when?: unknown;
  to: Record<string, unknown>;
  strategy?: AssignmentStrategy;
}

export interface AssignmentSpec {
  rules: AssignmentRuleSpec[];
  cap?: { max: number; openWhen?: unknown };
  pool?: { returnAfterDays?: number; activityField?: string; returnSchedule?: { cron: string; timeZone?: string } };
}

export interface AssignmentRuleDef {
  readonly id: string;
  readonly name: string;
  readonly label?: Label;
  /** JSON Logic over the new record's own fields; absent: the rule always matches. */
  readonly when?: unknown;
  readonly to: AssignmentTarget;
  readonly strategy: AssignmentStrategy;
}

export interface AssignmentDef {
  /** The entity's ownership.ownerField: who a record is assigned to; null means the record is in the pool. */
  readonly ownerField: string;
  readonly rules: readonly AssignmentRuleDef[];
  readonly cap?: { readonly max: number; readonly openWhen?: unknown };
  readonly pool: {
    readonly returnAfterDays?: number;
    /** A datetime field of the entity, or the system column updated_at. */
    readonly activityField: string;
    /** When stale records go back (with returnAfterDays only). */
    readonly returnSchedule?: ScheduleDef;
  };
}

/** When stale records go back to the pool unless the pack says otherwise: every hour on the hour. */
export const DEFAULT_POOL_RETURN_CRON = '0 * * * *';

/** The system column that stands for activity when the pack names no activity field. */
export const DEFAULT_ACTIVITY_FIELD = 'updated_at';

/** The target forms, each with the type its value must have; check-assignment.ts reports anything else. */
export const TARGET_FORMS = { users: 'a non-empty list of usernames', role: 'a role code', orgUnit: 'an org unit code or name' } as const;

/** The target as the Model keeps it, or undefined when `to` is not exactly one known form with a valid value. */
export function parseTarget(to: Record<string, unknown>): AssignmentTarget | undefined {
  const keys = Object.keys(to);
  if (keys.length !== 1) return undefined;
  if (Array.isArray(to.users) && to.users.length > 0 && to.users.every((u) => typeof u === 'string' && u !== '')) {
    return { users: to.users as string[] };
  }
  if (typeof to.role === 'string' && to.role !== '') return { role: to.role };
  if (typeof to.orgUnit === 'string' && to.orgUnit !== '') return { orgUnit: to.orgUnit };
  return undefined;
}

/** Only called on checked packs: the owner field exists and every target parses. */
export function compileAssignment(spec: AssignmentSpec, ownerField: string): AssignmentDef {
  return {
    ownerField,
    rules: spec.rules.map((r) => {
      const to = parseTarget(r.to);
      if (!to) throw new Error(`assignment rule ${r.id} has an unchecked target`);
      return {
        id: r.id,
        name: r.name,
        ...(r.label ? { label: r.label } : {}),
        ...(r.when !== undefined ? { when: r.when } : {}),
        to,
        strategy: r.strategy ?? 'roundRobin',
      };
    }),
    ...(spec.cap ? { cap: { max: spec.cap.max, ...(spec.cap.openWhen !== undefined ? { openWhen: spec.cap.openWhen } : {}) } } : {}),
    pool: {
      ...(spec.pool?.returnAfterDays !== undefined ? { returnAfterDays: spec.pool.returnAfterDays } : {}),
      activityField: spec.pool?.activityField ?? DEFAULT_ACTIVITY_FIELD,
      ...(spec.pool?.returnAfterDays !== undefined
        ? {
            returnSchedule: {
              cron: spec.pool.returnSchedule?.cron ?? DEFAULT_POOL_RETURN_CRON,
              tz: spec.pool.returnSchedule?.timeZone ?? DEFAULT_CRON_TZ,
            },
          }
        : {}),
    },
  };
}
