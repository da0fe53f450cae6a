// createRecordCodec(entity, kinds): the select list that makes PostgreSQL return rows that already are records,
// and API values -> column values for writes. Reads are decoded by the SQL itself, so the round trips below run
// the select list against a small stand-in for PostgreSQL that understands exactly the expressions it emits.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRecordCodec, withoutHelpers, type ApiRecord, type Row } from '../../../../engine/src/data/record-codec.js';
import { loadModel } from '../../../../engine/src/metadata/load-model.js';
import type { EntityDef } from '../../../../engine/src/metadata/model.js';
import { BUILTIN_RULES } from '../../../support/builtin-rules.js';

const model = loadModel(['metadata/packs/core', 'tests/fixtures/packs/api-demo'].map((d) => resolve(d)), { kinds: BUILTIN_RULES.kinds });

function entity(name: string): EntityDef {
  const e = model.entitiesByName[name];
  if (!e) throw new Error(`no entity ${name} in the test model`);
  return e;
}

const deal = entity('deal');
const codec = createRecordCodec(deal, BUILTIN_RULES.kinds);

const ACCOUNT = '00000000-0000-4000-8000-0000000000c1';
const OWNER = '00000000-0000-4000-8000-000000000001';
const TAG = '00000000-0000-4000-8000-0000000000d1';
const MONEY_SQL = (a: string) =>
  `CASE WHEN ${a}"amount" IS NULL THEN NULL ELSE json_build_object('amount', ${a}"amount"::text, 'currency', ${a}"amount_currency") END AS "amount"`;

/** A deal as the API shows it, with a value for every field. */
const FULL_DEAL: ApiRecord = {
  title: 'Big one', code: 'BIG-1', notes: 'Line 1\nLine 2', quantity: 3, probability: '12.50',
  amount: { amount: '123456789012.34', currency: 'EUR' }, won: false, close_date: '2024-02-29',
  signed_at: '2024-02-29T23:59:59.123456Z', stage: 'proposal', channels: ['web', 'partner'],
  contact_email: 'a@example.cn', contact_phone: '+86 10 1234', website: 'https://example.cn',
  extra: { nested: [1, 'two', { three: null }], flag: true }, account: ACCOUNT, tags: [TAG], owner: OWNER,
};

describe('createRecordCodec: readable fields', () => {
  it('are the system fields clients read and every declared field, manyToMany included', () => {
    expect([...codec.readableFields]).toEqual(['id', 'version', 'created_at', 'updated_at', ...deal.fields.map((f) => f.name)]);
    expect(codec.readableFields.has('tags')).toBe(true);
  });

  it('leave out the soft-delete marker and inverse relations', () => {
    expect(codec.readableFields.has('deleted_at')).toBe(false);
    const account = createRecordCodec(entity('account'), BUILTIN_RULES.kinds);
    expect(account.readableFields.has('deals')).toBe(false);
  });
});

