// List queries through HTTP: every filter operator on every field kind that allows it (results checked
// against hand-computed ids), vars through belongsTo, money sub-fields, some/none over hasMany and manyToMany,
// logical operators, disallowed operators (400 naming operator and field), sort, fields, include, total, limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedApiDemo, type ApiDemoSeed } from '../../support/api-demo-seed.js';
import { listUrl, type ListParams } from '../../support/list-url.js';
import { expectProblem } from '../../support/problem-checks.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

let t: TestEngine;
let seed: ApiDemoSeed;
/** deal code -> id */
const ids = new Map<string, string>();

const v = (path: string) => ({ var: path });

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'tests/fixtures/packs/api-demo'] });
  seed = await seedApiDemo(t);
  const { accounts: a, users: u, tags: g } = seed;
  const gone = await t.request('POST', '/api/v1/tag', { label_text: 'gone' });
  const deals = [
    {
      code: 'D1',
      title: 'Alpha deal',
      notes: 'First note',
      quantity: 10,
      probability: '12.50',
      amount: { amount: '1000.00', currency: 'USD' },
      won: false,
      close_date: '2024-01-15',
      signed_at: '2024-01-15T08:00:00.000Z',
      stage: 'lead',
      channels: ['web'],
      contact_email: 'a@x.com',
      contact_phone: '+1 555 0001',
      website: 'https://a.example.com',
      extra: { k: 1 },
      account: a.acme,
      tags: [g.hot, g.vip],
      owner: u.alice,
    },
    {
      code: 'D2',
      title: 'Beta deal',
      notes: null,
      quantity: 0,
      probability: '0.00',
      amount: { amount: '250.50', currency: 'CNY' },
      won: true,
      close_date: '2024-02-29',
      signed_at: '2024-02-29T23:30:00+08:00',
      stage: 'qualified',
      channels: ['web', 'phone'],
      contact_email: null,
      contact_phone: null,
      website: null,
      extra: null,
      account: a.beta,
      tags: [g.cold],
      owner: u.bob,
    },
    {
      code: 'D3',
      title: 'gamma Deal',
      notes: 'Second NOTE',
      quantity: 500,
      probability: '99.99',
      amount: null,
      won: false,
      close_date: null,
      signed_at: null,
      stage: 'proposal',
      channels: null,
      contact_email: 'c@y.org',
      contact_phone: '+86 10 8888',
      website: 'http://c.example.org/path',
      extra: { k: [1] },
      account: a.acme,
      tags: [gone.body.data.id],
      owner: null,
    },
    {
      code: 'D4',
      title: 'Delta',
      notes: '',
      quantity: null,
      probability: null,
      amount: { amount: '1000', currency: 'EUR' },
      won: true,
      close_date: '2025-06-01',
      signed_at: '2025-06-01T00:00:00Z',
      stage: 'closed',
      channels: ['partner'],
      contact_email: 'd@x.com',
      contact_phone: '+1 555 0004',
      website: 'https://d.example.com',
      extra: [],
      account: a.gamma,
      tags: [g.hot],
      owner: u.alice,
    },
    {
      code: 'D5',
      title: 'Epsilon',
      notes: 'note five',
      quantity: 42,
      probability: '50',
      amount: { amount: '99999.99', currency: 'USD' },
      won: false,
      close_date: '2024-01-15',
      signed_at: '2024-01-15T08:00:00.001Z',
      stage: 'lead',
      channels: ['phone', 'partner'],
      contact_email: 'e@x.com',
      contact_phone: null,
      website: null,
      extra: null,
      account: a.holding,
      tags: [g.vip, g.cold],
      owner: null,
    },
    {
      code: 'D6',
      title: 'Promo 100% off_sale',
      notes: 'a%b_c',
      quantity: 1_000_000,
      probability: '100.00',
      amount: { amount: '0.00', currency: 'USD' },
      won: false,
      close_date: '2023-12-31',
      signed_at: '2023-12-31T23:59:59.999Z',
      stage: 'qualified',
      channels: [],
      contact_email: null,
      contact_phone: null,
      website: null,
      extra: {},
      account: a.beta,
      tags: [g.hot, g.cold, g.vip],
      owner: u.bob,
    },
    { code: 'D7', title: 'Deleted deal', quantity: 10, won: true, stage: 'lead', account: a.holding, tags: [g.hot], channels: ['web'] },
  ];
  const res = await t.request('POST', '/api/v1/deal/bulk', { data: deals });
  if (res.status !== 201) throw new Error(`seed failed: ${JSON.stringify(res.body)}`);
  for (const d of res.body.data as Array<{ id: string; code: string }>) ids.set(d.code, d.id);
  const del = await t.request('DELETE', `/api/v1/deal/${ids.get('D7')}`);
  if (del.status !== 200) throw new Error('delete failed');
  // A deleted tag stays in the junction table but must not count for some/none or include.
  await t.request('DELETE', `/api/v1/tag/${gone.body.data.id}`);
});

