// SQL literals run through knex.raw (plan steps, row counts) and must read back as the value they were written
// from: quotes, backslashes and `?` (which knex.raw takes for a binding) included.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlLiteral } from '../../../engine/src/sql/sql-literal.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db.dispose();
});

describe('sqlLiteral through knex.raw', () => {
  it.each([["O'Brien"], ['^a\\?b$'], ['what? why?'], ['back\\slash'], ['a\\\\?b'], ['客户?'], ['{"p":"^x\\\\?$"}']])(
    'reads %s back unchanged',
    async (value) => {
      const res = await db.knex.raw<{ rows: Array<{ v: string; m: boolean }> }>(`SELECT ${sqlLiteral(value)}::text AS v`);
      expect(res.rows[0]?.v).toBe(value);
    },
  );

  it('keeps a pattern with an escaped ? working as a regular expression', async () => {
    const res = await db.knex.raw<{ rows: Array<{ m: boolean; n: boolean }> }>(
      `SELECT ${sqlLiteral('a?b')} ~ ${sqlLiteral('^a\\?b$')} AS m, 'ab' ~ ${sqlLiteral('^a\\?b$')} AS n`,
    );
    expect(res.rows[0]).toEqual({ m: true, n: false });
  });
});
