// The one way engine code notifies users: inside the transaction of the change that causes it (a reminder scan,
// an approval step), so a notification exists exactly when its cause does. Stores the in-app rows and, for each
// external channel a plugin provides, a pending delivery and its `notify:deliver` outbox job (deliver-notifications.ts).
import type { Sql } from '../db/transaction.js';
import { OUTBOX_TABLE } from '../db/outbox.js';
import { DELIVERY_TABLE, NOTIFICATION_TABLE } from './notification-tables.js';

export const DELIVER_JOB = 'notify:deliver';

/** One notification for one user, already rendered in that user's locale (see userLocales). */
export interface Notice {
  readonly userId: string;
  /** What raised it: `reminder`, `approval`, ... (the inbox may filter by it). */
  readonly kind: string;
  readonly title: string;
  readonly body: string;
  /** The entity and record it is about, if any. */
  readonly entity?: string;
  readonly recordId?: string;
  /** The rule that raised it (a reminder's key), so a dismissal can stop that rule for that record. */
  readonly rule?: string;
  /**
   * Unique over all notifications: a notice whose key is already stored is dropped, so a handler that runs twice
   * notifies once. Build it from the cause, e.g. `approval:<flow>:<step>:<user>`.
   */
  readonly key: string;
}

/** Where notifications go besides the inbox: the channels plugins registered (the relay retries their jobs). */
export interface DeliveryPlan {
  readonly channels: readonly string[];
}

/**
 * Stores `notices` (skipping keys already stored) with one pending delivery and one outbox job per external
 * channel, in one statement on `tx`; returns how many were new. Call it inside the write's transaction.
 */
export async function notifyUsers(tx: Sql, notices: readonly Notice[], plan: DeliveryPlan): Promise<number> {
  if (notices.length === 0) return 0;
  const column = <T>(pick: (n: Notice) => T): T[] => notices.map(pick);
  const result = await tx.query<{ stored: string }>(
    `WITH input AS (
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::text[], $8::text[])
         AS x(user_id, kind, title, body, entity, record_id, rule, source_key)),
     stored AS (
       INSERT INTO ${NOTIFICATION_TABLE} (user_id, kind, title, body, entity, record_id, rule, source_key)
       SELECT * FROM input ON CONFLICT (source_key) DO NOTHING RETURNING id),
     deliveries AS (
       INSERT INTO ${DELIVERY_TABLE} (notification_id, channel)
       SELECT s.id, c.channel FROM stored s CROSS JOIN unnest($9::text[]) AS c(channel) RETURNING notification_id, channel),
     jobs AS (
       INSERT INTO ${OUTBOX_TABLE} (job_name, job_key, data)
       SELECT $10, 'notify:' || d.notification_id || ':' || d.channel, jsonb_build_object('notification', d.notification_id, 'channel', d.channel)
         FROM deliveries d)
     SELECT count(*)::text AS stored FROM stored`,
    [
      column((n) => n.userId),
      column((n) => n.kind),
      column((n) => n.title),
      column((n) => n.body),
      column((n) => n.entity ?? null),
      column((n) => n.recordId ?? null),
      column((n) => n.rule ?? null),
      column((n) => n.key),
      [...plan.channels],
      DELIVER_JOB,
    ],
  );
  return Number(result.rows[0]?.stored ?? 0);
}