describe('createRecordCodec: the select list', () => {
  it('reads system fields first, then every stored field in declaration order under its own name', () => {
    expect(splitSelect(codec.selectList('t').sql)).toEqual([
      't."id"', 't."version"', 't."created_at"', 't."updated_at"',
      't."title"', 't."code"', 't."notes"', 't."quantity"', 't."probability"',
      MONEY_SQL('t.'),
      't."won"', 't."close_date"', 't."signed_at"', 't."stage"', 't."channels"', 't."contact_email"', 't."contact_phone"', 't."website"',
      't."extra"', 't."account_id" AS "account"', 't."owner_id" AS "owner"',
    ]);
  });

  it('reads money as one { amount, currency } object with the amount as exact text, null when there is no amount', () => {
    expect(codec.selectList('x').sql).toContain(MONEY_SQL('x.'));
  });

  it('leaves columns unqualified for alias \'\' (RETURNING)', () => {
    const list = splitSelect(codec.selectList('').sql);
    expect(list.slice(0, 5)).toEqual(['"id"', '"version"', '"created_at"', '"updated_at"', '"title"']);
    expect(list).toContain(MONEY_SQL(''));
    expect(list).toContain('"account_id" AS "account"');
  });

  it('has no column for a manyToMany field (its ids are loaded separately)', () => {
    expect(codec.selectList('t').sql).not.toContain('tags');
  });

  it('maps each plain column expression back to its record property, for keyset cursors; money has none', () => {
    const { propertyOf } = codec.selectList('t');
    expect(propertyOf.get('t."id"')).toBe('id');
    expect(propertyOf.get('t."version"')).toBe('version');
    expect(propertyOf.get('t."close_date"')).toBe('close_date');
    expect(propertyOf.get('t."account_id"')).toBe('account');
    expect(propertyOf.get('t."owner_id"')).toBe('owner');
    expect(propertyOf.has('t."amount"')).toBe(false);
    expect(propertyOf.has('t."amount_currency"')).toBe(false);
    expect(propertyOf.size).toBe(deal.fields.length - 2 + 4);
  });

  it('with fields=, selects only those, always with the id', () => {
    expect(splitSelect(codec.selectList('t', new Set(['title', 'amount'])).sql)).toEqual(['t."id"', 't."title"', MONEY_SQL('t.')]);
    expect(splitSelect(codec.selectList('t', new Set(['version', 'account'])).sql)).toEqual(['t."id"', 't."version"', 't."account_id" AS "account"']);
    expect(splitSelect(codec.selectList('t', new Set(['tags', 'no_such_field'])).sql)).toEqual(['t."id"']);
    expect([...codec.selectList('t', new Set(['stage'])).propertyOf.values()]).toEqual(['id', 'stage']);
  });

  it('builds the full list once per alias', () => {
    expect(codec.selectList('t')).toBe(codec.selectList('t'));
    expect(codec.selectList('u')).not.toBe(codec.selectList('t'));
    expect(codec.selectList('t', new Set(['title']))).not.toBe(codec.selectList('t', new Set(['title'])));
  });
});

describe('createRecordCodec: API values -> column values', () => {
  it('splits money into amount and currency, keeps decimals as exact strings, maps references to their _id column', () => {
    expect(codec.toColumns(FULL_DEAL)).toEqual({
      title: 'Big one', code: 'BIG-1', notes: 'Line 1\nLine 2', quantity: 3, probability: '12.50',
      amount: '123456789012.34', amount_currency: 'EUR', won: false, close_date: '2024-02-29',
      signed_at: '2024-02-29T23:59:59.123456Z', stage: 'proposal', channels: ['web', 'partner'],
      contact_email: 'a@example.cn', contact_phone: '+86 10 1234', website: 'https://example.cn',
      extra: '{"nested":[1,"two",{"three":null}],"flag":true}', account_id: ACCOUNT, owner_id: OWNER,
    });
  });

  it('passes decimal strings through untouched, beyond what a float can hold', () => {
    const cols = codec.toColumns({ probability: '0.10', amount: { amount: '99999999999999.99', currency: 'USD' } });
    expect(cols).toEqual({ probability: '0.10', amount: '99999999999999.99', amount_currency: 'USD' });
  });

  it('clears both money columns for null', () => {
    expect(codec.toColumns({ amount: null })).toEqual({ amount: null, amount_currency: null });
  });

  it('writes json as JSON text, so pg never turns an array into a PostgreSQL array', () => {
    expect(codec.toColumns({ extra: [1, 2] })).toEqual({ extra: '[1,2]' });
    expect(codec.toColumns({ extra: 'text' })).toEqual({ extra: '"text"' });
    expect(codec.toColumns({ extra: false })).toEqual({ extra: 'false' });
    expect(codec.toColumns({ extra: 0 })).toEqual({ extra: '0' });
    expect(codec.toColumns({ extra: null })).toEqual({ extra: null });
  });

  it('keeps multienum values as a JS array (text[])', () => {
    expect(codec.toColumns({ channels: [] })).toEqual({ channels: [] });
    expect(codec.toColumns({ channels: null })).toEqual({ channels: null });
  });

  it('writes only the fields given (a PATCH), and null as null', () => {
    expect(codec.toColumns({ quantity: null, account: ACCOUNT })).toEqual({ quantity: null, account_id: ACCOUNT });
    expect(codec.toColumns({})).toEqual({});
  });

  it('skips manyToMany fields, system fields and names that are not fields', () => {
    expect(codec.toColumns({ tags: [TAG], id: ACCOUNT, version: 3, created_at: 'x', deleted_at: 'x', deals: [], nope: 1, constructor: 1 })).toEqual({});
  });

  it('only ever writes columns of the entity', () => {
    const columns = new Set(deal.columns.map((c) => c.name));
    for (const name of Object.keys(codec.toColumns(FULL_DEAL))) expect(columns.has(name), name).toBe(true);
  });
});

