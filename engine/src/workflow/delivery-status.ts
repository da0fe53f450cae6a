// What administrators see of external notification deliveries: each with its channel, recipient, state, attempts
// and last error, newest first, so a delivery that keeps failing is never silent. Called by the admin route.
import type pg from 'pg';
import { DELIVERY_TABLE, NOTIFICATION_TABLE } from './notification-tables.js';

export const DELIVERY_STATES = ['pending', 'retrying', 'sent', 'skipped', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface DeliveryInfo {
  readonly notificationId: string;
  readonly channel: string;
  readonly userId: string;
  readonly kind: string;
  readonly title: string;
  readonly state: DeliveryState;
  readonly attempts: number;
  readonly error: string | null;
  readonly updatedAt: string;
}

export async function listDeliveries(pool: pg.Pool, state: DeliveryState | undefined, limit: number): Promise<DeliveryInfo[]> {
  const r = await pool.query<{
    notification_id: string;
    channel: string;
    user_id: string;
    kind: string;
    title: string;
    state: DeliveryState;
    attempts: number;
    last_error: string | null;
    updated_at: string;
  }>(
    `SELECT d.notification_id, d.channel, n.user_id, n.kind, n.title, d.state, d.attempts, d.last_error, d.updated_at
       FROM ${DELIVERY_TABLE} d JOIN ${NOTIFICATION_TABLE} n ON n.id = d.notification_id
      WHERE $1::text IS NULL OR d.state = $1 ORDER BY d.updated_at DESC LIMIT $2`,
    [state ?? null, limit],
  );
  return r.rows.map((row) => ({
    notificationId: row.notification_id,
    channel: row.channel,
    userId: row.user_id,
    kind: row.kind,
    title: row.title,
    state: row.state,
    attempts: row.attempts,
    error: row.last_error,
    updatedAt: row.updated_at,
  }));
}
