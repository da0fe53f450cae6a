// The CRM's demo data, in dependency order: the sales organisation, then customers and what hangs off them,
// leads, opportunities and activities, the loyalty programme's members and what they bought; then the derived
// values (confidence, money, rollups, value and lead scores, members' points) through the engine's own set-based
// recompute, so they are exactly what the rules say.
import type { SeedContext, SeedOutcome } from '../../engine/src/plugins/plugin-api.js';
import { seedAddresses, seedBrands, seedCities, seedContacts, seedCustomers, seedRelatedParties } from './customers.js';
import { seedMemberFees, seedMemberPlans, seedMemberPurchases, seedMembers, seedPointsEntries } from './members.js';
import { physical } from './physical.js';
import { seedActivities, seedLeads, seedOpportunities, seedOpportunityTeams } from './pipeline.js';
import { seedSalesOrg } from './sales-org.js';
import { VOLUMES } from './volumes.js';

export async function seedCrm(ctx: SeedContext): Promise<SeedOutcome> {
  const v = VOLUMES[ctx.size];
  const ph = physical(ctx.model);
  const org = await seedSalesOrg(ctx, ph);
  await seedCities(ctx);
  const counts: Record<string, number> = { ...org.counts };
  const step = async (entity: string, label: string, run: () => Promise<number>) => {
    counts[entity] = (counts[entity] ?? 0) + (await ctx.step(label, run));
  };
  await step('brand', 'brands', () => seedBrands(ctx, ph, v));
  await step('customer', 'customers', () => seedCustomers(ctx, ph, v));
  await step('contact', 'contacts', () => seedContacts(ctx, ph, v));
  await step('address', 'addresses', () => seedAddresses(ctx, ph, v));
  await step('related_party', 'related parties', () => seedRelatedParties(ctx, ph, v));
  await step('lead', 'leads', () => seedLeads(ctx, ph, v));
  await step('opportunity', 'opportunities', () => seedOpportunities(ctx, ph, v));
  await ctx.step('opportunity teams', () => seedOpportunityTeams(ctx, ph));
  // More about customers than about deals, fewest about leads.
  const aboutOpportunities = Math.round(v.activities * 0.3);
  const aboutLeads = Math.round(v.activities * 0.15);
  const aboutCustomers = v.activities - aboutOpportunities - aboutLeads;
  await step('activity', 'activities about customers', () => seedActivities(ctx, ph, 'customer', aboutCustomers, v.customers));
  await step('activity', 'activities about deals', () => seedActivities(ctx, ph, 'opportunity', aboutOpportunities, v.opportunities));
  await step('activity', 'activities about leads', () => seedActivities(ctx, ph, 'lead', aboutLeads, v.leads));
  await step('member_plan', 'membership plans', () => seedMemberPlans(ctx, ph));
  await step('member', 'members', () => seedMembers(ctx, ph, v));
  await step('member_fee', 'membership fees', () => seedMemberFees(ctx, ph));
  await step('member_purchase', 'member purchases', () => seedMemberPurchases(ctx, ph, v));
  await step('points_entry', 'points ledger', () => seedPointsEntries(ctx, ph));
  // Opportunities are written with their derived values (the demo data's test proves a recompute changes none),
  // so only what reads them is recomputed: the customers' rollups and value scores.
  await ctx.step('customer rollups and scores', () => ctx.recompute('customer'));
  await ctx.step('lead scores', () => ctx.recompute('lead'));
  await ctx.step("members' points, spend and fees", () => ctx.recompute('member'));
  return { counts, logins: org.logins };
}
