// Quotas and commissions (#24 part 10): a quota's period dates follow its year, quarter or month; its attainment is
// refreshed from signed contracts or confirmed orders (refresh_attainment, nightly for current quotas); commissions
// are accrued on a signed contract or a confirmed order by the plans that apply (accrue_commission), or entered by
// hand. Required by metadata/packs/contracts.
import { PluginRejection, type ActionDef, type PluginRecord, type TesseraPlugin } from '../../engine/src/plugins/plugin-api.js';
import { accrueCommissions, type Accruable } from './accrue.js';
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

/** What a commission is accrued on: the record, the states it must be in, and where its owner, date and amount are. */
interface Source {
  readonly kind: Accruable['kind'];
  readonly states: readonly string[];
  readonly notReady: { readonly detail: string; readonly code: string };
  readonly dateField: string;
  readonly amountField: string;
  readonly missing: string;
  readonly typeField?: string;
}

const SOURCES: readonly Source[] = [
  {
    kind: 'contract',
    states: ['signed', 'active', 'completed'],
    notReady: { detail: 'commission is accrued on a signed contract', code: 'commission.not_signed' },
    dateField: 'signed_on',
    amountField: 'contract_value',
    missing: 'the contract needs an owner and a signing date',
    typeField: 'contract_type',
  },
  {
    kind: 'sales_order',
    states: ['formal', 'closed'],
    notReady: { detail: 'commission is accrued on a confirmed order', code: 'commission.not_confirmed' },
    dateField: 'order_date',
    amountField: 'total',
    missing: 'the order needs an owner and an order date',
  },
];

function accrueAction(source: Source): ActionDef {
  return {
    entity: source.kind,
    name: 'accrue_commission',
    label: { en: 'Accrue commission', 'zh-CN': '计提提成' },
    input: NO_INPUT,
    async run({ id, record, db, records }) {
      if (!source.states.includes(String(record.status)))
        throw new PluginRejection(source.notReady.detail, '/status', source.notReady.code);
      const owner = text(record.owner);
      const on = text(record[source.dateField]);
      if (!owner || !on) throw new PluginRejection(source.missing, '/owner', 'commission.no_owner');
      return accrueCommissions(db, records, {
        kind: source.kind,
        id,
        owner,
        on,
        amount: text(record[source.amountField]) ?? '0',
        contractType: source.typeField === undefined ? null : text(record[source.typeField]),
      });
    },
  };
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

    for (const source of SOURCES) host.action(accrueAction(source));
  },
};

export default plugin;
