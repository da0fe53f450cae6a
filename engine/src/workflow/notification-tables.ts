// The engine's tables for notifications and reminders: fixed by the engine's version, not by any pack, so they are
// ensured at start-up like the outbox (called by engine.ts). Keys make every handler idempotent: a notification's
// source key, a delivery per notification and channel, a reminder sent per rule, record, recipient and occurrence.
import type { Knex } from 'knex';

export const NOTIFICATION_TABLE = 'tessera_notification';
export const DELIVERY_TABLE = 'tessera_notification_delivery';
export const REMINDER_SENT_TABLE = 'tessera_reminder_sent';
export const REMINDER_MATCH_TABLE = 'tessera_reminder_match';
export const REMINDER_DISMISSAL_TABLE = 'tessera_reminder_dismissal';

export async function ensureNotificationTables(db: Knex): Promise<void> {
  // shown_at orders the list: the creation time, or the end of a snooze (the notification shows again then).
  await db.raw(`CREATE TABLE IF NOT EXISTS ${NOTIFICATION_TABLE} (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Orders notifications stored in one transaction (same shown_at) as they were given.
    seq bigint GENERATED ALWAYS AS IDENTITY,
    user_id uuid NOT NULL,
    kind text NOT NULL,
    title text NOT NULL,
    body text NOT NULL,
    entity text,
    record_id uuid,
    rule text,
    source_key text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    shown_at timestamptz NOT NULL DEFAULT now(),
    read_at timestamptz,
    dismissed_at timestamptz)`);
  await db.raw(
    `CREATE INDEX IF NOT EXISTS ${NOTIFICATION_TABLE}_inbox_idx ON ${NOTIFICATION_TABLE} (user_id, shown_at DESC, seq DESC) WHERE dismissed_at IS NULL`,
  );
  await db.raw(`CREATE TABLE IF NOT EXISTS ${DELIVERY_TABLE} (
    notification_id uuid NOT NULL REFERENCES ${NOTIFICATION_TABLE} (id) ON DELETE CASCADE,
    channel text NOT NULL,
    state text NOT NULL DEFAULT 'pending',
    attempts integer NOT NULL DEFAULT 0,
    last_error text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (notification_id, channel))`);
  await db.raw(`CREATE INDEX IF NOT EXISTS ${DELIVERY_TABLE}_state_idx ON ${DELIVERY_TABLE} (state, updated_at DESC)`);
  await db.raw(`CREATE TABLE IF NOT EXISTS ${REMINDER_SENT_TABLE} (
    rule text NOT NULL,
    record_id uuid NOT NULL,
    user_id uuid NOT NULL,
    occurrence text NOT NULL,
    sent_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (rule, record_id, user_id, occurrence))`);
  // The records a condition-only rule matched at its last scan, since when: one episode is one occurrence.
  await db.raw(`CREATE TABLE IF NOT EXISTS ${REMINDER_MATCH_TABLE} (
    rule text NOT NULL,
    record_id uuid NOT NULL,
    since timestamptz NOT NULL,
    PRIMARY KEY (rule, record_id))`);
  await db.raw(`CREATE TABLE IF NOT EXISTS ${REMINDER_DISMISSAL_TABLE} (
    rule text NOT NULL,
    record_id uuid NOT NULL,
    user_id uuid NOT NULL,
    dismissed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (rule, record_id, user_id))`);
}