describe('withoutHelpers', () => {
  it('drops the __ columns a statement selected beside the record, and keeps the rest as they are', () => {
    const amount = { amount: '1.00', currency: 'USD' };
    const row: Row = { id: ACCOUNT, __k0: 'x', __parent: OWNER, amount, title: null, _one: 1 };
    const record = withoutHelpers(row);
    expect(record).toEqual({ id: ACCOUNT, amount, title: null, _one: 1 });
    expect(record.amount).toBe(amount);
    expect(row).toHaveProperty('__k0');
  });
});

describe('createRecordCodec: round trips through the select list', () => {
  it('a full record reads back as written (manyToMany aside)', () => {
    const { tags: _tags, ...stored } = FULL_DEAL;
    expect(readBack(deal, { ...FULL_DEAL })).toEqual({ ...SYSTEM_VALUES, ...stored });
  });

  it('a record of nulls reads back as nulls, money included', () => {
    const nulls = Object.fromEntries(deal.fields.filter((f) => f.columns.length > 0).map((f) => [f.name, null]));
    expect(readBack(deal, nulls)).toEqual({ ...SYSTEM_VALUES, ...nulls });
  });

  it('every entity of the packs round-trips a record of its own column names', () => {
    for (const e of model.entities) {
      const record = Object.fromEntries(e.fields.filter((f) => f.columns.length === 1 && f.kind !== 'json').map((f) => [f.name, `v_${f.name}`]));
      expect(readBack(e, record), e.name).toEqual({ ...SYSTEM_VALUES, ...record, ...nullsForTheRest(e, record) });
    }
  });
});

// --- a stand-in for PostgreSQL, just enough to evaluate the select list ---------------------------------------

const SYSTEM_VALUES = { id: '00000000-0000-4000-8000-0000000000ee', version: 2, created_at: '2024-01-01T00:00:00.000000Z', updated_at: '2024-01-02T00:00:00.000000Z' };

/** The select list's items (commas inside parentheses belong to their expression). */
function splitSelect(sql: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0 && sql[i + 1] === ' ') {
      parts.push(sql.slice(start, i));
      start = i + 2;
    }
  }
  parts.push(sql.slice(start));
  return parts;
}

const COLUMN = /^t\."([a-z0-9_]+)"(?: AS "([a-z0-9_]+)")?$/;
const MONEY = /^CASE WHEN t\."([a-z0-9_]+)" IS NULL THEN NULL ELSE json_build_object\('amount', t\."\1"::text, 'currency', t\."([a-z0-9_]+)"\) END AS "([a-z0-9_]+)"$/;

/** Writes the record's columns into a row, then evaluates the select list on it as PostgreSQL and pg would. */
function readBack(e: EntityDef, record: ApiRecord): ApiRecord {
  const c = createRecordCodec(e, BUILTIN_RULES.kinds);
  const types = new Map(e.columns.map((col) => [col.name, col.type.base]));
  const row: Row = { ...SYSTEM_VALUES, ...c.toColumns(record) };
  const value = (column: string): unknown => {
    const v = row[column] ?? null;
    // jsonb comes back parsed; numeric as text (pg's default), which the codec already wrote.
    return types.get(column) === 'jsonb' && typeof v === 'string' ? JSON.parse(v) : v;
  };
  const out: ApiRecord = {};
  for (const item of splitSelect(c.selectList('t').sql)) {
    const money = MONEY.exec(item);
    if (money) {
      const [, amount = '', currency = '', name = ''] = money;
      out[name] = value(amount) === null ? null : { amount: String(value(amount)), currency: value(currency) };
      continue;
    }
    const plain = COLUMN.exec(item);
    if (!plain) throw new Error(`the stand-in does not understand ${item}`);
    const [, column = '', as] = plain;
    out[as ?? column] = value(column);
  }
  return out;
}

function nullsForTheRest(e: EntityDef, record: ApiRecord): ApiRecord {
  return Object.fromEntries(e.fields.filter((f) => f.columns.length > 0 && !(f.name in record)).map((f) => [f.name, null]));
}