afterAll(async () => {
  await t?.stop();
});

async function list(entity: string, params: ListParams): Promise<{ status: number; body: any; headers: Headers }> {
  return t.request('GET', listUrl(entity, { limit: 500, ...params }));
}

async function dealCodes(filter: unknown, extra: ListParams = {}): Promise<string[]> {
  const res = await list('deal', { filter, ...extra });
  expect(res.status, `${JSON.stringify(filter)} -> ${JSON.stringify(res.body)}`).toBe(200);
  return (res.body.data as Array<{ code: string }>).map((d) => d.code).sort();
}

type Case = [string, unknown, string[]];

function runCases(cases: readonly Case[]): void {
  it.each(cases)('%s', async (_name, filter, expected) => {
    expect(await dealCodes(filter)).toEqual([...expected].sort());
  });
}

const ALL = ['D1', 'D2', 'D3', 'D4', 'D5', 'D6'];

describe('text (title)', () => {
  runCases([
    ['== is exact', { '==': [v('title'), 'Delta'] }, ['D4']],
    ['== is case-sensitive', { '==': [v('title'), 'delta'] }, []],
    ['!=', { '!=': [v('title'), 'Delta'] }, ['D1', 'D2', 'D3', 'D5', 'D6']],
    ['< in code point order', { '<': [v('title'), 'Beta deal'] }, ['D1']],
    ['<=', { '<=': [v('title'), 'Beta deal'] }, ['D1', 'D2']],
    ['> (lower case after upper case)', { '>': [v('title'), 'Epsilon'] }, ['D3', 'D6']],
    ['>=', { '>=': [v('title'), 'Epsilon'] }, ['D3', 'D5', 'D6']],
    ['between is inclusive', { between: [v('title'), 'B', 'Delta'] }, ['D2', 'D4']],
    ['in', { in: [v('title'), ['Delta', 'Epsilon', 'nope']] }, ['D4', 'D5']],
    ['contains ignores case', { contains: [v('title'), 'DEAL'] }, ['D1', 'D2', 'D3']],
    ['contains treats % literally', { contains: [v('title'), '%'] }, ['D6']],
    ['contains treats _ literally', { contains: [v('title'), 'f_s'] }, ['D6']],
    ['contains: _ is no wildcard', { contains: [v('title'), 'a_d'] }, []],
    ['startsWith', { startsWith: [v('title'), 'Beta'] }, ['D2']],
    ['startsWith ignores ASCII case, as contains does', { startsWith: [v('title'), 'bETA'] }, ['D2']],
    ['isNull on a required field', { isNull: [v('title')] }, []],
    ['code in', { in: [v('code'), ['D1', 'D6']] }, ['D1', 'D6']],
  ]);
});

describe('longtext (notes)', () => {
  runCases([
    ['==', { '==': [v('notes'), 'First note'] }, ['D1']],
    ['!= counts missing values as different', { '!=': [v('notes'), 'First note'] }, ['D2', 'D3', 'D4', 'D5', 'D6']],
    ['in with the empty string', { in: [v('notes'), ['', 'note five']] }, ['D4', 'D5']],
    ['isNull (bare var)', { isNull: v('notes') }, ['D2']],
    ['== null means isNull', { '==': [v('notes'), null] }, ['D2']],
    ['!= null means is not null', { '!=': [v('notes'), null] }, ['D1', 'D3', 'D4', 'D5', 'D6']],
    ['contains', { contains: [v('notes'), 'note'] }, ['D1', 'D3', 'D5']],
    ['contains _ literally', { contains: [v('notes'), 'b_c'] }, ['D6']],
    ['startsWith', { startsWith: [v('notes'), 'note'] }, ['D5']],
  ]);
});

describe('email, phone, url', () => {
  runCases([
    ['email ==', { '==': [v('contact_email'), 'a@x.com'] }, ['D1']],
    ['email contains', { contains: [v('contact_email'), '@X.com'] }, ['D1', 'D4', 'D5']],
    ['email startsWith', { startsWith: [v('contact_email'), 'c@'] }, ['D3']],
    ['email >', { '>': [v('contact_email'), 'c@y.org'] }, ['D4', 'D5']],
    ['email between', { between: [v('contact_email'), 'b', 'd@x.com'] }, ['D3', 'D4']],
    ['email in', { in: [v('contact_email'), ['a@x.com', 'c@y.org']] }, ['D1', 'D3']],
    ['email isNull', { isNull: [v('contact_email')] }, ['D2', 'D6']],
    ['phone startsWith', { startsWith: [v('contact_phone'), '+1 '] }, ['D1', 'D4']],
    ['phone contains', { contains: [v('contact_phone'), '8888'] }, ['D3']],
    ['phone <=', { '<=': [v('contact_phone'), '+1 555 0001'] }, ['D1']],
    ['phone isNull', { isNull: [v('contact_phone')] }, ['D2', 'D5', 'D6']],
    ['url startsWith', { startsWith: [v('website'), 'https://'] }, ['D1', 'D4']],
    ['url contains', { contains: [v('website'), '.org'] }, ['D3']],
    ['url !=', { '!=': [v('website'), 'https://a.example.com'] }, ['D2', 'D3', 'D4', 'D5', 'D6']],
    ['url >=', { '>=': [v('website'), 'https://d'] }, ['D4']],
  ]);
});

