// An entity's derived fields, then those of the entities reading them, recomputed for every live row inside the
// caller's transaction: for bulk writers (seeders, bulk jobs) whose set-based inserts bypass the write pipeline.
import type pg from 'pg';
import type { ModelRuntime } from './entity-runtime.js';
import { derivedError } from './derived-cascade.js';
import { recomputeOrder } from './recompute-all.js';

/**
 * Rollups read their children in one grouped pass each and belongsTo values by primary key, so no secondary index
 * is needed. Answers the rows of `entityName` whose values changed.
 */
export async function recomputeInTransaction(client: pg.ClientBase, runtime: ModelRuntime, entityName: string): Promise<number> {
  let changed = 0;
  for (const name of recomputeOrder(runtime, entityName)) {
    const every = runtime.entity(name).rules.recomputeEvery;
    if (every === undefined) continue;
    try {
      const res = await client.query<{ changed: number }>(every);
      if (name === entityName) changed += res.rows[0]?.changed ?? 0;
    } catch (err) {
      throw derivedError(err);
    }
  }
  return changed;
}
