// The engine's own tables and SQL functions (audit log, credentials, sessions, sign-in limits, assertions,
// numbering counters, the jobs outbox, the search index, the expression language's division): fixed by the engine's version rather than by any
// pack, so they are ensured at start-up, idempotently, next to the Model's plan rather than inside it. Called by engine.ts.
import type { Knex } from 'knex';
import { ensureNumberCounters } from '../db/number-counters.js';
import { ensureOutboxTable } from '../db/outbox.js';
import { ensureSqlAssertions } from '../db/sql-assertions.js';
import { DIVIDE_SQL_FUNCTION } from '../rules/decimal-math.js';
import { ensureSearchTable } from '../search/search-index.js';
import { ensureAuditTable } from './audit-log.js';
import { ensureSecurityTables } from './security-tables.js';

export async function ensureEngineTables(knex: Knex): Promise<void> {
  await ensureAuditTable(knex);
  await ensureSqlAssertions(knex);
  await knex.raw(DIVIDE_SQL_FUNCTION);
  await ensureSecurityTables(knex);
  await ensureNumberCounters(knex);
  await ensureOutboxTable(knex);
  await ensureSearchTable(knex);
}
