// The engine's transactions: deferred statements travel with the next statement or COMMIT, run in order,
// and a failure in any of them (an assertion, a constraint) fails the whole transaction and writes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '../../../engine/src/db/transaction.js';
import { ensureSqlAssertions, failedAssertion, requireSql } from '../../../engine/src/db/sql-assertions.js';
import { createTestDatabase, testDatabaseKind, type TestDatabase } from '../../support/test-database.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  await ensureSqlAssertions(db.knex);
  await db.pool.query('CREATE TABLE tx_probe (n integer PRIMARY KEY, label text NOT NULL)');
});

afterAll(async () => {
  await db.dispose();
});

async function labels(): Promise<string[]> {
  return (await db.pool.query<{ label: string }>('SELECT label FROM tx_probe ORDER BY n')).rows.map((r) => r.label);
}

describe(`transactions on ${testDatabaseKind}`, () => {
  it('runs deferred statements before the next query, in order, and commits them', async () => {
    await db.pool.query('DELETE FROM tx_probe');
    const seen = await withTransaction(db.pool, async (tx) => {
      tx.defer(tx.statement('INSERT INTO tx_probe VALUES ($1, $2)', [1, 'first']));
      tx.defer(tx.statement('INSERT INTO tx_probe VALUES ($1, $2)', [2, 'second']));
      const res = await tx.query<{ n: string }>('SELECT count(*)::text AS n FROM tx_probe');
      tx.defer(tx.statement('INSERT INTO tx_probe VALUES ($1, $2)', [3, 'third']));
      return res.rows[0]?.n;
    });
    expect(seen).toBe('2');
    expect(await labels()).toEqual(['first', 'second', 'third']);
  });

  it('a failed assertion fails the transaction with its own mapped error and leaves nothing behind', async () => {
    await db.pool.query('DELETE FROM tx_probe');
    const attempt = withTransaction(db.pool, async (tx) => {
      await tx.query(tx.statement('INSERT INTO tx_probe VALUES ($1, $2)', [1, 'kept?']));
      tx.defer(tx.statement(`SELECT ${requireSql('count(*) > 5', 'too_few', "'only ' || count(*)")} FROM tx_probe`, []), (err) => {
        const failed = failedAssertion(err);
        return failed ? new Error(`${failed.code}: ${failed.detail}`) : err;
      });
      tx.defer(tx.statement('INSERT INTO tx_probe VALUES ($1, $2)', [2, 'after the assertion']));
    });
    await expect(attempt).rejects.toThrow('too_few: only 1');
    expect(await labels()).toEqual([]);
  });

  it('a deferred constraint violation surfaces at the next query, not later', async () => {
    await db.pool.query('DELETE FROM tx_probe');
    let reachedAfter = false;
    const attempt = withTransaction(db.pool, async (tx) => {
      tx.defer(tx.statement('INSERT INTO tx_probe VALUES ($1, $2)', [1, 'a']));
      tx.defer(tx.statement('INSERT INTO tx_probe VALUES ($1, $2)', [1, 'duplicate']));
      await tx.query('SELECT 1');
      reachedAfter = true;
    });
    await expect(attempt).rejects.toMatchObject({ code: '23505' });
    expect(reachedAfter).toBe(false);
    expect(await labels()).toEqual([]);
  });

  it('an error thrown by the caller rolls back what was already sent', async () => {
    await db.pool.query('DELETE FROM tx_probe');
    const attempt = withTransaction(db.pool, async (tx) => {
      await tx.query(tx.statement('INSERT INTO tx_probe VALUES ($1, $2)', [1, 'sent']));
      tx.defer(tx.statement('INSERT INTO tx_probe VALUES ($1, $2)', [2, 'never sent']));
      throw new Error('changed my mind');
    });
    await expect(attempt).rejects.toThrow('changed my mind');
    expect(await labels()).toEqual([]);
    // The pooled clients are clean afterwards: a new transaction works.
    await withTransaction(db.pool, async (tx) => tx.query('INSERT INTO tx_probe VALUES (9, $1)', ['clean']));
    expect(await labels()).toEqual(['clean']);
  });

  it('a transaction that sends nothing costs nothing and commits nothing', async () => {
    await expect(withTransaction(db.pool, async () => 42)).resolves.toBe(42);
  });
});
