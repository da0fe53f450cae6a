// Reads a contract and its live lines as version content (contract-content.ts), inside the caller's transaction.
// CONTENT_FIELDS are the fields a version holds and a change request may change; LINE_FIELDS those of a line.
import { PluginRejection, type PluginDb } from '../../engine/src/plugins/plugin-api.js';
import type { ContentValue, ContractContent } from './contract-content.js';

export const CONTENT_FIELDS = [
  'title',
  'contract_type',
  'pricing_model',
  'master_agreement',
  'customer',
  'contact',
  'start_date',
  'end_date',
  'payment_terms',
  'clauses',
  'renewal_mode',
  'renewal_notice_days',
  'renewal_term_months',
  'notify_customer_on_renewal',
] as const;

/** Line fields a change request may set; the rest (totals) follow from them. */
export const LINE_INPUT_FIELDS = ['product', 'description', 'quantity', 'unit_price', 'discount_pct', 'unit_cost'] as const;

const RELATIONS = new Set(['master_agreement', 'customer', 'contact', 'product']);
const column = (field: string) => (RELATIONS.has(field) ? `${field}_id::text AS ${field}` : `${field}::text AS ${field}`);
const INTEGERS = new Set(['renewal_notice_days', 'renewal_term_months']);

function typed(field: string, value: string | null): ContentValue {
  if (value === null) return null;
  if (INTEGERS.has(field)) return Number(value);
  if (field === 'notify_customer_on_renewal') return value === 'true';
  return value;
}

export async function readContent(db: PluginDb, contractId: string): Promise<ContractContent> {
  const found = (await readContents(db, [contractId])).get(contractId);
  if (!found) throw new PluginRejection('no such contract', '/contract', 'contracts.no_contract');
  return found;
}

const LINE_FIELDS = [...LINE_INPUT_FIELDS, 'line_total', 'estimated_cost'];

/**
 * The content of many contracts in one statement (a version's content, and the demo data's versions in bulk):
 * each contract's fields and its live lines in id order. Contracts that are gone are absent from the map.
 */
export async function readContents(db: PluginDb, contractIds: readonly string[]): Promise<Map<string, ContractContent>> {
  const rows = await db.query<Record<string, string | null> & { id: string; lines: Array<Record<string, string | null> & { id: string }> }>(
    `SELECT c.id::text AS id, c.contract_no::text AS contract_no, ${CONTENT_FIELDS.map((f) => `c.${column(f)}`).join(', ')},
       coalesce((SELECT json_agg(l ORDER BY l.id) FROM (
         SELECT id::text AS id, ${LINE_FIELDS.map(column).join(', ')} FROM contract_line
          WHERE contract_id = c.id AND deleted_at IS NULL) l), '[]') AS lines
     FROM contract c WHERE c.id = ANY($1::uuid[]) AND c.deleted_at IS NULL`,
    [contractIds],
  );
  const out = new Map<string, ContractContent>();
  for (const row of rows) {
    const contract: Record<string, ContentValue> = { contract_no: row.contract_no ?? null };
    for (const field of CONTENT_FIELDS) contract[field] = typed(field, row[field] ?? null);
    const lines = row.lines.map((l) => {
      const line: Record<string, ContentValue> & { id: string } = { id: l.id };
      for (const field of LINE_FIELDS) line[field] = l[field] ?? null;
      return line;
    });
    out.set(row.id, { contract, lines });
  }
  return out;
}

/** The highest approved version number of a contract, 0 before its first approval. */
export async function currentVersion(db: PluginDb, contractId: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    'SELECT coalesce(max(version_no), 0)::int AS n FROM contract_version WHERE contract_id = $1 AND deleted_at IS NULL',
    [contractId],
  );
  return row?.n ?? 0;
}