describe('integer (quantity)', () => {
  runCases([
    ['==', { '==': [v('quantity'), 0] }, ['D2']],
    ['!=', { '!=': [v('quantity'), 10] }, ['D2', 'D3', 'D4', 'D5', 'D6']],
    ['<', { '<': [v('quantity'), 42] }, ['D1', 'D2']],
    ['<=', { '<=': [v('quantity'), 42] }, ['D1', 'D2', 'D5']],
    ['>', { '>': [v('quantity'), 42] }, ['D3', 'D6']],
    ['>=', { '>=': [v('quantity'), 500] }, ['D3', 'D6']],
    ['between', { between: [v('quantity'), 10, 500] }, ['D1', 'D3', 'D5']],
    ['in', { in: [v('quantity'), [0, 42, 7]] }, ['D2', 'D5']],
    ['isNull', { isNull: [v('quantity')] }, ['D4']],
    ['> beyond int4', { '>': [v('quantity'), 3_000_000_000] }, []],
  ]);
});

describe('decimal (probability)', () => {
  runCases([
    ['== with another spelling', { '==': [v('probability'), '12.5'] }, ['D1']],
    ['== with a JSON number', { '==': [v('probability'), 12.5] }, ['D1']],
    ['!=', { '!=': [v('probability'), '0'] }, ['D1', 'D3', 'D4', 'D5', 'D6']],
    ['<', { '<': [v('probability'), '50'] }, ['D1', 'D2']],
    ['<=', { '<=': [v('probability'), 50] }, ['D1', 'D2', 'D5']],
    ['>', { '>': [v('probability'), 0] }, ['D1', 'D3', 'D5', 'D6']],
    ['>=', { '>=': [v('probability'), '99.99'] }, ['D3', 'D6']],
    ['between', { between: [v('probability'), '12.50', '50'] }, ['D1', 'D5']],
    ['in', { in: [v('probability'), ['0', '100']] }, ['D2', 'D6']],
    ['isNull', { isNull: [v('probability')] }, ['D4']],
  ]);
});

describe('currency (amount.amount, amount.currency)', () => {
  runCases([
    ['amount ==', { '==': [v('amount.amount'), '1000'] }, ['D1', 'D4']],
    ['amount !=', { '!=': [v('amount.amount'), '1000'] }, ['D2', 'D3', 'D5', 'D6']],
    ['amount >', { '>': [v('amount.amount'), '250.5'] }, ['D1', 'D4', 'D5']],
    ['amount >=', { '>=': [v('amount.amount'), '250.50'] }, ['D1', 'D2', 'D4', 'D5']],
    ['amount <', { '<': [v('amount.amount'), 1000] }, ['D2', 'D6']],
    ['amount <=', { '<=': [v('amount.amount'), 0] }, ['D6']],
    ['amount between', { between: [v('amount.amount'), 0, '250.50'] }, ['D2', 'D6']],
    ['amount in', { in: [v('amount.amount'), ['0.00', '99999.99']] }, ['D5', 'D6']],
    ['amount isNull', { isNull: [v('amount.amount')] }, ['D3']],
    ['currency ==', { '==': [v('amount.currency'), 'USD'] }, ['D1', 'D5', 'D6']],
    ['currency !=', { '!=': [v('amount.currency'), 'USD'] }, ['D2', 'D3', 'D4']],
    ['currency in', { in: [v('amount.currency'), ['CNY', 'EUR']] }, ['D2', 'D4']],
    ['currency isNull', { isNull: [v('amount.currency')] }, ['D3']],
    ['amount and currency', { and: [{ '==': [v('amount.currency'), 'USD'] }, { '>=': [v('amount.amount'), 1000] }] }, ['D1', 'D5']],
  ]);
});

