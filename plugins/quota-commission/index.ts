// Quotas and commissions (#24 part 10): a quota's period dates follow its year, quarter or month; its attainment is
// refreshed from signed contracts or confirmed orders (refresh_attainment, nightly for current quotas); commissions
// are accrued on a signed contract or a confirmed order by the plans that apply (accrue_commission), or entered by
// hand. Required by metadata/packs/contracts.
import { PluginRejection, type PluginRecord, type TesseraPlugin } from '../../engine/src/plugins/plugin-api.js';
import { accrueCommissions } from './accrue.js';
import { attainment } from './attainment.js';
import { quotaPeriod } from './quota-period.js';

const NO_INPUT = { type: 'object', additionalProperties: false, properties: {} };

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function setPeriod(record: PluginRecord, changes: PluginRecord): void {
  const period = quotaPeriod(record);
  if (!period) return;
  changes.period_start = period.start;
  changes.period_end = period.end;
}

const plugin: TesseraPlugin = {
  name: 'quota-commission',
  version: '0.1.0',
  setup(host) {
    host.before('record.beforeCreate', ({ changes }) => setPeriod(changes, changes), { entities: ['sales_quota'] });
    host.before('record.beforeUpdate', ({ changes, before }) => setPeriod({ ...before, ...changes }, changes), {
      entities: ['sales_quota'],
    });

    host.action({
      entity: 'sales_quota',
      name: 'refresh_attainment',
      label: { en: 'Refresh attainment', 'zh-CN': '刷新完成情况' },
      input: NO_INPUT,
      async run({ id, record, db, records }) {
        const start = text(record.period_start);
        const end = text(record.period_end);
        if (!start || !end) throw new PluginRejection('the quota has no complete period', '/period_type', 'quota.no_period');
        const basis = record.basis === 'formal_orders' ? 'formal_orders' : 'signed_contracts';
        const result = await attainment(db, { basis, rep: text(record.rep), orgUnit: text(record.org_unit), start, end });
        await records.update('sales_quota', id, { achieved: result.achieved, refreshed_at: new Date().toISOString() });
        return result;
      },
    });

    host.action({
      entity: 'contract',
      name: 'accrue_commission',
      label: { en: 'Accrue commission', 'zh-CN': '计提提成' },
      input: NO_INPUT,
      async run({ id, record, db, records }) {
        if (!['signed', 'active', 'completed'].includes(String(record.status)))
          throw new PluginRejection('commission is accrued on a signed contract', '/status', 'commission.not_signed');
        const owner = text(record.owner);
        const on = text(record.signed_on);
        if (!owner || !on) throw new PluginRejection('the contract needs an owner and a signing date', '/owner', 'commission.no_owner');
        return accrueCommissions(db, records, {
          kind: 'contract',
          id,
          owner,
          on,
          amount: text(record.contract_value) ?? '0',
          contractType: text(record.contract_type),
        });
      },
    });

    host.action({
      entity: 'sales_order',
      name: 'accrue_commission',
      label: { en: 'Accrue commission', 'zh-CN': '计提提成' },
      input: NO_INPUT,
      async run({ id, record, db, records }) {
        if (!['formal', 'closed'].includes(String(record.status)))
          throw new PluginRejection('commission is accrued on a confirmed order', '/status', 'commission.not_confirmed');
        const owner = text(record.owner);
        const on = text(record.order_date);
        if (!owner || !on) throw new PluginRejection('the order needs an owner and an order date', '/owner', 'commission.no_owner');
        return accrueCommissions(db, records, {
          kind: 'sales_order',
          id,
          owner,
          on,
          amount: text(record.total) ?? '0',
          contractType: null,
        });
      },
    });
  },
};

export default plugin;
