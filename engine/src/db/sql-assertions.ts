// Checks that run inside a write's transaction as SQL and fail it when they do not hold. A failed check
// raises its own SQLSTATE, so it can travel in a pipelined batch (see transaction.ts) instead of costing
// a round trip of its own, and the engine still tells it apart from any other database error.
import type { Knex } from 'knex';

const SQLSTATE = 'TS001';
const FUNCTION = 'tessera_require';

export async function ensureSqlAssertions(db: Knex): Promise<void> {
  await db.raw(`
    CREATE OR REPLACE FUNCTION ${FUNCTION}(ok boolean, code text, detail text) RETURNS boolean LANGUAGE plpgsql AS $$
    BEGIN
      IF ok THEN RETURN true; END IF;
      RAISE EXCEPTION USING ERRCODE = '${SQLSTATE}', MESSAGE = code, DETAIL = coalesce(detail, '');
    END $$`);
}

/** SQL that fails the statement with `code` (and `detailSql`'s text) unless `conditionSql` holds. */
export function requireSql(conditionSql: string, code: string, detailSql = 'NULL'): string {
  if (!/^[a-z_.]+$/.test(code)) throw new Error(`bad assertion code '${code}'`);
  return `${FUNCTION}(${conditionSql}, '${code}', ${detailSql})`;
}

/** The failed assertion behind a database error, if it is one. */
export function failedAssertion(err: unknown): { code: string; detail: string } | undefined {
  const e = err as { code?: unknown; message?: unknown; detail?: unknown };
  if (e?.code !== SQLSTATE || typeof e.message !== 'string') return undefined;
  return { code: e.message, detail: typeof e.detail === 'string' ? e.detail : '' };
}
