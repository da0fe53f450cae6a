// "Mark done" on My tasks: offered from the view's completing transition only where the caller may take it from the
// task's state, as the pack's action when one of that name takes it, never for an action that needs input.
import { describe, expect, it } from 'vitest';
import type { EntityMeta } from '../../../runtime-ui/src/api/meta-types.js';
import { doneButton, doneFields } from '../../../runtime-ui/src/views/task-done.js';

const meta = (extra: Partial<EntityMeta> = {}) =>
  ({
    name: 'task',
    actions: [],
    layout: { actions: [] },
    fields: [
      {
        name: 'state',
        kind: 'enum',
        transitions: {
          allowed: [
            { name: 'finish', label: 'Finish', from: ['open'], to: 'finished' },
            { name: 'drop', label: 'Drop', from: ['open'], to: 'dropped' },
          ],
          byState: { open: ['finish', 'drop'], finished: [], dropped: [] },
        },
      },
    ],
    ...extra,
  }) as unknown as EntityMeta;
const done = { field: 'state', transition: 'finish' };

describe('doneButton', () => {
  it("is the view's transition, from a state the caller may take it from", () => {
    expect(doneButton(meta(), done, { state: 'open' })).toMatchObject({ kind: 'transition', field: 'state', to: 'finished' });
    expect(doneButton(meta(), done, { state: 'finished' })).toBeUndefined();
    expect(doneButton(meta(), undefined, { state: 'open' })).toBeUndefined();
  });

  it('is not offered to a caller whose roles may not take it', () => {
    const m = meta();
    m.fields[0]!.transitions!.byState.open = ['drop'];
    expect(doneButton(m, done, { state: 'open' })).toBeUndefined();
  });

  it('runs the action that takes the transition, unless it asks for input', () => {
    expect(doneButton(meta({ actions: [{ name: 'finish', label: 'Finish', input: {} }] }), done, { state: 'open' })).toMatchObject({
      kind: 'action',
      name: 'finish',
    });
    expect(doneButton(meta({ actions: [{ name: 'finish', label: 'Finish', input: {} }] }), done, { state: 'finished' })).toBeUndefined();
    const asks = meta({ actions: [{ name: 'finish', label: 'Finish', input: { properties: { note: { type: 'string' } } } }] });
    expect(doneButton(asks, done, { state: 'open' })).toBeUndefined();
  });

  it('reads the state and the version with the task', () => {
    expect(doneFields(done)).toEqual(['state', 'version']);
    expect(doneFields(undefined)).toEqual([]);
  });
});
