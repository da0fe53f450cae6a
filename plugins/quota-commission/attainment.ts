// What a quota's assignee achieved in its period: the value of contracts signed in it (signed and later states), or
// the total of orders confirmed in it (formal or closed), by the rep, or by every member of the team or department
// and the units under it. One statement; the figures are exact decimals as text.
import type { PluginDb } from '../../engine/src/plugins/plugin-api.js';

export interface QuotaScope {
  readonly basis: 'signed_contracts' | 'formal_orders';
  readonly rep: string | null;
  readonly orgUnit: string | null;
  readonly start: string;
  readonly end: string;
}

const OWNERS = `
  WITH RECURSIVE units AS (
    SELECT id FROM org_unit WHERE id = $2 AND deleted_at IS NULL
    UNION SELECT u.id FROM org_unit u JOIN units ON u.parent_id = units.id WHERE u.deleted_at IS NULL),
  owners AS (
    SELECT $1::uuid AS id WHERE $1::uuid IS NOT NULL
    UNION SELECT a.id FROM app_user a JOIN units ON a.org_unit_id = units.id WHERE a.deleted_at IS NULL)`;

const SQL = {
  signed_contracts: `${OWNERS}
    SELECT coalesce(sum(c.contract_value), 0)::text AS achieved, count(*)::int AS records FROM contract c
     WHERE c.deleted_at IS NULL AND c.owner_id IN (SELECT id FROM owners)
       AND c.status IN ('signed', 'active', 'completed') AND c.signed_on BETWEEN $3::date AND $4::date`,
  formal_orders: `${OWNERS}
    SELECT coalesce(sum(o.total), 0)::text AS achieved, count(*)::int AS records FROM sales_order o
     WHERE o.deleted_at IS NULL AND o.owner_id IN (SELECT id FROM owners)
       AND o.status IN ('formal', 'closed') AND o.order_date BETWEEN $3::date AND $4::date`,
};

export async function attainment(db: PluginDb, q: QuotaScope): Promise<{ achieved: string; records: number }> {
  const [row] = await db.query<{ achieved: string; records: number }>(SQL[q.basis], [q.rep, q.orgUnit, q.start, q.end]);
  return row ?? { achieved: '0', records: 0 };
}
