// Follow-up around quotes and contracts: an issue raised on a contract is placed before or after signing from the
// contract's state when the caller does not say; quotes past their validity are expired by a daily job, each in a
// transaction of its own through the pipeline (their `expire` transition), so a restart just finishes the rest.
import type { PluginHost } from '../../engine/src/plugins/plugin-api.js';
import { jobDay } from './term-dates.js';

export const EXPIRE_QUOTES_JOB = 'contracts:expire-quotes';
const SIGNED = ['signed', 'active', 'completed', 'terminated', 'expired'];

export function registerFollowUp(host: PluginHost): void {
  host.before(
    'record.beforeCreate',
    async ({ changes, db }) => {
      if (changes.phase !== undefined && changes.phase !== null) return;
      const [contract] = await db.query<{ status: string }>('SELECT status FROM contract WHERE id = $1', [changes.contract]);
      if (contract) changes.phase = SIGNED.includes(contract.status) ? 'after_signing' : 'before_signing';
    },
    { entities: ['contract_issue'] },
  );

  host.job({
    name: EXPIRE_QUOTES_JOB,
    async run({ db, payload, transaction, log }) {
      const on = jobDay(payload);
      const due = await db.query<{ id: string }>(
        `SELECT id::text AS id FROM quote
          WHERE deleted_at IS NULL AND status IN ('approved', 'sent') AND valid_until < $1::date ORDER BY valid_until, id`,
        [on],
      );
      let expired = 0;
      for (const { id } of due) {
        expired += await transaction(async ({ db: tx, records }) => {
          // Re-read under the row lock: a quote accepted since the list was read stays accepted.
          const [row] = await tx.query<{ status: string }>('SELECT status FROM quote WHERE id = $1 FOR UPDATE', [id]);
          if (row?.status !== 'approved' && row?.status !== 'sent') return 0;
          await records.update('quote', id, { status: 'expired' });
          return 1;
        });
      }
      log.info({ on, expired }, 'quotes past their validity expired');
    },
  });
}
