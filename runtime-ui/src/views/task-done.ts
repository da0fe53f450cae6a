// "Mark done" on My tasks: the view's completing transition (its myTasks.done) as the record page would offer it
// for this record — only where the caller may take it from the record's state, and as the pack's action when an
// action of that name takes the transition with its effects. Pure.
import type { EntityMeta, ListViewMeta } from '../api/meta-types.js';
import { recordButtons, type RecordButton } from '../record/record-buttons.js';

export function doneButton(
  meta: EntityMeta,
  done: NonNullable<ListViewMeta['myTasks']>['done'],
  record: Record<string, unknown>,
): RecordButton | undefined {
  if (!done) return undefined;
  const state = record[done.field];
  const mine = typeof state === 'string' ? meta.fields.find((f) => f.name === done.field)?.transitions?.byState[state] : undefined;
  if (!mine?.includes(done.transition)) return undefined;
  const button = recordButtons(meta, record).find((b) => b.name === done.transition);
  // An action that asks for input needs its dialog: the task is completed from its record page instead.
  return button && !button.hasInput ? button : undefined;
}

/** The fields a task row needs to offer its completion: the state it is in and the version a write must name. */
export function doneFields(done: NonNullable<ListViewMeta['myTasks']>['done']): string[] {
  return done ? [done.field, 'version'] : [];
}
