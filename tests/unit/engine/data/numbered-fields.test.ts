// Numbered fields as the write pipeline sees them: the text around {seq} split into what is rendered before the
// write and what the statement reads from the parent record, and the parameters for one record.
import { describe, expect, it } from 'vitest';
import { numberedFieldsOf, scopeParams } from '../../../../engine/src/data/numbered-fields.js';
import { loadModel } from '../../../../engine/src/metadata/load-model.js';
import { BUILTIN_RULES } from '../../../support/builtin-rules.js';

const model = loadModel(['metadata/packs/core', 'tests/fixtures/packs/numbering-demo'], { kinds: BUILTIN_RULES.kinds });
const numbered = (entity: string) => {
  const e = model.entitiesByName[entity];
  if (!e) throw new Error(`no ${entity}`);
  return numberedFieldsOf(e, model);
};
const AT = new Date('2026-12-31T20:00:00Z');

describe('numberedFieldsOf', () => {
  it('has nothing to number on entities without a rule', () => {
    expect(numbered('branch')).toEqual([]);
  });

  it('renders literals and date parts (in the rule’s time zone) as one parameter', () => {
    const [contract] = numbered('contract');
    expect(contract).toEqual(expect.objectContaining({ width: 5, timeZone: 'Asia/Shanghai', tail: [] }));
    // 20:00 UTC on 31 December is already 2027 in Shanghai.
    expect(scopeParams(contract!, { title: 'x' }, AT)).toEqual({ params: ['CT-2027-'], missing: [] });
  });

  it('reads a parent’s value in the statement, sending the relation’s id', () => {
    const [order] = numbered('work_order');
    expect(order!.head.map((s) => s.kind)).toEqual(['parent', 'text']);
    expect(order!.drawSql).toContain('FROM "branch" p WHERE p.id = $7::uuid AND p.deleted_at IS NULL');
    expect(order!.sources).toEqual(['branch', 'priority']);
    const id = '0190f000-0000-7000-8000-000000000001';
    expect(scopeParams(order!, { branch: id, priority: 'P1' }, AT)).toEqual({ params: [id, '-P1-'], missing: [] });
    expect(scopeParams(order!, { priority: null }, AT).missing).toEqual(['branch', 'priority']);
  });

  it('passes the reserved set as bigint arrays: exact numbers are ranges of one', () => {
    const [contract] = numbered('contract');
    expect(contract!.reservedParams).toEqual([
      ['8', '13', '8888', '20'],
      ['8', '13', '8888', '24'],
      ['888'],
      ['1000'],
    ]);
  });
});