describe('boolean, date, datetime', () => {
  runCases([
    ['won == true', { '==': [v('won'), true] }, ['D2', 'D4']],
    ['won != true', { '!=': [v('won'), true] }, ['D1', 'D3', 'D5', 'D6']],
    ['won isNull', { isNull: [v('won')] }, []],
    ['date ==', { '==': [v('close_date'), '2024-01-15'] }, ['D1', 'D5']],
    ['date !=', { '!=': [v('close_date'), '2024-01-15'] }, ['D2', 'D3', 'D4', 'D6']],
    ['date <', { '<': [v('close_date'), '2024-01-15'] }, ['D6']],
    ['date <=', { '<=': [v('close_date'), '2024-01-15'] }, ['D1', 'D5', 'D6']],
    ['date >', { '>': [v('close_date'), '2024-02-28'] }, ['D2', 'D4']],
    ['date >= a leap day', { '>=': [v('close_date'), '2024-02-29'] }, ['D2', 'D4']],
    ['date between', { between: [v('close_date'), '2024-01-01', '2024-12-31'] }, ['D1', 'D2', 'D5']],
    ['date in', { in: [v('close_date'), ['2023-12-31', '2025-06-01']] }, ['D4', 'D6']],
    ['date isNull', { isNull: [v('close_date')] }, ['D3']],
    ['datetime == across time zones', { '==': [v('signed_at'), '2024-01-15T16:00:00+08:00'] }, ['D1']],
    ['datetime != ', { '!=': [v('signed_at'), '2024-01-15T08:00:00Z'] }, ['D2', 'D3', 'D4', 'D5', 'D6']],
    ['datetime > by one millisecond', { '>': [v('signed_at'), '2024-01-15T08:00:00Z'] }, ['D2', 'D4', 'D5']],
    ['datetime >=', { '>=': [v('signed_at'), '2024-01-15T08:00:00Z'] }, ['D1', 'D2', 'D4', 'D5']],
    ['datetime <', { '<': [v('signed_at'), '2024-01-01T00:00:00Z'] }, ['D6']],
    ['datetime <= with an offset', { '<=': [v('signed_at'), '2024-01-01T07:59:59.999+08:00'] }, ['D6']],
    ['datetime between', { between: [v('signed_at'), '2024-01-15T08:00:00Z', '2024-02-29T15:30:00Z'] }, ['D1', 'D2', 'D5']],
    ['datetime in', { in: [v('signed_at'), ['2025-06-01T02:00:00+02:00']] }, ['D4']],
    ['datetime isNull', { isNull: [v('signed_at')] }, ['D3']],
  ]);
});

describe('enum, multienum, json', () => {
  runCases([
    ['enum ==', { '==': [v('stage'), 'lead'] }, ['D1', 'D5']],
    ['enum !=', { '!=': [v('stage'), 'lead'] }, ['D2', 'D3', 'D4', 'D6']],
    ['enum in', { in: [v('stage'), ['qualified', 'closed']] }, ['D2', 'D4', 'D6']],
    ['enum isNull', { isNull: [v('stage')] }, []],
    ['multienum contains', { contains: [v('channels'), 'web'] }, ['D1', 'D2']],
    ['multienum contains another', { contains: [v('channels'), 'partner'] }, ['D4', 'D5']],
    ['multienum isNull (an empty list is a value)', { isNull: [v('channels')] }, ['D3']],
    ['multienum not contains', { '!': { contains: [v('channels'), 'web'] } }, ['D3', 'D4', 'D5', 'D6']],
    ['json isNull', { isNull: [v('extra')] }, ['D2', 'D5']],
  ]);
});

describe('relation and user fields', () => {
  it.each([
    ['account ==', () => ({ '==': [v('account'), seed.accounts.acme] }), ['D1', 'D3']],
    ['account == upper-case uuid', () => ({ '==': [v('account'), seed.accounts.acme.toUpperCase()] }), ['D1', 'D3']],
    ['account !=', () => ({ '!=': [v('account'), seed.accounts.acme] }), ['D2', 'D4', 'D5', 'D6']],
    ['account in', () => ({ in: [v('account'), [seed.accounts.beta, seed.accounts.gamma]] }), ['D2', 'D4', 'D6']],
    ['account isNull', () => ({ isNull: [v('account')] }), []],
    ['owner ==', () => ({ '==': [v('owner'), seed.users.alice] }), ['D1', 'D4']],
    ['owner !=', () => ({ '!=': [v('owner'), seed.users.bob] }), ['D1', 'D3', 'D4', 'D5']],
    ['owner in', () => ({ in: [v('owner'), [seed.users.alice, seed.users.bob]] }), ['D1', 'D2', 'D4', 'D6']],
    ['owner isNull', () => ({ isNull: [v('owner')] }), ['D3', 'D5']],
    ['id in', () => ({ in: [v('id'), [ids.get('D1'), ids.get('D7')]] }), ['D1']],
    ['version ==', () => ({ '==': [v('version'), 1] }), ALL],
  ] as Array<[string, () => unknown, string[]]>)('%s', async (_name, filter, expected) => {
    expect(await dealCodes(filter())).toEqual(expected);
  });
});

