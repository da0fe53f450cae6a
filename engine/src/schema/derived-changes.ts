// Which entities' derived fields (computed, rollup, score) a new Model defines otherwise than the published one: their
// stored values were made by the old rules. applySchema asks, through the outbox in its own transaction, for those
// entities to be recomputed (then everything that reads them) once the new Model is served — what `tessera rescore`
// does, without anyone having to remember it after an upgrade. Pure, but for the outbox rows.
import type { Knex } from 'knex';
import type { Model } from '../metadata/model.js';
import { ensureOutboxTable, OUTBOX_TABLE } from '../db/outbox.js';
import { canonicalJson } from '../shared/canonical-json.js';

/** Recomputes one entity's derived fields (`{ entity, version }`) once the engine serves Model `version` or later. */
export const RULES_CHANGED_JOB = 'records:rules-changed';

interface FieldRules {
  readonly name: string;
  readonly computed?: unknown;
  readonly rollup?: unknown;
  readonly scoring?: unknown;
}

/** The entities of a Model as published (a Model's JSON in the history table). */
export interface PublishedEntities {
  readonly entities: ReadonlyArray<{ readonly name: string; readonly fields: readonly FieldRules[] }>;
}

/** Canonical: the published Model comes back from jsonb with its keys in another order. */
function rulesOf(fields: readonly FieldRules[]): string {
  return canonicalJson(
    fields
      .filter((f) => f.computed !== undefined || f.rollup !== undefined || f.scoring !== undefined)
      .map((f) => [f.name, f.computed ?? null, f.rollup ?? null, f.scoring ?? null])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  );
}

/**
 * The entities of `next` that hold records under `previous` too and whose derived fields differ (added, changed or
 * given other rules); an entity left with none has nothing to recompute.
 */
export function entitiesWithChangedRules(previous: PublishedEntities | undefined, next: Model): string[] {
  if (!previous) return [];
  const before = new Map(previous.entities.map((e) => [e.name, rulesOf(e.fields)]));
  return next.entities.flatMap((e) => {
    const was = before.get(e.name);
    const now = rulesOf(e.fields);
    return was !== undefined && was !== now && now !== '[]' ? [e.name] : [];
  });
}

/** Queues, with the apply's transaction, one recompute per entity whose rules `version` changed. */
export async function queueRecomputes(trx: Knex.Transaction, entities: readonly string[], version: number): Promise<void> {
  if (entities.length === 0) return;
  await ensureOutboxTable(trx);
  await trx(OUTBOX_TABLE).insert(
    entities.map((entity) => ({
      job_name: RULES_CHANGED_JOB,
      job_key: `rules-changed:${version}:${entity}`,
      data: JSON.stringify({ entity, version }),
    })),
  );
}
