// Shared pieces of the schema integration tests: fixture models, a full reset, and a snapshot of
// catalog + data + history to prove that a refused or failed apply changed nothing.
import { join, resolve } from 'node:path';
import type { Knex } from 'knex';
import { loadModel } from '../../../engine/src/metadata/load-model.js';
import type { Model } from '../../../engine/src/metadata/model.js';
import type { Catalog } from '../../../engine/src/schema/catalog.js';
import { introspectCatalog } from '../../../engine/src/schema/introspect-catalog.js';
import { HISTORY_TABLE } from '../../../engine/src/schema/schema-history.js';
import { makeTempDir, readPack, removeDir, writePackSource, type PackSource } from '../../support/pack-builder.js';
import { normaliseCatalog } from '../../unit/engine/schema/catalog-of.js';
import { BUILTIN_RULES } from '../../support/builtin-rules.js';

export const CORE = resolve('metadata/packs/core');
export const SALES = resolve('tests/fixtures/packs/sales');
export const SALES_V2 = resolve('tests/fixtures/packs/sales-v2');

/** Writes changed copies of fixture packs into one temp folder per test file. */
export class PackWorkspace {
  private readonly root = makeTempDir('tessera-int-');
  private count = 0;

  /** The fixture at `dir`, changed by `mutate`, loaded together with core. */
  model(dir: string, mutate: (pack: PackSource) => void = () => undefined): Model {
    return loadModel([this.write(dir, mutate), CORE], { kinds: BUILTIN_RULES.kinds });
  }

  /** The core pack alone. */
  coreModel(): Model {
    return loadModel([CORE], { kinds: BUILTIN_RULES.kinds });
  }

  /** Writes the changed fixture and returns its folder. */
  write(dir: string, mutate: (pack: PackSource) => void = () => undefined): string {
    const pack = readPack(dir);
    mutate(pack);
    this.count += 1;
    return writePackSource(join(this.root, String(this.count), pack.manifest.name), pack);
  }

  dispose(): void {
    removeDir(this.root);
  }
}

/** Drops everything in the public schema (tables, history), on PostgreSQL and PGlite alike. */
export async function resetDatabase(knex: Knex): Promise<void> {
  await knex.raw('DROP SCHEMA public CASCADE');
  await knex.raw('CREATE SCHEMA public');
}

export async function tableNames(knex: Knex): Promise<string[]> {
  const res = await knex.raw<{ rows: Array<{ tablename: string }> }>(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
  );
  return res.rows.map((r) => r.tablename);
}

export async function historyVersions(knex: Knex): Promise<number[]> {
  const exists = await knex.raw<{ rows: Array<{ t: string | null }> }>('SELECT to_regclass(?) AS t', [HISTORY_TABLE]);
  if (!exists.rows[0]?.t) return [];
  const res = await knex.raw<{ rows: Array<{ version: number }> }>(`SELECT version FROM ${HISTORY_TABLE} ORDER BY version`);
  return res.rows.map((r) => r.version);
}

export interface DatabaseState {
  readonly catalog: Catalog;
  readonly rows: Record<string, unknown[]>;
  readonly history: number[];
}

/** Everything an apply could change: the catalog, every row of every table, the history. */
export async function databaseState(knex: Knex): Promise<DatabaseState> {
  const catalog = normaliseCatalog(await introspectCatalog(knex));
  const rows: Record<string, unknown[]> = {};
  for (const table of catalog.tables) {
    if (table.name === HISTORY_TABLE) continue;
    const res = await knex.raw<{ rows: unknown[] }>(`SELECT * FROM "${table.name}" ORDER BY 1`);
    rows[table.name] = res.rows;
  }
  return { catalog, rows, history: await historyVersions(knex) };
}

export async function indexDefinition(knex: Knex, name: string): Promise<string | undefined> {
  const res = await knex.raw<{ rows: Array<{ indexdef: string }> }>(
    `SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND indexname = ?`,
    [name],
  );
  return res.rows[0]?.indexdef;
}