describe('var paths through belongsTo', () => {
  it.each([
    ['account.region ==', () => ({ '==': [v('account.region'), 'north'] }), ['D1', 'D3']],
    ['account.region != (a missing region differs)', () => ({ '!=': [v('account.region'), 'north'] }), ['D2', 'D4', 'D5', 'D6']],
    ['account.region isNull', () => ({ isNull: [v('account.region')] }), ['D4']],
    ['account.tier >=', () => ({ '>=': [v('account.tier'), 3] }), ['D2', 'D5', 'D6']],
    ['account.name startsWith', () => ({ startsWith: [v('account.name'), 'A'] }), ['D1', 'D3']],
    ['account.owner ==', () => ({ '==': [v('account.owner'), seed.users.alice] }), ['D1', 'D3']],
    ['account.parent.name ==', () => ({ '==': [v('account.parent.name'), 'Holding'] }), ['D1', 'D2', 'D3', 'D6']],
    ['account.parent.name isNull', () => ({ isNull: [v('account.parent.name')] }), ['D4', 'D5']],
    ['account.parent.region in', () => ({ in: [v('account.parent.region'), ['east']] }), ['D1', 'D2', 'D3', 'D6']],
    ['account.parent.parent.name isNull', () => ({ isNull: [v('account.parent.parent.name')] }), ALL],
    [
      'two paths sharing a join',
      () => ({ and: [{ '==': [v('account.region'), 'south'] }, { '==': [v('account.name'), 'Beta'] }] }),
      ['D2', 'D6'],
    ],
  ] as Array<[string, () => unknown, string[]]>)('%s', async (_name, filter, expected) => {
    expect(await dealCodes(filter())).toEqual(expected);
  });
});

describe('some / none', () => {
  runCases([
    ['some tags ==', { some: [v('tags'), { '==': [v('label_text'), 'hot'] }] }, ['D1', 'D4', 'D6']],
    ['none tags ==', { none: [v('tags'), { '==': [v('label_text'), 'hot'] }] }, ['D2', 'D3', 'D5']],
    ['some tags at all (deleted tags do not count)', { some: [v('tags'), true] }, ['D1', 'D2', 'D4', 'D5', 'D6']],
    ['none tags at all', { none: [v('tags'), true] }, ['D3']],
    [
      'some tags with or inside',
      { some: [v('tags'), { or: [{ startsWith: [v('label_text'), 'c'] }, { '==': [v('label_text'), 'vip'] }] }] },
      ['D1', 'D2', 'D5', 'D6'],
    ],
    ['some tags of a deleted tag', { some: [v('tags'), { '==': [v('label_text'), 'gone'] }] }, []],
    [
      'some combined with a field',
      { and: [{ some: [v('tags'), { '==': [v('label_text'), 'hot'] }] }, { '==': [v('won'), true] }] },
      ['D4'],
    ],
  ]);

  async function accountNames(filter: unknown): Promise<string[]> {
    const res = await list('account', { filter });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return (res.body.data as Array<{ name: string }>).map((a) => a.name).sort();
  }

  it.each([
    ['some deals won (a deleted deal does not count)', { some: [v('deals'), { '==': [v('won'), true] }] }, ['Beta', 'Gamma']],
    ['none deals won', { none: [v('deals'), { '==': [v('won'), true] }] }, ['Acme', 'Holding']],
    ['some deals quantity >=', { some: [v('deals'), { '>=': [v('quantity'), 500] }] }, ['Acme', 'Beta']],
    [
      'some deals some tags (nested)',
      { some: [v('deals'), { some: [v('tags'), { '==': [v('label_text'), 'vip'] }] }] },
      ['Acme', 'Beta', 'Holding'],
    ],
    ['some deals with a user field', { some: [v('deals'), { '==': [v('owner'), '00000000-0000-0000-0000-000000000000'] }] }, []],
    ['none deals at all', { none: [v('deals'), true] }, []],
    ['some subsidiaries', { some: [v('subsidiaries'), { '==': [v('region'), 'south'] }] }, ['Holding']],
    ['none subsidiaries', { none: [v('subsidiaries'), true] }, ['Acme', 'Beta', 'Gamma']],
  ] as Array<[string, unknown, string[]]>)('account: %s', async (_name, filter, expected) => {
    expect(await accountNames(filter)).toEqual(expected);
  });

  it('vars inside some resolve against the element entity', async () => {
    const res = await list('deal', { filter: { some: [v('tags'), { '>': [v('quantity'), 1] }] } });
    expectProblem(res, 400, 'filter.unknown_field');
    expect(res.body.detail).toContain('quantity');
  });
});

describe('contains folds ASCII case only, the same on every database', () => {
  it('matches A-Z case-insensitively and leaves other letters as they are', async () => {
    const tag = await t.request('POST', '/api/v1/tag', { label_text: 'ÉCOLE Straße ΣΑΣ' });
    expect(tag.status).toBe(201);
    const labels = async (needle: string) => {
      const res = await list('tag', { filter: { contains: [v('label_text'), needle] } });
      expect(res.status).toBe(200);
      return (res.body.data as Array<{ label_text: string }>).map((x) => x.label_text);
    };
    expect(await labels('cole')).toEqual(['ÉCOLE Straße ΣΑΣ']);
    expect(await labels('STRA')).toEqual(['ÉCOLE Straße ΣΑΣ']);
    expect(await labels('Straße')).toEqual(['ÉCOLE Straße ΣΑΣ']);
    expect(await labels('école')).toEqual([]);
    expect(await labels('σας')).toEqual([]);
    expect(await labels('STRASSE')).toEqual([]);
    await t.request('DELETE', `/api/v1/tag/${tag.body.data.id}`);
  });
});

