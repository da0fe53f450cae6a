// Two contract versions compared field by field and line by line (plugins/contracts/version-diff.ts).
import { describe, expect, it } from 'vitest';
import type { ContractContent } from '../../../../plugins/contracts/contract-content.js';
import { diffVersions } from '../../../../plugins/contracts/version-diff.js';

const v1: ContractContent = {
  contract: { title: 'A', end_date: '2027-12-31', payment_terms: '30%', contact: null },
  lines: [
    { id: 'l1', description: '服务器', quantity: '3.000', line_total: '270000.00' },
    { id: 'l2', description: '实施', quantity: '200.000', line_total: '60000.00' },
    { id: 'l3', description: '运输', quantity: '1.000', line_total: '800.00' },
  ],
};

describe('diffVersions', () => {
  it('lists the fields that changed, in name order, with both values', () => {
    const v2 = { ...v1, contract: { ...v1.contract, end_date: '2028-03-31', contact: 'c1', title: 'A' } };
    expect(diffVersions(v1, v2).fields).toEqual([
      { field: 'contact', from: null, to: 'c1' },
      { field: 'end_date', from: '2027-12-31', to: '2028-03-31' },
    ]);
  });

  it('matches lines by id: added, removed, and changed with their changed fields only', () => {
    const v2: ContractContent = {
      contract: v1.contract,
      lines: [
        { id: 'l4', description: '培训', quantity: '2.000', line_total: '10000.00' },
        { id: 'l2', description: '实施', quantity: '200.000', line_total: '60000.00' },
        { id: 'l1', description: '服务器', quantity: '4.000', line_total: '360000.00' },
      ],
    };
    const diff = diffVersions(v1, v2);
    expect(diff.fields).toEqual([]);
    expect(diff.lines).toEqual({
      added: [v2.lines[0]],
      removed: [v1.lines[2]],
      changed: [
        {
          id: 'l1',
          fields: [
            { field: 'line_total', from: '270000.00', to: '360000.00' },
            { field: 'quantity', from: '3.000', to: '4.000' },
          ],
        },
      ],
    });
  });

  it('finds nothing between a version and itself, and is the mirror image the other way round', () => {
    expect(diffVersions(v1, v1)).toEqual({ fields: [], lines: { added: [], removed: [], changed: [] } });
    const v2 = { contract: { ...v1.contract, title: 'B' }, lines: v1.lines.slice(1) };
    const forward = diffVersions(v1, v2);
    const back = diffVersions(v2, v1);
    expect(back.fields).toEqual(forward.fields.map((f) => ({ field: f.field, from: f.to, to: f.from })));
    expect(back.lines.added).toEqual(forward.lines.removed);
  });
});
