// Numbers for records a seeder inserts in bulk: a whole block drawn from the field's counter in one statement,
// so a record created through the API afterwards gets the next number, never one the demo data already holds.
import type pg from 'pg';
import { NUMBER_COUNTER_TABLE } from '../db/number-counters.js';
import { EngineError } from '../shared/engine-error.js';
import type { DrawnNumbers } from '../plugins/plugin-api.js';
import { nextUnreserved } from '../metadata/numbering-reserved.js';
import type { ModelRuntime } from './entity-runtime.js';
import { scopeParams } from './numbered-fields.js';

function unsupported(detail: string): EngineError {
  return new EngineError('seed.numbering', 500, detail);
}

/**
 * Draws `count` numbers of `entity.field` at `now`. Only patterns made of literals and date parts: a number
 * read from the record (or its parent) has one counter per value, which a block cannot cover. Where the rule
 * reserves numbers, the block skips them and lists the sequence numbers it holds.
 */
export async function drawSeedNumbers(
  client: pg.ClientBase,
  runtime: ModelRuntime,
  entity: string,
  field: string,
  count: number,
  now: Date,
): Promise<DrawnNumbers> {
  const rt = runtime.entity(entity);
  const nf = rt.numbered.find((n) => n.field.name === field);
  if (!nf) throw unsupported(`${entity}.${field} has no numbering rule`);
  if (nf.sources.length > 0) throw unsupported(`${entity}.${field} (${nf.pattern}) is numbered from record values: seed it one by one`);
  const { params } = scopeParams(nf, {}, now);
  const head = params.slice(0, nf.head.length).join('');
  const tail = params.slice(nf.head.length).join('');
  if (nf.reserved.ranges.length > 0 || nf.reserved.suffixes.length > 0) {
    // The counter row is locked by the upsert until the seed's transaction ends, so nobody draws in between.
    const locked = await client.query<{ last: string }>(
      `INSERT INTO ${NUMBER_COUNTER_TABLE} AS c (entity_id, field_id, head, tail, last_value) VALUES ($1, $2, $3, $4, 0)
       ON CONFLICT (entity_id, field_id, head, tail) DO UPDATE SET updated_at = now() RETURNING c.last_value::text AS last`,
      [rt.entity.id, nf.field.id, head, tail],
    );
    let last = BigInt(locked.rows[0]?.last ?? '0');
    const sequence: string[] = [];
    for (let i = 0; i < count; i++) {
      last = nextUnreserved(last, nf.reserved);
      sequence.push(last.toString());
    }
    await client.query(
      `UPDATE ${NUMBER_COUNTER_TABLE} SET last_value = $5, updated_at = now() WHERE entity_id = $1 AND field_id = $2 AND head = $3 AND tail = $4`,
      [rt.entity.id, nf.field.id, head, tail, last.toString()],
    );
    return { head, tail, first: sequence[0] ?? String(last + 1n), width: nf.width, sequence };
  }
  const res = await client.query<{ first: string }>(
    `INSERT INTO ${NUMBER_COUNTER_TABLE} AS c (entity_id, field_id, head, tail, last_value) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (entity_id, field_id, head, tail) DO UPDATE SET last_value = c.last_value + EXCLUDED.last_value, updated_at = now()
     RETURNING (c.last_value - $5 + 1)::text AS first`,
    [rt.entity.id, nf.field.id, head, tail, count],
  );
  const first = res.rows[0]?.first;
  if (first === undefined) throw unsupported(`no counter row for ${entity}.${field}`);
  return { head, tail, first, width: nf.width };
}
