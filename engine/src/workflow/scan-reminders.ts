// One scan of one reminder rule, as of a given instant: in one transaction, under a lock per rule (so scans of the
// same rule from several engine processes take turns and the later one finds everything sent), it lists the due
// (record, recipient, occurrence) triples set-based (reminder-candidates-sql.ts), keeps those each recipient may
// read (their own read scope, as their requests would have it), records them as sent and notifies. Run by the
// `reminder:scan` job (reminder-scheduler.ts) and by tests with a clock of their own.
import type pg from 'pg';
import type { ModelRuntime } from '../data/entity-runtime.js';
import { withTransaction, type Transaction } from '../db/transaction.js';
import type { EntityDef } from '../metadata/model.js';
import { TEMPLATE_VARIABLE } from '../metadata/reminder.js';
import type { CompiledReminder } from '../record-rules/compile-reminders.js';
import { loadActorInfo } from '../security/actor-info.js';
import { buildAccess, type AccessDeps } from '../security/build-access.js';
import type { Logger } from '../shared/logger.js';
import { q } from '../sql/q.js';
import { SqlParams } from '../sql/sql-params.js';
import { REMINDER_SENT_TABLE } from './notification-tables.js';
import { notifyUsers, type DeliveryPlan, type Notice } from './notify-users.js';
import { candidatesSql, episodesSql } from './reminder-candidates-sql.js';
import { localized, userLocales } from './user-locales.js';

export interface ReminderScanDeps {
  readonly pool: pg.Pool;
  /** The Model being served: its compiled rules and what access decisions need. */
  current(): { readonly runtime: ModelRuntime; readonly accessDeps: AccessDeps };
  readonly plan: DeliveryPlan;
  readonly log: Logger;
}

export interface ScanResult {
  readonly rule: string;
  readonly entity: string;
  /** Due (record, recipient) pairs not sent before, before read scopes were applied. */
  readonly due: number;
  /** Notifications stored by this scan. */
  readonly notified: number;
}

type CandidateRow = { record_id: string; occurrence: string; user_id: string } & Record<string, string | null>;

/** The record ids of `ids` that `userId` may read now; none for an inactive or unknown user. */
async function readableBy(tx: Transaction, deps: ReminderScanDeps, entity: EntityDef, userId: string, ids: string[]): Promise<Set<string>> {
  const { accessDeps } = deps.current();
  const info = await loadActorInfo(deps.pool, accessDeps.core, userId);
  if (!info?.active) return new Set();
  const access = buildAccess(info, accessDeps);
  if (!access.can(entity.name, 'read')) return new Set();
  const params = new SqlParams([ids]);
  const scope = access.readScope(entity, 't', params);
  if (scope === undefined) return new Set(ids);
  const rows = await tx.query<{ id: string }>(
    `SELECT t.id FROM ${q(entity.table)} t WHERE t.id = ANY($1::uuid[]) AND (${scope})`,
    params.values,
  );
  return new Set(rows.rows.map((r) => r.id));
}

export async function scanReminder(deps: ReminderScanDeps, reminder: CompiledReminder, now: Date): Promise<ScanResult> {
  const { runtime, accessDeps } = deps.current();
  const entity = runtime.entity(reminder.entity).entity;
  return withTransaction(deps.pool, async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`tessera_reminder:${reminder.key}`]);
    if (reminder.def.schedule.kind === 'cron') {
      const episodes = episodesSql(reminder, now);
      await tx.query(episodes.text, episodes.values);
    }
    const sql = candidatesSql(reminder, accessDeps.core, now);
    const candidates = (await tx.query<CandidateRow>(sql.text, sql.values)).rows;
    const byUser = new Map<string, CandidateRow[]>();
    for (const row of candidates) {
      const list = byUser.get(row.user_id) ?? [];
      list.push(row);
      byUser.set(row.user_id, list);
    }
    const allowed: CandidateRow[] = [];
    for (const [userId, rows] of byUser) {
      const readable = await readableBy(tx, deps, entity, userId, [...new Set(rows.map((r) => r.record_id))]);
      allowed.push(...rows.filter((r) => readable.has(r.record_id)));
    }
    if (allowed.length === 0) return { rule: reminder.key, entity: entity.name, due: candidates.length, notified: 0 };
    // The lock makes each triple new here; the key still guards against a scan that ran without it.
    const sent = await tx.query<{ record_id: string; user_id: string; occurrence: string }>(
      `INSERT INTO ${REMINDER_SENT_TABLE} (rule, record_id, user_id, occurrence)
       SELECT $1, * FROM unnest($2::uuid[], $3::uuid[], $4::text[]) ON CONFLICT DO NOTHING
       RETURNING record_id, user_id, occurrence`,
      [reminder.key, allowed.map((r) => r.record_id), allowed.map((r) => r.user_id), allowed.map((r) => r.occurrence)],
    );
    const fresh = new Set(sent.rows.map((r) => `${r.record_id}|${r.user_id}|${r.occurrence}`));
    const locales = await userLocales(tx, [...byUser.keys()]);
    const notices: Notice[] = allowed
      .filter((r) => fresh.has(`${r.record_id}|${r.user_id}|${r.occurrence}`))
      .map((r) => {
        const locale = locales.get(r.user_id);
        const values = new Map(sql.variables.map((v) => [v.name, r[v.column] ?? '']));
        return {
          userId: r.user_id,
          kind: 'reminder',
          title: localized(reminder.def.label, locale),
          body: localized(reminder.def.message, locale).replace(TEMPLATE_VARIABLE, (_, name: string) => values.get(name) ?? ''),
          entity: entity.name,
          recordId: r.record_id,
          rule: reminder.key,
          key: `reminder:${reminder.key}:${r.record_id}:${r.user_id}:${r.occurrence}`,
        };
      });
    const notified = await notifyUsers(tx, notices, deps.plan);
    return { rule: reminder.key, entity: entity.name, due: candidates.length, notified };
  });
}