describe('logical operators', () => {
  runCases([
    ['and', { and: [{ '==': [v('stage'), 'lead'] }, { '>': [v('quantity'), 10] }] }, ['D5']],
    ['or', { or: [{ '==': [v('stage'), 'closed'] }, { '==': [v('quantity'), 0] }] }, ['D2', 'D4']],
    ['! (object form)', { '!': { '==': [v('stage'), 'lead'] } }, ['D2', 'D3', 'D4', 'D6']],
    ['! (list form)', { '!': [{ '==': [v('stage'), 'lead'] }] }, ['D2', 'D3', 'D4', 'D6']],
    ['! of a comparison with a missing value is true', { '!': { '>': [v('quantity'), 10] } }, ['D1', 'D2', 'D4']],
    [
      'nested and/or/!',
      { or: [{ and: [{ '==': [v('won'), true] }, { '==': [v('account.region'), 'south'] }] }, { '!': { some: [v('tags'), true] } }] },
      ['D2', 'D3'],
    ],
    ['true', true, ALL],
    ['false', false, []],
    ['and of one', { and: [{ '==': [v('code'), 'D1'] }] }, ['D1']],
  ]);
});

describe('disallowed operators and bad filters are 400s naming operator and field', () => {
  it.each([
    ['<', 'notes'],
    ['>', 'stage'],
    ['contains', 'stage'],
    ['between', 'won'],
    ['<', 'won'],
    ['contains', 'quantity'],
    ['startsWith', 'probability'],
    ['==', 'channels'],
    ['in', 'channels'],
    ['==', 'extra'],
    ['<', 'account'],
    ['contains', 'owner'],
    ['<', 'amount.currency'],
    ['startsWith', 'amount.amount'],
    ['contains', 'close_date'],
    ['startsWith', 'signed_at'],
    ['>', 'account.region'],
    ['contains', 'id'],
  ])('%s on %s', async (op, field) => {
    const literal = op === 'between' ? ['a', 'b'] : op === 'in' ? [['a']] : ['a'];
    const res = await list('deal', { filter: { [op]: [v(field), ...literal] } });
    expectProblem(res, 400, 'filter.operator_not_allowed', [
      { pointer: `/${op.replace(/~/g, '~0').replace(/\//g, '~1')}/0`, code: 'filter.operator_not_allowed' },
    ]);
    expect(res.body.detail).toContain(`"${op}"`);
    expect(res.body.detail).toContain(field);
  });

  it.each([
    ['unknown field', { '==': [v('nope'), 1] }, 'filter.unknown_field'],
    ['unknown relation hop', { '==': [v('account.nope'), 1] }, 'filter.unknown_field'],
    ['a path through a non-relation', { '==': [v('title.length'), 1] }, 'filter.unknown_field'],
    ['money without a part', { '==': [v('amount'), '1'] }, 'filter.unknown_field'],
    ['a collection used as a value', { '==': [v('tags'), 'x'] }, 'filter.unknown_field'],
    ['some over a non-collection', { some: [v('title'), true] }, 'filter.unknown_field'],
    ['unknown operator', { like: [v('title'), '%'] }, 'filter.unknown_operator'],
    ['string for an integer', { '==': [v('quantity'), '10'] }, 'filter.invalid_value'],
    ['string for a boolean', { '==': [v('won'), 'true'] }, 'filter.invalid_value'],
    ['impossible date', { '==': [v('close_date'), '2024-02-30'] }, 'filter.invalid_value'],
    ['datetime without an offset', { '>': [v('signed_at'), '2024-01-15T08:00:00'] }, 'filter.invalid_value'],
    ['bad uuid', { '==': [v('account'), 'not-a-uuid'] }, 'filter.invalid_value'],
    ['bad decimal', { '==': [v('probability'), '1e3'] }, 'filter.invalid_value'],
    ['null for <', { '<': [v('quantity'), null] }, 'filter.invalid_value'],
    ['in without a list', { in: [v('quantity'), 5] }, 'filter.malformed'],
    ['between with one value', { between: [v('quantity'), 5] }, 'filter.malformed'],
    ['two operators in one object', { '==': [v('code'), 'D1'], '!=': [v('code'), 'D2'] }, 'filter.malformed'],
    ['a bare string', 'D1', 'filter.malformed'],
    ['a number', 5, 'filter.malformed'],
    ['an array', [{ '==': [v('code'), 'D1'] }], 'filter.malformed'],
    ['literal first', { '==': ['D1', v('code')] }, 'filter.malformed'],
    ['text compared with a computed number', { '==': [v('code'), { '+': [1, 2] }] }, 'filter.type_mismatch'],
    ['empty and', { and: [] }, 'filter.malformed'],
  ] as Array<[string, unknown, string]>)('%s', async (_name, filter, code) => {
    const res = await t.request('GET', `/api/v1/deal?filter=${encodeURIComponent(JSON.stringify(filter))}`);
    expectProblem(res, 400, code);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])(
    'a var named %s (an Object.prototype member) -> 400 unknown field',
    async (name) => {
      expectProblem(await list('deal', { filter: { '==': [v(name), 'x'] } }), 400, 'filter.unknown_field');
      expectProblem(await list('deal', { filter: { isNull: [v(name)] } }), 400, 'filter.unknown_field');
      expectProblem(await list('deal', { filter: { some: [v('tags'), { '==': [v(name), 'x'] }] } }), 400, 'filter.unknown_field');
      expectProblem(await list('deal', { sort: name }), 400);
    },
  );

  it('reports every problem of a filter at once', async () => {
    const res = await list('deal', {
      filter: { and: [{ '<': [v('notes'), 'a'] }, { '==': [v('nope'), 1] }, { '==': [v('quantity'), 'x'] }] },
    });
    expectProblem(res, 400, undefined, [
      { pointer: '/and/0/</0', code: 'filter.operator_not_allowed' },
      { pointer: '/and/1/==/0', code: 'filter.unknown_field' },
      { pointer: '/and/2/==/1', code: 'filter.invalid_value' },
    ]);
  });

  it('filter that is not JSON is a 400', async () => {
    expectProblem(await t.request('GET', '/api/v1/deal?filter=%7B%22%3D%3D%22'), 400, 'filter.malformed');
  });
});

