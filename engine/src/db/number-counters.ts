// Gap-free counters for numbering rules: one row per (entity, field, text before {seq}, text after it) holding
// the last sequence number given. Ensured at start-up with the engine's other tables (security/engine-tables.ts);
// drawn from by data/numbering-steps.ts inside the write's transaction.
//
// Why a row and not a PostgreSQL SEQUENCE: a sequence's nextval is never rolled back, so a failed create would
// leave a gap. The row's increment is part of the write's transaction: a rolled-back create takes its number
// back, and concurrent creates of the same scope queue on that one row lock until the first commits. A number
// is never reused after a delete because a counter never goes down.
import type { Knex } from 'knex';

export const NUMBER_COUNTER_TABLE = 'tessera_number_counter';
/** tessera_next_number(last, range_lo[], range_hi[], suffix_value[], suffix_modulus[]): mirrors nextUnreserved. */
export const NEXT_NUMBER_FUNCTION = 'tessera_next_number';

export async function ensureNumberCounters(db: Knex): Promise<void> {
  // Keyed by ids, not names: a renamed entity or field keeps counting where it was.
  await db.raw(`CREATE TABLE IF NOT EXISTS ${NUMBER_COUNTER_TABLE} (
    entity_id text NOT NULL, field_id text NOT NULL, head text NOT NULL, tail text NOT NULL,
    last_value bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (entity_id, field_id, head, tail))`);
  // The loop ends: metadata checks refuse reserved endings that cover every number, and ranges are jumped whole.
  await db.raw(`
    CREATE OR REPLACE FUNCTION ${NEXT_NUMBER_FUNCTION}(last bigint, lo bigint[], hi bigint[], sv bigint[], sm bigint[])
    RETURNS bigint LANGUAGE plpgsql IMMUTABLE AS $$
    DECLARE n bigint := last + 1; jump bigint;
    BEGIN
      LOOP
        SELECT max(r.h) INTO jump FROM unnest(lo, hi) AS r(l, h) WHERE n BETWEEN r.l AND r.h;
        IF jump IS NOT NULL THEN
          n := jump + 1;
        ELSIF EXISTS (SELECT 1 FROM unnest(sv, sm) AS s(v, m) WHERE n % m = v AND n >= m / 10) THEN
          n := n + 1;
        ELSE
          RETURN n;
        END IF;
      END LOOP;
    END $$`);
}
