// What a multi-selection may have done to it (POST /api/v1/<entity>/batch): each transition of the entity's state
// fields that some selected record can take, and a delete when the user holds the grant; and the batch's answer as
// done / refused lines naming each record by its title. Pure.
import type { EntityMeta } from '../api/meta-types';

export interface BulkAction {
  key: string;
  label: string;
  body: { action: 'update'; changes: Record<string, string> } | { action: 'delete' };
}

export type BatchOutcome =
  | { id: string; ok: true; version: number | null }
  | { id: string; ok: false; status: number; code: string; detail: string; errors: { pointer: string; message: string }[] };

/** Transitions are offered when at least one selected record is in a state they start from. */
export function bulkActions(meta: EntityMeta, selected: readonly Record<string, unknown>[], deleteLabel: string): BulkAction[] {
  const actions: BulkAction[] = [];
  for (const f of meta.fields) {
    const tr = f.transitions;
    if (!tr || !meta.permissions.includes('update')) continue;
    const states = new Set(selected.map((r) => String(r[f.name] ?? '')));
    const seen = new Set<string>();
    for (const t of tr.allowed) {
      if (seen.has(t.to) || !t.from.some((s) => states.has(s))) continue;
      seen.add(t.to);
      actions.push({ key: `${f.name}:${t.to}`, label: t.label, body: { action: 'update', changes: { [f.name]: t.to } } });
    }
  }
  if (meta.permissions.includes('delete')) actions.push({ key: 'delete', label: deleteLabel, body: { action: 'delete' } });
  return actions;
}

export interface OutcomeLine {
  id: string;
  title: string;
  ok: boolean;
  reason: string;
}

export function outcomeLines(outcomes: readonly BatchOutcome[], titleOf: (id: string) => string): OutcomeLine[] {
  return outcomes.map((o) => ({
    id: o.id,
    title: titleOf(o.id),
    ok: o.ok,
    reason: o.ok ? '' : (o.errors[0]?.message ?? o.detail),
  }));
}
