// The hourly sweep of open signing requests (scheduled in the documents pack.json): one past its expiry is marked expired (its links then answer 410),
// and a signer whose turn it is and who has not signed is reminded by mail every remind_every_days. Each is an event.
import type { JobDef } from '../../engine/src/plugins/plugin-api.js';
import type { MailTransport } from '../email-channel/mail-transport.js';
import { appendEvent } from './signing-events.js';
import { sendReminder } from './signing-mails.js';
import { asEsign } from './trusted-writes.js';

/** Signers due a reminder: waiting, their turn (all before them signed, or parallel), the interval passed. */
const DUE_SQL = `
  SELECT s.id::text, s.request_id::text AS request, s.name, s.email, s.position, r.title, r.expires_at
    FROM signing_signer s JOIN signing_request r ON r.id = s.request_id
   WHERE r.status = 'open' AND r.expires_at > now() AND r.remind_every_days IS NOT NULL AND s.status = 'waiting'
     AND s.deleted_at IS NULL
     AND coalesce(s.reminded_at, r.created_at) <= now() - make_interval(days => r.remind_every_days)
     AND (r.signing_order = 'parallel' OR NOT EXISTS (
       SELECT 1 FROM signing_signer b WHERE b.request_id = s.request_id AND b.position < s.position AND b.status <> 'signed'))`;

export function signingSweep(mail: MailTransport): JobDef {
  return {
    name: 'esign:sweep',
    async run({ db, transaction, log }) {
      const expired = await db.query<{ id: string }>(
        `SELECT id::text FROM signing_request WHERE status = 'open' AND expires_at <= now() ORDER BY id`,
      );
      for (const { id } of expired) {
        await transaction(async (tx) => {
          await asEsign(() => tx.records.update('signing_request', id, { status: 'expired' }));
          await appendEvent(tx.db, tx.records, id, { kind: 'expired', actor: 'system' });
        });
      }
      if (!mail.isConfigured) return;
      const due = await db.query<{
        id: string;
        request: string;
        name: string;
        email: string;
        position: number;
        title: string;
        expires_at: string | Date;
      }>(DUE_SQL);
      for (const s of due) {
        await sendReminder(mail, s, s.title, new Date(s.expires_at).toISOString());
        await transaction(async (tx) => {
          await asEsign(() => tx.records.update('signing_signer', s.id, { reminded_at: new Date().toISOString() }));
          await appendEvent(tx.db, tx.records, s.request, { kind: 'reminded', actor: 'system', detail: { position: s.position } });
        });
      }
      log.info({ expired: expired.length, reminded: due.length }, 'signing requests swept');
    },
  };
}
