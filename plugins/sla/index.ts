// SLAs that carry money (#24): a contract's `settle_sla` action turns the measurements of every period that has ended
// into settlements (penalty, reward, net, and how each was worked out), which people then confirm, dispute or apply
// to an invoice (apply-settlement.ts); the confirmed and applied nets roll up into the contract's SLA net and so into
// its profit. A time-based metric settled per milestone takes its measurement from the milestone's acceptance. Required by
// metadata/packs/contracts.
import { PluginRejection, type TesseraPlugin } from '../../engine/src/plugins/plugin-api.js';
import { applySettlement } from './apply-settlement.js';
import { settleContract } from './settle-contract.js';

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
        if (record.status === 'draft' || record.status === 'in_approval') {
          throw new PluginRejection('a contract is settled once it is approved', '/status', 'sla.contract_not_approved');
        }
        const through = typeof input.through === 'string' ? input.through : new Date().toISOString().slice(0, 10);
        const value = record.contract_value;
        return settleContract(db, records, { id, contractValue: typeof value === 'string' ? value : null }, through);
      },
    });
    host.action(applySettlement);
  },
};

export default plugin;
