// `tessera seed <pack> --size small|large` and the demo data of a first start: runs the seeder a plugin
// registered for the pack, in one transaction, against the published Model's database, once per database —
// tessera_seed records what was seeded, and a second run (or a second instance starting together) finds it.
// Derived values are brought up to date in the same transaction, so nothing is seen half done.
import type pg from 'pg';
import { EngineError } from '../shared/engine-error.js';
import type { Logger } from '../shared/logger.js';
import { q } from '../sql/q.js';
import { hashPassword, checkPasswordPolicy } from '../security/password.js';
import { CREDENTIAL_TABLE } from '../security/security-tables.js';
import type { SeedContext, SeederDef, SeedOutcome, SeedSize } from '../plugins/plugin-api.js';
import type { ModelRuntime } from './entity-runtime.js';
import { drawSeedNumbers } from './seed-numbers.js';
import { forgetSearchMarks } from '../search/search-index.js';
import { seedRandom } from './seed-random.js';
import { recomputeInTransaction } from './recompute-in-transaction.js';
import { dropSecondaryIndexes, rebuildIndexes, suspendTriggers, verifyForeignKeys, writtenTables } from './seed-bulk-load.js';

export const SEED_TABLE = 'tessera_seed';
/** Every seed starts from this, so two databases get the same data. */
const RANDOM_SEED = 20261206;
/** Advisory lock class of seeding (two-key form, apart from the engine's other locks). */
const SEED_LOCK_CLASS = 19_021;

export interface SeedProgress {
  readonly label: string;
  readonly rows: number;
  readonly seconds: number;
}

export interface SeedPackOptions {
  readonly pack: string;
  readonly size: SeedSize;
  readonly onProgress?: (p: SeedProgress) => void;
  /** Seed only when none of the pack's entities has a record yet (a first start); otherwise skip quietly. */
  readonly onlyIntoEmpty?: boolean;
  readonly log: Logger;
  /** The time numbering patterns read; now by default. */
  readonly now?: Date;
}

export type SeedPackResult =
  | { readonly status: 'seeded'; readonly outcome: SeedOutcome; readonly seconds: number }
  | { readonly status: 'already'; readonly size: SeedSize; readonly seededAt: string }
  | { readonly status: 'skipped'; readonly reason: string };

function seedError(code: string, status: number, detail: string): EngineError {
  return new EngineError(`seed.${code}`, status, detail);
}

async function ensureSeedTable(client: pg.ClientBase): Promise<void> {
  await client.query(`CREATE TABLE IF NOT EXISTS ${SEED_TABLE} (
    pack text PRIMARY KEY, size text NOT NULL, seeded_at timestamptz NOT NULL DEFAULT now(), counts jsonb NOT NULL)`);
}

async function setPasswords(client: pg.ClientBase, passwords: ReadonlyArray<{ userId: string; password: string }>): Promise<void> {
  // One hash per distinct password: scrypt is slow on purpose, and demo users often share one.
  const hashes = new Map<string, string>();
  for (const { password } of passwords) {
    if (!hashes.has(password)) hashes.set(password, await hashPassword(checkPasswordPolicy(password)));
  }
  await client.query(
    `INSERT INTO ${CREDENTIAL_TABLE} (user_id, password_hash) SELECT * FROM unnest($1::uuid[], $2::text[])
     ON CONFLICT (user_id) DO UPDATE SET password_hash = EXCLUDED.password_hash, updated_at = now()`,
    [passwords.map((p) => p.userId), passwords.map((p) => hashes.get(p.password))],
  );
}

async function packHasRecords(client: pg.ClientBase, runtime: ModelRuntime, pack: string): Promise<boolean> {
  const tables = runtime.model.entities.filter((e) => e.pack === pack).map((e) => e.table);
  if (tables.length === 0) return false;
  const res = await client.query<{ found: boolean }>(
    `SELECT ${tables.map((t) => `EXISTS (SELECT 1 FROM ${q(t)})`).join(' OR ')} AS found`,
  );
  return res.rows[0]?.found === true;
}

