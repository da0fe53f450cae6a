// Template clauses made into contract text (plugins/contracts/render-clauses.ts) and contract term dates (term-dates.ts).
import { describe, expect, it } from 'vitest';
import { ClauseError, parseClauses, renderClauses } from '../../../../plugins/contracts/render-clauses.js';
import { nextDay, termEnd } from '../../../../plugins/contracts/term-dates.js';

describe('renderClauses', () => {
  const clauses = parseClauses([
    { title: '质保', text: '{{customer.name}} 享有 {{ values.months }} 个月质保。', when: { '>': [{ var: 'values.months' }, 0] } },
    { title: '保密', text: '双方保密。', when: { '==': [{ var: 'contract.contract_type' }, 'nda'] } },
    { title: '期限', text: '至 {{contract.end_date}}。' },
  ]);

  it('keeps the clauses whose condition holds, numbers them and fills their merge fields', () => {
    const data = { customer: { name: '甲方' }, contract: { contract_type: 'sales', end_date: '2027-12-31' }, values: { months: 12 } };
    expect(renderClauses(clauses, data)).toBe('1. 质保\n甲方 享有 12 个月质保。\n\n2. 期限\n至 2027-12-31。');
    const nda = { ...data, contract: { ...data.contract, contract_type: 'nda' }, values: { months: 0 } };
    expect(renderClauses(clauses, nda)).toBe('1. 保密\n双方保密。\n\n2. 期限\n至 2027-12-31。');
  });

  it('refuses a merge field with no value rather than leave a blank in a contract', () => {
    expect(() => renderClauses(clauses, { customer: { name: '甲方' }, contract: {}, values: { months: 3 } })).toThrow(ClauseError);
  });

  it('refuses clauses that are not a list of titled texts', () => {
    expect(() => parseClauses({ title: 'x' })).toThrow(ClauseError);
    expect(() => parseClauses([{ title: 'x' }])).toThrow(expect.objectContaining({ pointer: '/clauses/0' }));
    expect(parseClauses(null)).toEqual([]);
  });
});

describe('termEnd', () => {
  it('ends the day before the same date n months later, or on the last day of a shorter month', () => {
    expect(termEnd('2027-01-01', 12)).toBe('2027-12-31');
    expect(termEnd('2027-02-01', 12)).toBe('2028-01-31');
    expect(termEnd('2027-03-15', 1)).toBe('2027-04-14');
    expect(termEnd('2027-01-31', 1)).toBe('2027-02-28');
    expect(termEnd('2027-11-30', 3)).toBe('2028-02-29');
    expect(nextDay('2027-12-31')).toBe('2028-01-01');
    expect(nextDay('2028-02-28')).toBe('2028-02-29');
  });
});
