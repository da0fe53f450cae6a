// A user's inbox: their own notifications only (another user's id reads as not found), newest first, without the
// snoozed (until their snooze ends, when they show unread again) and the dismissed. Dismissing a reminder also
// stops that reminder rule for that user and record for good. Called by api/notification.routes.ts.
import type pg from 'pg';
import { withTransaction } from '../db/transaction.js';
import type { ChannelMessage } from '../plugins/plugin-api.js';
import { EngineError } from '../shared/engine-error.js';
import { NOTIFICATION_TABLE, REMINDER_DISMISSAL_TABLE } from './notification-tables.js';

/** A notification as its recipient's inbox lists it: what channels send, and when it showed and was read. */
export interface InboxItem extends ChannelMessage {
  /** When it (last) appeared: its creation, or the end of a snooze. */
  readonly shownAt: string;
  readonly readAt: string | null;
}

interface Row {
  id: string;
  kind: string;
  title: string;
  body: string;
  entity: string | null;
  record_id: string | null;
  // Timestamps arrive as ISO text (db/pg-types.ts).
  created_at: string;
  shown_at: string;
  read_at: string | null;
}

const COLUMNS = 'id, kind, title, body, entity, record_id, created_at, shown_at, read_at';
/** What the inbox shows: not dismissed, not snoozed past now. */
const VISIBLE = 'user_id = $1 AND dismissed_at IS NULL AND shown_at <= now()';

function item(r: Row): InboxItem {
  return {
    id: r.id,
    kind: r.kind,
    title: r.title,
    body: r.body,
    entity: r.entity,
    recordId: r.record_id,
    createdAt: r.created_at,
    shownAt: r.shown_at,
    readAt: r.read_at,
  };
}

function notFound(id: string): EngineError {
  return new EngineError('notification.not_found', 404, `you have no notification '${id}'`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class NotificationInbox {
  constructor(private readonly pool: pg.Pool) {}

  async list(userId: string, options: { unread: boolean; limit: number; offset: number }): Promise<{ items: InboxItem[]; total: number }> {
    const where = `${VISIBLE}${options.unread ? ' AND read_at IS NULL' : ''}`;
    const [rows, total] = await Promise.all([
      this.pool.query<Row>(
        `SELECT ${COLUMNS} FROM ${NOTIFICATION_TABLE} WHERE ${where} ORDER BY shown_at DESC, seq DESC LIMIT $2 OFFSET $3`,
        [userId, options.limit, options.offset],
      ),
      this.pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${NOTIFICATION_TABLE} WHERE ${where}`, [userId]),
    ]);
    return { items: rows.rows.map(item), total: Number(total.rows[0]?.n ?? 0) };
  }

  async unreadCount(userId: string): Promise<number> {
    const r = await this.pool.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM ${NOTIFICATION_TABLE} WHERE ${VISIBLE} AND read_at IS NULL`,
      [userId],
    );
    return Number(r.rows[0]?.n ?? 0);
  }

  /** Marks one read (again reading it keeps the first time); a snoozed one may be read too. */
  async markRead(userId: string, id: string): Promise<InboxItem> {
    return this.one(
      userId,
      id,
      `UPDATE ${NOTIFICATION_TABLE} SET read_at = COALESCE(read_at, now()) WHERE id = $2 AND user_id = $1 AND dismissed_at IS NULL RETURNING ${COLUMNS}`,
    );
  }

  async markAllRead(userId: string): Promise<number> {
    const r = await this.pool.query(`UPDATE ${NOTIFICATION_TABLE} SET read_at = now() WHERE ${VISIBLE} AND read_at IS NULL`, [userId]);
    return r.rowCount ?? 0;
  }

  /** Hides it until `until`; then it shows again, unread, at the top. */
  async snooze(userId: string, id: string, until: Date): Promise<InboxItem> {
    return this.one(
      userId,
      id,
      `UPDATE ${NOTIFICATION_TABLE} SET shown_at = $3, read_at = NULL WHERE id = $2 AND user_id = $1 AND dismissed_at IS NULL RETURNING ${COLUMNS}`,
      [until.toISOString()],
    );
  }

  /** Removes it from the inbox; for a reminder, that rule never reminds this user of this record again. */
  async dismiss(userId: string, id: string): Promise<void> {
    if (!UUID.test(id)) throw notFound(id);
    await withTransaction(this.pool, async (tx) => {
      const r = await tx.query<{ rule: string | null; record_id: string | null }>(
        `UPDATE ${NOTIFICATION_TABLE} SET dismissed_at = now() WHERE id = $2 AND user_id = $1 AND dismissed_at IS NULL RETURNING rule, record_id`,
        [userId, id],
      );
      const row = r.rows[0];
      if (!row) throw notFound(id);
      if (row.rule !== null && row.record_id !== null) {
        await tx.query(`INSERT INTO ${REMINDER_DISMISSAL_TABLE} (rule, record_id, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [
          row.rule,
          row.record_id,
          userId,
        ]);
      }
    });
  }

  private async one(userId: string, id: string, sql: string, extra: unknown[] = []): Promise<InboxItem> {
    if (!UUID.test(id)) throw notFound(id);
    const r = await this.pool.query<Row>(sql, [userId, id, ...extra]);
    const row = r.rows[0];
    if (!row) throw notFound(id);
    return item(row);
  }
}