describe('sort', () => {
  async function sortedCodes(sort: string): Promise<string[]> {
    const res = await list('deal', { sort });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return (res.body.data as Array<{ code: string }>).map((d) => d.code);
  }

  it.each([
    ['stage,-quantity', ['D4', 'D5', 'D1', 'D3', 'D6', 'D2']],
    ['-close_date,title', ['D3', 'D4', 'D2', 'D1', 'D5', 'D6']],
    ['close_date,-title', ['D6', 'D5', 'D1', 'D2', 'D4', 'D3']],
    ['account.name,-amount.amount', ['D3', 'D1', 'D2', 'D6', 'D4', 'D5']],
    ['account.parent.name,title', ['D1', 'D2', 'D6', 'D3', 'D4', 'D5']],
    ['-won,probability', ['D2', 'D4', 'D1', 'D5', 'D3', 'D6']],
    ['signed_at', ['D6', 'D1', 'D5', 'D2', 'D4', 'D3']],
    ['-signed_at', ['D3', 'D4', 'D2', 'D5', 'D1', 'D6']],
    ['title', ['D1', 'D2', 'D4', 'D5', 'D6', 'D3']],
    ['amount.currency,-code', ['D2', 'D4', 'D6', 'D5', 'D1', 'D3']],
    ['account.region,-quantity', ['D5', 'D3', 'D1', 'D6', 'D2', 'D4']],
    ['code', ['D1', 'D2', 'D3', 'D4', 'D5', 'D6']],
    ['-code', ['D6', 'D5', 'D4', 'D3', 'D2', 'D1']],
  ])('sort=%s', async (sort, expected) => {
    expect(await sortedCodes(sort)).toEqual(expected);
  });

  it('sort with offset pages through the same order', async () => {
    const res = await t.request('GET', listUrl('deal', { sort: 'code', limit: 2, offset: 2 }));
    expect(res.body.data.map((d: { code: string }) => d.code)).toEqual(['D3', 'D4']);
    expect(res.body.meta).toMatchObject({ limit: 2, offset: 2 });
  });

  it.each([
    'nope',
    'account.nope',
    'extra',
    'channels',
    'tags',
    'amount',
    'title,quantity,stage,code,won,notes',
    'Title',
    'title;drop',
    '--title',
    'account.deals',
  ])('sort=%s is a 400', async (sort) => {
    const res = await list('deal', { sort });
    expectProblem(res, 400);
    expect(res.body.title).toMatch(/^(query|filter)\./);
    expect(res.body.errors?.[0]?.pointer ?? '').toMatch(/^\/sort/);
  });
});

