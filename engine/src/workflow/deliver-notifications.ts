// Runs `notify:deliver` jobs: one notification through one external channel. The delivery row says where it is —
// pending, sent, skipped (the recipient cannot be reached that way, with the reason), retrying or failed (with the
// last error) — so admins see every delivery; a failed attempt also fails the job, which the queue retries with
// backoff and finally keeps as dead with its error. A delivery already sent or skipped is not sent again.
import type pg from 'pg';
import type { JobQueue } from '../jobs/job-queue.js';
import { USER_ENTITY } from '../metadata/field-kinds.js';
import type { ChannelDef } from '../plugins/plugin-api.js';
import type { Logger } from '../shared/logger.js';
import { q } from '../sql/q.js';
import { DELIVERY_TABLE, NOTIFICATION_TABLE } from './notification-tables.js';
import { DELIVER_JOB } from './notify-users.js';

/** Deliveries of one channel running at once in this process. */
const CONCURRENCY = 4;
/** Stored error texts are cut here: an SMTP transcript can be long. */
const MAX_ERROR = 2000;

interface DeliveryRow {
  readonly state: string;
  readonly id: string;
  readonly kind: string;
  readonly title: string;
  readonly body: string;
  readonly entity: string | null;
  readonly record_id: string | null;
  readonly created_at: string;
  readonly user_id: string;
  readonly username: string | null;
  readonly display_name: string | null;
  readonly email: string | null;
  readonly locale: string | null;
}

function jobData(data: unknown): { notification: string; channel: string } {
  const d = data as { notification?: unknown; channel?: unknown } | null;
  if (typeof d?.notification !== 'string' || typeof d.channel !== 'string') throw new Error(`${DELIVER_JOB}: malformed job data`);
  return { notification: d.notification, channel: d.channel };
}

export function processNotificationDeliveries(
  queue: JobQueue,
  channels: ReadonlyMap<string, ChannelDef>,
  deps: { readonly pool: pg.Pool; readonly log: Logger; readonly attempts: number },
): void {
  const mark = (id: string, channel: string, state: string, attempts: number, error: string | null) =>
    deps.pool.query(
      `UPDATE ${DELIVERY_TABLE} SET state = $3, attempts = $4, last_error = $5, updated_at = now() WHERE notification_id = $1 AND channel = $2`,
      [id, channel, state, attempts, error === null ? null : error.slice(0, MAX_ERROR)],
    );
  queue.process(DELIVER_JOB, { concurrency: CONCURRENCY }, async (job) => {
    const { notification, channel } = jobData(job.data);
    const rows = await deps.pool.query<DeliveryRow>(
      `SELECT d.state, n.id, n.kind, n.title, n.body, n.entity, n.record_id, n.created_at, n.user_id,
              u.username, u.display_name, u.email, u.locale::text AS locale
         FROM ${DELIVERY_TABLE} d JOIN ${NOTIFICATION_TABLE} n ON n.id = d.notification_id
         LEFT JOIN ${q(USER_ENTITY)} u ON u.id = n.user_id AND u.deleted_at IS NULL
        WHERE d.notification_id = $1 AND d.channel = $2`,
      [notification, channel],
    );
    const row = rows.rows[0];
    // Gone with its notification, or done by an earlier run of the same key: nothing to do.
    if (!row || row.state === 'sent' || row.state === 'skipped') return;
    const def = channels.get(channel);
    if (!def) {
      await mark(notification, channel, 'skipped', job.attempt, `no plugin provides the channel '${channel}' any more`);
      return;
    }
    if (row.username === null) {
      await mark(notification, channel, 'skipped', job.attempt, 'the recipient no longer exists');
      return;
    }
    try {
      const result = await def.deliver({
        message: {
          id: row.id,
          kind: row.kind,
          title: row.title,
          body: row.body,
          entity: row.entity,
          recordId: row.record_id,
          createdAt: row.created_at,
        },
        recipient: {
          id: row.user_id,
          username: row.username,
          displayName: row.display_name ?? row.username,
          email: row.email,
          locale: row.locale,
        },
        log: deps.log.child({ channel, notification }),
        signal: job.signal,
      });
      if (result && typeof result.skipped === 'string') await mark(notification, channel, 'skipped', job.attempt, result.skipped);
      else await mark(notification, channel, 'sent', job.attempt, null);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await mark(notification, channel, job.attempt >= deps.attempts ? 'failed' : 'retrying', job.attempt, message);
      throw err;
    }
  });
}
