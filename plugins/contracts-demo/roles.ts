// The demo sales organisation's access to the contracts side (issue #24 part 11): each CRM demo role gets the quotes,
// contracts, billing and SLA records at the scope it has over the CRM (lines, versions, milestones and the like are
// controlled by their parent record), the reference data to read, and the pack's actions; a finance user joins the
// organisation with the `finance` role the contract approval flow names for large contracts.
import type { SeedContext, SeedLogin } from '../../engine/src/plugins/plugin-api.js';
import { physical } from '../crm-demo/physical.js';
import { DEMO_PASSWORD, demoId } from '../crm-demo/sales-org.js';

const ALL = ['read', 'create', 'update', 'delete', 'export', 'approve'];

/** Records with an owner, or controlled by their parent: granted at the role's own scope. */
const SCOPED = [
  'quote',
  'quote_line',
  'contract',
  'contract_line',
  'contract_version',
  'change_request',
  'milestone',
  'billing_line',
  'cost_entry',
  'invoice',
  'invoice_line',
  'receipt',
  'receipt_allocation',
  'sla_metric',
  'sla_measurement',
  'sla_settlement',
  'contract_issue',
  'contract_issue_action',
  'commission',
];
/** What every salesperson reads whatever their scope: catalogues and templates. */
const REFERENCE = [
  'product',
  'contract_template',
  'contract_template_line',
  'contract_template_sla_metric',
  'sla_metric_type',
  'commission_plan',
];
/** The pack's actions, by entity: who may work a record may run them. */
const ACTIONS: Record<string, readonly string[]> = {
  quote: ['revise', 'create_contract', 'create_order'],
  contract: ['compare_versions', 'renew', 'settle_sla'],
  opportunity: ['create_quote', 'create_contract'],
  contract_template: ['create_contract'],
};

/** The CRM demo roles (plugins/crm-demo/sales-org.ts) and what they may do on the contracts side. */
export const ROLE_GRANTS: ReadonlyArray<{ code: string; scope: string; actions: readonly string[] }> = [
  { code: 'sales_director', scope: 'orgUnitAndBelow', actions: ALL },
  { code: 'branch_head', scope: 'orgUnitAndBelow', actions: ['read', 'create', 'update', 'export', 'approve'] },
  { code: 'sales_manager', scope: 'subordinates', actions: ['read', 'create', 'update', 'approve'] },
  { code: 'sales_rep', scope: 'own', actions: ['read', 'create', 'update'] },
  { code: 'account_team', scope: 'own', actions: ['read'] },
];

export type EntityGrant = { actions: string[]; scope: string };

function contractGrants(scope: string, actions: readonly string[], current: Record<string, EntityGrant>): Record<string, EntityGrant> {
  const out: Record<string, EntityGrant> = {};
  const writes = actions.includes('update');
  for (const e of SCOPED) out[e] = { actions: [...actions, ...(writes ? (ACTIONS[e] ?? []) : [])], scope };
  for (const e of REFERENCE) out[e] = { actions: ['read', ...(writes ? (ACTIONS[e] ?? []) : [])], scope: 'all' };
  const opportunity = current.opportunity;
  if (opportunity && writes)
    out.opportunity = { ...opportunity, actions: [...new Set([...opportunity.actions, ...(ACTIONS.opportunity ?? [])])] };
  return out;
}

const FINANCE_ENTITIES = [
  'contract',
  'invoice',
  'invoice_line',
  'receipt',
  'receipt_allocation',
  'cost_entry',
  'billing_line',
  'sla_settlement',
  'sla_metric',
  'sla_measurement',
  'milestone',
  'contract_line',
  'contract_version',
  'commission',
  'sales_quota',
];

/** Extends the demo roles, adds the finance role and its user; returns the finance user's login. */
export async function grantContractsToDemoRoles(ctx: SeedContext): Promise<SeedLogin[]> {
  for (const r of ROLE_GRANTS) {
    const [row] = await ctx.db.query<{ grants: { entities?: Record<string, EntityGrant> } }>(
      `SELECT grants FROM role WHERE code = $1 AND deleted_at IS NULL`,
      [r.code],
    );
    if (!row) continue;
    const entities = row.grants.entities ?? {};
    const grants = { ...row.grants, entities: { ...entities, ...contractGrants(r.scope, r.actions, entities) } };
    await ctx.db.execute(`UPDATE role SET grants = $2 WHERE code = $1 AND deleted_at IS NULL`, [r.code, JSON.stringify(grants)]);
  }
  const userId = demoId('user', 'lin.cai');
  const roleId = demoId('role', 'finance');
  const ph = physical(ctx.model);
  const user = ph.entity('app_user');
  const role = ph.entity('role');
  await ctx.db.execute(
    `INSERT INTO ${user.table} (id, ${user.col('username')}, ${user.col('display_name')}, ${user.col('email')}, ${user.col('org_unit')}, ${user.col('locale')})
     VALUES ($1, 'lin.cai', '林彩', 'lin.cai@demo.tessera.example', $2, 'zh-CN')`,
    [userId, demoId('unit', 'HQ-OPS')],
  );
  const financeGrants: Record<string, EntityGrant> = {};
  for (const e of FINANCE_ENTITIES) financeGrants[e] = { actions: ['read', 'create', 'update', 'export', 'approve'], scope: 'all' };
  for (const e of ['customer', 'contact', ...REFERENCE, 'app_user', 'org_unit']) financeGrants[e] = { actions: ['read'], scope: 'all' };
  await ctx.db.execute(
    `INSERT INTO ${role.table} (id, ${role.col('code')}, ${role.col('name')}, ${role.col('grants')}) VALUES ($1, 'finance', '财务', $2)`,
    [roleId, JSON.stringify({ entities: financeGrants })],
  );
  const members = role.junction('members');
  await ctx.db.execute(`INSERT INTO ${members.table} (${members.source}, ${members.target}) VALUES ($1, $2)`, [roleId, userId]);
  await ctx.setPasswords([{ userId, password: DEMO_PASSWORD }]);
  return [
    {
      username: 'lin.cai',
      displayName: '林彩',
      password: DEMO_PASSWORD,
      role: 'finance (contracts, invoices, receipts; approves large contracts)',
    },
  ];
}
