// What the contracts pack needs beyond metadata: quote and contract lines priced from the catalogue
// (line-pricing.ts), quotes turned into contracts and orders (quote-actions.ts), contracts as versioned data with
// change requests (versioning.ts), templates that make contracts (templates.ts), renewals (renewals.ts), and
// issue placement and quote expiry (follow-up.ts).
// Required by metadata/packs/contracts.
import type { TesseraPlugin } from '../../engine/src/plugins/plugin-api.js';
import { registerFollowUp } from './follow-up.js';
import { registerLinePricing } from './line-pricing.js';
import { registerQuoteFlow } from './quote-actions.js';
import { registerRenewals } from './renewals.js';
import { registerTemplates } from './templates.js';
import { registerVersioning } from './versioning.js';

const plugin: TesseraPlugin = {
  name: 'contracts',
  version: '0.1.0',
  requires: ['pricing'],
  setup(host) {
    registerLinePricing(host);
    registerQuoteFlow(host);
    registerVersioning(host);
    registerTemplates(host);
    registerRenewals(host);
    registerFollowUp(host);
  },
};

export default plugin;
