// The list tools' pure parts: saved views beside the pack's, the grid's columns captured for saving, the bulk actions
// a selection offers (transitions some selected record can take, delete with the grant) and a batch's outcome lines.
import { describe, expect, it } from 'vitest';
import type { EntityMeta } from '../../../runtime-ui/src/api/meta-types.js';
import { bulkActions, outcomeLines } from '../../../runtime-ui/src/list/bulk-actions.js';
import { captureColumns, savedAsListView } from '../../../runtime-ui/src/list/saved-views.js';

describe('saved views', () => {
  it('read as list views named my:<id>', () => {
    expect(
      savedAsListView({ id: 'v1', entity: 'deal', name: 'Big', columns: ['name', 'amount'], sort: ['-amount.amount'], filter: null }),
    ).toEqual({
      name: 'my:v1',
      label: 'Big',
      isDefault: false,
      columns: [{ field: 'name' }, { field: 'amount' }],
      sort: ['-amount.amount'],
      savedId: 'v1',
    });
  });
  it('keep the columns shown, in the order shown', () => {
    expect(
      captureColumns(
        [{ colId: 'ag-Grid-SelectionColumn' }, { colId: 'stage' }, { colId: 'name' }, { colId: 'x', hide: true }],
        (c) => !c.startsWith('ag-'),
      ),
    ).toEqual(['stage', 'name']);
  });
});

const meta = (permissions: string[]): EntityMeta =>
  ({
    name: 'deal',
    permissions,
    titleField: 'name',
    fields: [
      {
        name: 'stage',
        kind: 'enum',
        transitions: {
          allowed: [
            { name: 'qualify', label: 'Qualify', from: ['new'], to: 'qualified' },
            { name: 'win', label: 'Win', from: ['qualified'], to: 'won' },
            { name: 'lose', label: 'Lose', from: ['new', 'qualified'], to: 'lost' },
          ],
          byState: {},
        },
      },
    ],
  }) as unknown as EntityMeta;

describe('bulk actions', () => {
  it('offer the transitions some selected record can take, and delete with its grant', () => {
    const keys = (m: EntityMeta, rows: Record<string, unknown>[]) => bulkActions(m, rows, 'Delete').map((a) => a.key);
    expect(keys(meta(['read', 'update', 'delete']), [{ stage: 'new' }])).toEqual(['stage:qualified', 'stage:lost', 'delete']);
    expect(keys(meta(['read', 'update']), [{ stage: 'new' }, { stage: 'qualified' }])).toEqual([
      'stage:qualified',
      'stage:won',
      'stage:lost',
    ]);
    expect(keys(meta(['read']), [{ stage: 'new' }])).toEqual([]);
    expect(bulkActions(meta(['update']), [{ stage: 'qualified' }], 'Delete')[0]?.body).toEqual({
      action: 'update',
      changes: { stage: 'won' },
    });
  });
  it("name each record's outcome, a refusal by its first field error", () => {
    const lines = outcomeLines(
      [
        { id: 'a', ok: true, version: 3 },
        {
          id: 'b',
          ok: false,
          status: 422,
          code: 'validation.failed',
          detail: 'no',
          errors: [{ pointer: '/stage', message: 'cannot win from new' }],
        },
        { id: 'c', ok: false, status: 404, code: 'record.not_found', detail: 'deal c does not exist', errors: [] },
      ],
      (id) => `Deal ${id}`,
    );
    expect(lines).toEqual([
      { id: 'a', title: 'Deal a', ok: true, reason: '' },
      { id: 'b', title: 'Deal b', ok: false, reason: 'cannot win from new' },
      { id: 'c', title: 'Deal c', ok: false, reason: 'deal c does not exist' },
    ]);
  });
});
