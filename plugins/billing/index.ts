// Billing for the contracts pack: the billing run that turns due billing lines into invoices (job `billing:run`,
// payload `{ asOf?: 'YYYY-MM-DD' }`), and the guard that keeps receipt allocations within what invoices owe and
// receipts hold. Required by metadata/packs/contracts.
import type { TesseraPlugin } from '../../engine/src/plugins/plugin-api.js';
import { guardAllocations } from './allocation-guard.js';
import { runBilling } from './billing-run.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function asOfDate(payload: unknown): string {
  const asked = (payload as { asOf?: unknown } | null)?.asOf;
  if (typeof asked === 'string' && DATE.test(asked)) return asked;
  return new Date().toISOString().slice(0, 10);
}

const plugin: TesseraPlugin = {
  name: 'billing',
  version: '0.1.0',
  setup(host) {
    guardAllocations(host);
    host.job({
      name: 'billing:run',
      async run({ model, log, payload, bulk }) {
        const asOf = asOfDate(payload);
        const result = await bulk((tx) => runBilling(model, tx, asOf));
        log.info({ asOf, ...result }, 'billing run done');
      },
    });
  },
};

export default plugin;
