// planReport and drillFilter are pure: a CRM report becomes one Cube query over its cube (its filter a segment of its
// own), and a result row becomes the list filter of its records — time buckets as half-open ranges of dates or instants,
// empty values as isNull, joined dimensions through the relation the cube joins by. checkQueryMembers finds a member
// the viewer lacks wherever a query names it.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkQueryMembers } from '../../../../engine/src/bi/check-query-members.js';
import { drillFilter, listReports, planReport } from '../../../../engine/src/bi/report-plan.js';
import { loadModel } from '../../../../engine/src/metadata/load-model.js';
import { BUILTIN_RULES } from '../../../support/builtin-rules.js';

const model = loadModel([resolve('metadata/packs/core'), resolve('metadata/packs/crm')], { kinds: BUILTIN_RULES.kinds });
const plan = (name: string) => {
  const ref = listReports(model).find((r) => r.report.name === name);
  if (!ref) throw new Error(`no report ${name}`);
  return planReport(model, BUILTIN_RULES.kinds, ref);
};

describe('planReport', () => {
  it('makes one Cube query of a report, its filter a segment', () => {
    // A report that rolls up along the org tree queries the cube that repeats each record for every unit above it.
    expect(plan('weighted_revenue_by_quarter').query).toEqual({
      measures: ['opportunity__department_tree.weighted_pipeline', 'opportunity__department_tree.pipeline'],
      dimensions: ['opportunity__department_tree.department', 'org_unit.name'],
      timeDimensions: [{ dimension: 'opportunity__department_tree.expected_close', granularity: 'quarter' }],
      segments: ['opportunity__department_tree.open'],
      order: [],
      limit: 10000,
      timezone: 'UTC',
    });
    const top = plan('top_customers_by_revenue');
    expect(top.query).toMatchObject({
      dimensions: ['customer.name'],
      segments: ['opportunity.won'],
      order: [['opportunity.won_revenue', 'desc']],
      limit: 10,
    });
    expect(plan('special_handling_qualification').query.segments).toEqual(['lead.report_special_handling_qualification']);
  });
});

describe('drillFilter', () => {
  it('bounds a date bucket by dates and a time bucket by instants', () => {
    const open = { '!': { in: [{ var: 'stage' }, ['won', 'lost']] } };
    const quarter = plan('weighted_revenue_by_quarter');
    expect(
      drillFilter(quarter, new Map([['open', open]]), { department: 'u1', 'expected_close.quarter': '2026-10-01T00:00:00.000' }),
    ).toEqual({
      and: [
        open,
        { in: [{ var: 'department' }, ['u1']] },
        { '>=': [{ var: 'expected_close' }, '2026-10-01'] },
        { '<': [{ var: 'expected_close' }, '2027-01-01'] },
      ],
    });
    const leads = plan('new_leads');
    expect(drillFilter(leads, new Map(), { source: 'website', 'created_at.month': '2026-12-01T00:00:00.000' })).toEqual({
      and: [
        { '==': [{ var: 'source' }, 'website'] },
        { '>=': [{ var: 'created_at' }, '2026-12-01T00:00:00Z'] },
        { '<': [{ var: 'created_at' }, '2027-01-01T00:00:00Z'] },
      ],
    });
  });

  it('drills a node of the tree a report rolls up along down to the records of its subtree', () => {
    const quarter = plan('weighted_revenue_by_quarter');
    const row = { department: 'hq', 'org_unit.name': '总部', 'expected_close.quarter': '2026-10-01T00:00:00.000' };
    const open = { '!': { in: [{ var: 'stage' }, ['won', 'lost']] } };
    expect(drillFilter(quarter, new Map([['open', open]]), row, new Map([['hq', ['hq', 'east', 'east-s1']]]))).toEqual({
      and: [
        open,
        { in: [{ var: 'department' }, ['hq', 'east', 'east-s1']] },
        { '>=': [{ var: 'expected_close' }, '2026-10-01'] },
        { '<': [{ var: 'expected_close' }, '2027-01-01'] },
      ],
    });
  });

  it('carries the report filter and segments, and follows the join for related dimensions', () => {
    const won = { '==': [{ var: 'stage' }, 'won'] };
    expect(drillFilter(plan('top_customers_by_revenue'), new Map([['won', won]]), { 'customer.name': '苏州精密' })).toEqual({
      and: [won, { '==': [{ var: 'customer.name' }, '苏州精密'] }],
    });
    expect(drillFilter(plan('special_handling_qualification'), new Map(), { disqualify_reason: 'budget', source: 'website' })).toEqual({
      and: [
        { '==': [{ var: 'status' }, 'disqualified'] },
        { '==': [{ var: 'disqualify_reason' }, 'budget'] },
        { '==': [{ var: 'source' }, 'website'] },
      ],
    });
  });
});

describe('checkQueryMembers', () => {
  const members = new Set(['deal.count', 'deal.stage', 'deal.signed_at', 'account.tier']);
  it('finds a member the viewer lacks wherever the query names it', () => {
    expect(
      checkQueryMembers({ measures: ['deal.count'], dimensions: ['deal.stage'], order: { 'deal.signed_at.month': 'asc' } }, members),
    ).toBeUndefined();
    expect(checkQueryMembers({ measures: ['deal.value_sum'] }, members)).toBe('deal.value_sum');
    expect(checkQueryMembers({ filters: [{ or: [{ and: [{ member: 'deal.value', operator: 'set' }] }] }] }, members)).toBe('deal.value');
    expect(checkQueryMembers({ timeDimensions: [{ dimension: 'deal.close_date' }] }, members)).toBe('deal.close_date');
    expect(checkQueryMembers({ order: [['deal.secret', 'asc']] }, members)).toBe('deal.secret');
    expect(checkQueryMembers({ segments: ['deal.open'] }, members)).toBe('deal.open');
  });
});
