// Renewals: a contract whose renewal mode is `auto` gets its renewal — a new draft contract linked by renewal_of,
// for the next term, with the lines in force — once its end date comes within its notice days; the `renew` action
// does the same by hand (a `remind` contract's owner, reminded by the contract's `renewal` reminder rule). Where the
// contract says so, the customer's contact is given notice: a planned email activity with them, for the owner.
// Both happen once per contract and end date, whatever the restarts: each contract is settled in a transaction
// holding its row lock and re-reading what was done, with the unique index (renewal_of, renewal_of_end) behind it.
import { PluginRejection, type JobTransaction, type PluginHost } from '../../engine/src/plugins/plugin-api.js';
import { jobDay, nextDay, termEnd } from './term-dates.js';

export const RENEWAL_JOB = 'contracts:renewals';
const RENEWABLE = ['signed', 'active'];

interface ContractRow extends Record<string, unknown> {
  id: string;
  status: string;
  title: string;
  end_date: string | null;
  renewal_mode: string;
  renewal_term_months: number;
  notify_customer_on_renewal: boolean;
  renewal_noticed_end: string | null;
  contract_no: string | null;
  customer_id: string;
  contact_id: string | null;
  owner_id: string | null;
}

const COPIED = [
  'contract_type',
  'pricing_model',
  'master_agreement',
  'customer',
  'contact',
  'owner',
  'payment_terms',
  'clauses',
  'renewal_mode',
  'renewal_notice_days',
  'renewal_term_months',
  'notify_customer_on_renewal',
];
const RELATION = new Set(['master_agreement', 'customer', 'contact', 'owner']);
const col = (f: string) => (RELATION.has(f) ? `${f}_id` : f);

async function lockContract(db: JobTransaction['db'], id: string): Promise<ContractRow | undefined> {
  const [row] = await db.query<ContractRow>(
    `SELECT id::text AS id, status, title, end_date::text AS end_date, renewal_mode, renewal_term_months, notify_customer_on_renewal,
            renewal_noticed_end::text AS renewal_noticed_end, contract_no, customer_id::text AS customer_id,
            contact_id::text AS contact_id, owner_id::text AS owner_id
       FROM contract WHERE id = $1 AND deleted_at IS NULL FOR UPDATE`,
    [id],
  );
  return row;
}

/** The renewal of `contract` for its current end date: the one made before, or a new one. */
export async function renewContract(
  { db, records }: JobTransaction,
  contract: ContractRow,
): Promise<{ renewal: string; created: boolean }> {
  if (!RENEWABLE.includes(contract.status))
    throw new PluginRejection(`a ${contract.status} contract is not renewed`, '/status', 'contracts.not_renewable');
  if (!contract.end_date)
    throw new PluginRejection('a contract without an end date has nothing to renew', '/end_date', 'contracts.not_renewable');
  const [made] = await db.query<{ id: string }>(
    'SELECT id::text AS id FROM contract WHERE renewal_of_id = $1 AND renewal_of_end = $2::date AND deleted_at IS NULL',
    [contract.id, contract.end_date],
  );
  if (made) return { renewal: made.id, created: false };
  const [terms] = await db.query<Record<string, unknown>>(
    `SELECT ${COPIED.map((f) => `${col(f)}${RELATION.has(f) ? '::text' : ''} AS ${f}`).join(', ')} FROM contract WHERE id = $1`,
    [contract.id],
  );
  const start = nextDay(contract.end_date);
  const renewal = await records.create('contract', {
    ...Object.fromEntries(Object.entries(terms ?? {}).filter(([, v]) => v !== null)),
    title: contract.title,
    start_date: start,
    end_date: termEnd(start, contract.renewal_term_months),
    renewal_of: contract.id,
    renewal_of_end: contract.end_date,
  });
  const lines = await db.query<Record<string, string | null>>(
    `SELECT product_id::text AS product, description, quantity::text AS quantity, unit_price::text AS unit_price,
            discount_pct::text AS discount_pct, unit_cost::text AS unit_cost
       FROM contract_line WHERE contract_id = $1 AND deleted_at IS NULL ORDER BY id`,
    [contract.id],
  );
  for (const line of lines) {
    await records.create('contract_line', {
      ...Object.fromEntries(Object.entries(line).filter(([, v]) => v !== null)),
      contract: renewal.id,
    });
  }
  return { renewal: renewal.id, created: true };
}

/** Gives the customer's contact notice of the renewal once per end date, as a planned email activity for the owner. */
async function noticeCustomer({ records }: JobTransaction, contract: ContractRow, on: string): Promise<boolean> {
  if (!contract.notify_customer_on_renewal || contract.contact_id === null || contract.renewal_noticed_end === contract.end_date)
    return false;
  await records.create('activity', {
    kind: 'email',
    subject: `续约通知 / Renewal notice: ${contract.contract_no ?? contract.title} (${contract.end_date ?? ''})`,
    purpose: 'contract renewal notice',
    customer: contract.customer_id,
    contact: contract.contact_id,
    status: 'planned',
    due_on: on,
    ...(contract.owner_id ? { owner: contract.owner_id } : {}),
  });
  await records.update('contract', contract.id, { renewal_noticed_end: contract.end_date });
  return true;
}

/** What the job does for one contract as of `on` (YYYY-MM-DD), in its own transaction. */
async function settle(tx: JobTransaction, id: string, on: string): Promise<{ renewed: boolean; noticed: boolean }> {
  const contract = await lockContract(tx.db, id);
  if (!contract?.end_date || !RENEWABLE.includes(contract.status)) return { renewed: false, noticed: false };
  const renewed = contract.renewal_mode === 'auto' ? (await renewContract(tx, contract)).created : false;
  const noticed = await noticeCustomer(tx, contract, on);
  return { renewed, noticed };
}

export function registerRenewals(host: PluginHost): void {
  host.job({
    name: RENEWAL_JOB,
    async run({ db, payload, transaction, log }) {
      const on = jobDay(payload);
      const due = await db.query<{ id: string }>(
        `SELECT id::text AS id FROM contract c
          WHERE deleted_at IS NULL AND status IN ('signed', 'active') AND renewal_mode IN ('remind', 'auto')
            AND end_date IS NOT NULL AND end_date - renewal_notice_days <= $1::date
            AND ((renewal_mode = 'auto' AND NOT EXISTS (
                   SELECT 1 FROM contract r WHERE r.renewal_of_id = c.id AND r.renewal_of_end = c.end_date AND r.deleted_at IS NULL))
              OR (notify_customer_on_renewal AND contact_id IS NOT NULL AND renewal_noticed_end IS DISTINCT FROM end_date))
          ORDER BY end_date, id`,
        [on],
      );
      let renewed = 0;
      let noticed = 0;
      for (const { id } of due) {
        const done = await transaction((tx) => settle(tx, id, on));
        renewed += Number(done.renewed);
        noticed += Number(done.noticed);
      }
      log.info({ on, due: due.length, renewed, noticed }, 'contract renewals settled');
    },
  });

  host.action({
    entity: 'contract',
    name: 'renew',
    label: { en: 'Renew', 'zh-CN': '续约' },
    input: { type: 'object', additionalProperties: false, properties: {} },
    async run({ id, db, records }) {
      const contract = await lockContract(db, id);
      if (!contract) throw new PluginRejection('no such contract', '', 'contracts.no_contract');
      return renewContract({ db, records }, contract);
    },
  });
}
