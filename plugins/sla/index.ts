// SLAs that carry money (#24): a contract's `settle_sla` action turns the measurements of every period that has ended
// into settlements (penalty, reward, net, and how each was worked out), which people then confirm, dispute or apply
// to an invoice (apply-settlement.ts); the confirmed and applied nets roll up into the contract's SLA net and so into
// its profit. A time-based metric settled per milestone takes its measurement from the milestone's acceptance. Required by
// metadata/packs/contracts.
import { PluginRejection, type PluginRecord, type TesseraPlugin } from '../../engine/src/plugins/plugin-api.js';
import { applySettlement } from './apply-settlement.js';
import { settleContracts, type ContractToSettle } from './settle-contract.js';

const SETTLE_INPUT = {
  type: 'object',
  additionalProperties: false,
  properties: {
    through: {
      type: 'string',
      format: 'date',
      description: 'Settle the periods that ended on or before this date (default: today).',
    },
  },
};

/** The last day of the periods to settle: the input's, else today. */
const throughOf = (input: Record<string, unknown>): string =>
  typeof input.through === 'string' ? input.through : new Date().toISOString().slice(0, 10);

function refuseUnapproved(record: PluginRecord): void {
  if (record.status === 'draft' || record.status === 'in_approval') {
    throw new PluginRejection('a contract is settled once it is approved', '/status', 'sla.contract_not_approved');
  }
}

function toSettle(id: string, record: PluginRecord): ContractToSettle {
  const value = record.contract_value;
  return { id, contractValue: typeof value === 'string' ? value : null };
}

const plugin: TesseraPlugin = {
  name: 'sla',
  version: '0.1.0',
  setup(host) {
    host.action({
      entity: 'contract',
      name: 'settle_sla',
      label: { en: 'Settle SLAs', 'zh-CN': 'SLA 结算' },
      input: SETTLE_INPUT,
      async run({ id, record, input, db, records }) {
        refuseUnapproved(record);
        const outcomes = await settleContracts(db, records, [toSettle(id, record)], throughOf(input));
        return outcomes.get(id);
      },
      // The monthly run settles many contracts per transaction, set-based.
      batchSize: 50,
      async runBatch({ targets, input, db, records }) {
        for (const t of targets) refuseUnapproved(t.record);
        return settleContracts(
          db,
          records,
          targets.map((t) => toSettle(t.id, t.record)),
          throughOf(input),
        );
      },
    });
    host.action(applySettlement);
  },
};

export default plugin;
