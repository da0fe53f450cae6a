// The buttons of a record page: the state transitions the user may take from the record's current state, and the
// pack actions they may run, placed as the layout says. An action shadows a transition of the same name (the
// action takes the transition itself, with its effects). Pure.
import type { EntityMeta } from '../api/meta-types.js';

export interface RecordButton {
  kind: 'transition' | 'action';
  name: string;
  label: string;
  placement: 'primary' | 'header' | 'more';
  field?: string;
  to?: string;
  hasInput?: boolean;
  /** A pack action's input schema. */
  input?: unknown;
}

export function recordButtons(meta: EntityMeta, record: Record<string, unknown>): RecordButton[] {
  const placement = new Map(meta.layout.actions.map((a) => [a.name, a.placement]));
  const actionNames = new Set(meta.actions.map((a) => a.name));
  const transitions: RecordButton[] = meta.fields.flatMap((f) => {
    if (!f.transitions) return [];
    const state = record[f.name];
    const mine = typeof state === 'string' ? (f.transitions.byState[state] ?? []) : [];
    return f.transitions.allowed
      .filter((t) => mine.includes(t.name) && !actionNames.has(t.name))
      .map((t) => ({ kind: 'transition' as const, name: t.name, label: t.label, placement: 'header' as const, field: f.name, to: t.to }));
  });
  const actions: RecordButton[] = meta.actions.map((a) => {
    const props = (a.input as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
    return {
      kind: 'action' as const,
      name: a.name,
      label: a.label,
      placement: 'header' as const,
      hasInput: Object.keys(props).length > 0,
      input: a.input,
    };
  });
  return [...actions, ...transitions].flatMap((b) => {
    const p = placement.get(b.name) ?? b.placement;
    return p === 'hidden' ? [] : [{ ...b, placement: p }];
  });
}