describe('fields, include, total, limit', () => {
  it('fields= selects fields (the id always comes; version and the timestamps only when asked, #18 part 10)', async () => {
    const res = await list('deal', { fields: 'title,stage', sort: 'code' });
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(6);
    for (const d of res.body.data as Array<Record<string, unknown>>) expect(Object.keys(d).sort()).toEqual(['id', 'stage', 'title']);
    const system = await list('deal', { fields: 'title,version,created_at', sort: '-updated_at' });
    for (const d of system.body.data as Array<Record<string, unknown>>)
      expect(Object.keys(d).sort()).toEqual(['created_at', 'id', 'title', 'version']);
    expect(res.body.data[0]).toMatchObject({ title: 'Alpha deal', stage: 'lead' });
  });

  it('fields= with an unknown field is a 400', async () => {
    expectProblem(await list('deal', { fields: 'title,nope' }), 400, 'query.unknown_field');
  });

  it('include=account embeds the belongsTo record', async () => {
    const res = await list('deal', { include: 'account', sort: 'code' });
    expect(res.status).toBe(200);
    const byCode = new Map(
      (res.body.data as Array<{ code: string; account: { id: string; name: string } }>).map((d) => [d.code, d.account]),
    );
    expect(byCode.get('D1')).toMatchObject({ id: seed.accounts.acme, name: 'Acme', region: 'north' });
    expect(byCode.get('D4')).toMatchObject({ id: seed.accounts.gamma, name: 'Gamma', region: null });
  });

  it('include=owner embeds the user record; a missing one stays null', async () => {
    const res = await list('deal', { include: 'owner', sort: 'code' });
    expect(res.body.data[0].owner).toMatchObject({ id: seed.users.alice, username: 'alice' });
    expect(res.body.data[2].owner).toBeNull();
  });

  it('include=tags embeds the manyToMany records, live ones only', async () => {
    const res = await list('deal', { include: 'tags', sort: 'code' });
    expect(res.status).toBe(200);
    const labels = (res.body.data as Array<{ tags: Array<{ label_text: string }> }>).map((d) => d.tags.map((x) => x.label_text).sort());
    expect(labels).toEqual([['hot', 'vip'], ['cold'], [], ['hot'], ['cold', 'vip'], ['cold', 'hot', 'vip']]);
  });

  it('include=deals on account embeds the hasMany records, live ones only', async () => {
    const res = await list('account', { include: 'deals', sort: 'name' });
    expect(res.status).toBe(200);
    const byName = Object.fromEntries(
      (res.body.data as Array<{ name: string; deals: Array<{ code: string }> }>).map((a) => [a.name, a.deals.map((d) => d.code).sort()]),
    );
    expect(byName).toEqual({ Acme: ['D1', 'D3'], Beta: ['D2', 'D6'], Gamma: ['D4'], Holding: ['D5'] });
  });

  it('include=subsidiaries,parent on account', async () => {
    const res = await t.request('GET', `/api/v1/account/${seed.accounts.holding}?include=subsidiaries,parent`);
    expect(res.status).toBe(200);
    expect(res.body.data.parent).toBeNull();
    expect(res.body.data.subsidiaries.map((s: { name: string }) => s.name).sort()).toEqual(['Acme', 'Beta']);
  });

  it('include works together with fields=', async () => {
    const res = await list('deal', { fields: 'title', include: 'account,tags', filter: { '==': [v('code'), 'D1'] } });
    expect(res.status).toBe(200);
    const d = res.body.data[0];
    expect(d.title).toBe('Alpha deal');
    expect(d.account).toMatchObject({ name: 'Acme' });
    expect(d.tags).toHaveLength(2);
    expect(d).not.toHaveProperty('quantity');
  });

  it('include of something that is not a relation is a 400', async () => {
    expectProblem(await list('deal', { include: 'title' }), 400, 'query.unknown_include');
    expectProblem(await list('deal', { include: 'nope' }), 400, 'query.unknown_include');
    expectProblem(await t.request('GET', `/api/v1/deal/${ids.get('D1')}?include=nope`), 400, 'query.unknown_include');
  });

  it('total=exact counts every matching row, whatever the page', async () => {
    const res = await t.request('GET', listUrl('deal', { total: 'exact', limit: 2, filter: { '!=': [v('stage'), 'closed'] } }));
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(2);
    expect(res.body.meta.total).toBe(5);
    expect(typeof res.body.meta.nextCursor).toBe('string');
    const all = await t.request('GET', listUrl('deal', { total: 'exact' }));
    expect(all.body.meta.total).toBe(6);
    expect(all.body.meta).toMatchObject({ limit: 50, offset: 0, nextCursor: null });
    const without = await t.request('GET', listUrl('deal', {}));
    expect(without.body.meta).not.toHaveProperty('total');
    expectProblem(await list('deal', { total: 'yes' }), 400);
  });

  it('limit is 1 to 500', async () => {
    const one = await t.request('GET', listUrl('deal', { limit: 1 }));
    expect(one.body.data).toHaveLength(1);
    expect((await t.request('GET', listUrl('deal', { limit: 500 }))).status).toBe(200);
    for (const limit of ['501', '0', '-1', 'abc', '1.5', '99999999999']) {
      expectProblem(await t.request('GET', `/api/v1/deal?limit=${limit}`), 400, 'query.invalid_parameter', [{ pointer: '/limit' }]);
    }
  });

  it('unknown and repeated query parameters are 400s', async () => {
    expectProblem(await t.request('GET', '/api/v1/deal?where=1'), 400, 'query.unknown_parameter');
    expectProblem(await t.request('GET', '/api/v1/deal?limit=1&limit=2'), 400, 'query.invalid_parameter');
  });
});
