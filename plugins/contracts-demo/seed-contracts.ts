// The contracts pack's demo data, hung on the CRM's (customers, contacts, won opportunities, reps): a catalogue and
// contract templates, contracts with their lines and versions, quotes, delivery (milestones, billing lines, costs),
// invoices and receipts, SLAs and their settlements, issues, commissions and quotas; then every computed and rollup
// field through the engine's own set-based recompute, leaves first, so totals, receivables and profit are what the
// rules say.
import type { SeedContext, SeedOutcome } from '../../engine/src/plugins/plugin-api.js';
import { seedCatalogue } from './catalogue.js';
import { planContracts, seedContractLines, seedContractRows } from './contracts.js';
import { seedBillingLines, seedCostEntries, seedMilestones } from './delivery.js';
import { seedCommissions, seedIssues, seedQuotas } from './follow-up.js';
import { seedInvoices, seedReceipts } from './invoicing.js';
import { seedQuoteLines, seedQuotes } from './quotes.js';
import { seedSettlements, seedSlaMetrics } from './sla.js';
import { seedTemplates } from './templates.js';
import { seedChanges, seedFirstVersions } from './versions.js';
import { VOLUMES } from './volumes.js';
import { grantContractsToDemoRoles } from './roles.js';

/** The CRM demo's customers and opportunities (their ids' prefix, plugins/crm-demo/sql-bits.ts). */
async function crmDemo(ctx: SeedContext): Promise<{ customers: number; opportunities: number }> {
  const [row] = await ctx.db.query<{ customers: number; opportunities: number }>(
    `SELECT (SELECT count(*) FROM customer WHERE id::text LIKE '0193e2a0-0001-%')::int AS customers,
       (SELECT count(*) FROM opportunity WHERE id::text LIKE '0193e2a0-0007-%')::int AS opportunities`,
  );
  if (!row || row.customers === 0) throw new Error('the contracts demo data hangs on the CRM demo data: run `tessera seed crm` first');
  return row;
}

/**
 * Entities whose computed and rollup fields the demo rows feed, readers after what they read. A recompute also brings
 * up to date the entities reading the one recomputed (a milestone's billing lines, an invoice line's invoice, a
 * settlement's metric), so those are not listed again; the contract comes last, reading all of them.
 */
const RECOMPUTED = [
  'product',
  'quote_line',
  'contract_line',
  'milestone',
  'invoice_line',
  'receipt',
  'sla_settlement',
  'change_request',
  'contract',
  'contract_issue',
  'commission',
];

export async function seedContracts(ctx: SeedContext): Promise<SeedOutcome> {
  const v = VOLUMES[ctx.size];
  const crm = await crmDemo(ctx);
  const counts: Record<string, number> = {};
  const step = async (entity: string, label: string, run: () => Promise<number>) => {
    counts[entity] = (counts[entity] ?? 0) + (await ctx.step(label, run));
  };
  Object.assign(counts, await seedCatalogue(ctx), await seedTemplates(ctx));
  await ctx.step('contract plan', async () => {
    await planContracts(ctx, v.contracts, crm.customers);
    return v.contracts;
  });
  await step('contract', 'contracts', () => seedContractRows(ctx, v.contracts));
  await step('contract_line', 'contract lines', () => seedContractLines(ctx));
  // Versions read each contract's lines; the pack's own indexes are built only once everything is written.
  await ctx.db.execute('CREATE INDEX demo_lines_by_contract ON contract_line (contract_id)');
  await step('contract_version', 'versions 1', () => seedFirstVersions(ctx));
  const changes = await ctx.step('change requests and versions 2', async () => {
    const made = await seedChanges(ctx);
    counts.contract_version = (counts.contract_version ?? 0) + made.versions;
    return made.changes;
  });
  counts.change_request = changes;
  await ctx.db.execute('DROP INDEX demo_lines_by_contract');
  await step('quote', 'quotes', () => seedQuotes(ctx, Math.min(v.quotes, crm.opportunities)));
  await step('quote_line', 'quote lines', () => seedQuoteLines(ctx));
  await step('milestone', 'milestones', () => seedMilestones(ctx));
  await step('billing_line', 'billing lines', () => seedBillingLines(ctx));
  await step('cost_entry', 'cost entries', () => seedCostEntries(ctx));
  // Steps writing several entities report their main one's rows and add up the rest.
  await step('invoice', 'invoices', async () => {
    const made = await seedInvoices(ctx);
    counts.invoice_line = made.lines;
    return made.invoices;
  });
  await step('receipt', 'receipts and allocations', async () => {
    const paid = await seedReceipts(ctx);
    counts.receipt_allocation = paid.allocations;
    return paid.receipts;
  });
  await step('sla_metric', 'SLA metrics and measurements', async () => {
    const sla = await seedSlaMetrics(ctx, v.slaEvery);
    counts.sla_measurement = sla.measurements;
    return sla.metrics;
  });
  await step('sla_settlement', 'SLA settlements', async () => {
    const settled = await seedSettlements(ctx);
    counts.invoice = (counts.invoice ?? 0) + settled.invoices;
    counts.invoice_line = (counts.invoice_line ?? 0) + settled.invoices;
    return settled.settlements;
  });
  await step('contract_issue', 'contract issues', async () => {
    const issues = await seedIssues(ctx);
    counts.contract_issue_action = issues.actions;
    return issues.issues;
  });
  await step('commission', 'commissions', () => seedCommissions(ctx));
  for (const entity of RECOMPUTED) await ctx.step(`${entity} computed fields`, () => ctx.recompute(entity));
  // Attainment reads the contracts' values, so the quotas come once those are computed.
  await step('sales_quota', 'quotas', () => seedQuotas(ctx));
  await ctx.step('sales_quota computed fields', () => ctx.recompute('sales_quota'));
  const logins = await grantContractsToDemoRoles(ctx);
  return { counts: { ...counts, role: 1, app_user: 1 }, logins };
}