export async function seedPack(
  pool: pg.Pool,
  runtime: ModelRuntime,
  seeders: ReadonlyMap<string, SeederDef>,
  options: SeedPackOptions,
): Promise<SeedPackResult> {
  const { pack, size } = options;
  const model = runtime.model;
  if (!model.packs.some((p) => p.name === pack)) {
    throw seedError('unknown_pack', 404, `the published model has no pack '${pack}' (it has ${model.packs.map((p) => p.name).join(', ')}): apply it first`);
  }
  const seeder = seeders.get(pack);
  if (!seeder) throw seedError('no_seeder', 404, `no plugin of the installed packs has demo data for pack '${pack}'`);
  if (!seeder.sizes.includes(size)) {
    throw seedError('size', 422, `pack '${pack}' has demo data of size ${seeder.sizes.join(' or ')}, not '${size}'`);
  }
  const client = await pool.connect();
  const started = Date.now();
  try {
    await client.query('BEGIN');
    await ensureSeedTable(client);
    // Two starts (or a start and the CLI) seeding together: the second waits here, then finds the first's row.
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [SEED_LOCK_CLASS, pack]);
    const done = await client.query<{ size: SeedSize; seeded_at: string }>(`SELECT size, to_char(seeded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS seeded_at FROM ${SEED_TABLE} WHERE pack = $1`, [pack]);
    const before = done.rows[0];
    if (before) {
      await client.query('ROLLBACK');
      if (before.size !== size && !options.onlyIntoEmpty) {
        throw seedError('other_size', 409, `pack '${pack}' already has the ${before.size} demo data; seed ${size} into an empty database`);
      }
      return { status: 'already', size: before.size, seededAt: before.seeded_at };
    }
    if (options.onlyIntoEmpty && (await packHasRecords(client, runtime, pack))) {
      await client.query('ROLLBACK');
      return { status: 'skipped', reason: `pack '${pack}' already has records` };
    }
    const now = options.now ?? new Date();
    const unchecked = await suspendTriggers(client);
    const packTables = model.entities
      .filter((e) => e.pack === pack)
      .flatMap((e) => [e.table, ...e.fields.flatMap((f) => (f.junction ? [f.junction.table] : []))]);
    // Bulk statements sort and hash millions of rows; index builds sort whole tables.
    await client.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    await client.query(`SET LOCAL work_mem = '128MB'`);
    const dropped = await dropSecondaryIndexes(client, packTables);
    let analysed = false;
    const execute = async (sql: string, params?: readonly unknown[]) => (await client.query(sql, params ? [...params] : undefined)).rowCount ?? 0;
    const ctx: SeedContext = {
      size,
      model,
      log: options.log,
      db: {
        query: async <R extends Record<string, unknown>>(sql: string, params?: readonly unknown[]) =>
          (await client.query<R>(sql, params ? [...params] : undefined)).rows,
        execute,
      },
      random: seedRandom(RANDOM_SEED),
      async step(label, run) {
        const at = Date.now();
        const rows = await run();
        options.onProgress?.({ label, rows, seconds: (Date.now() - at) / 1000 });
        return rows;
      },
      drawNumbers: (entity, field, count) => drawSeedNumbers(client, runtime, entity, field, count, now),
      setPasswords: (passwords) => setPasswords(client, passwords),
      async recompute(entity) {
        // Fresh tables have no statistics yet; the recompute's grouped passes need them to plan well. The rows are all
        // written by the first recompute (seeders write, then recompute), so once is enough.
        if (!analysed) for (const e of model.entities) if (e.pack === pack) await client.query(`ANALYZE ${q(e.table)}`);
        analysed = true;
        return recomputeInTransaction(client, runtime, entity);
      },
    };
    const outcome = await seeder.run(ctx);
    // Demo rows are dated in the past: the search catch-up after the seed looks at all of them.
    await forgetSearchMarks(client, model.entities.filter((e) => e.pack === pack).map((e) => e.name));
    await ctx.step('indexes built', async () => {
      await rebuildIndexes(client, dropped);
      return 0;
    });
    if (unchecked) {
      await client.query('SET LOCAL session_replication_role = DEFAULT');
      const tables = model.entities.flatMap((e) => [e.table, ...e.fields.flatMap((f) => (f.junction ? [f.junction.table] : []))]);
      await ctx.step('references checked', async () => {
        await verifyForeignKeys(client, await writtenTables(client, tables));
        return 0;
      });
    }
    await client.query(`INSERT INTO ${SEED_TABLE} (pack, size, counts) VALUES ($1, $2, $3)`, [pack, size, JSON.stringify(outcome.counts)]);
    await client.query('COMMIT');
    return { status: 'seeded', outcome, seconds: (Date.now() - started) / 1000 };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
