// What a template sees of a record: the record, its customer, its lines (with product names) and, for a contract,
// its clauses split into numbered paragraphs. Each target names its columns here, decimals and dates as the strings
// PostgreSQL gives (never floats), so a template shows exactly what is stored and nothing else of the database.
import { PluginRejection, type PluginDb } from '../../engine/src/plugins/plugin-api.js';

export type RenderTarget = 'contract' | 'quote' | 'sales_order' | 'invoice';
export const RENDER_TARGETS: readonly RenderTarget[] = ['contract', 'quote', 'sales_order', 'invoice'];

interface TargetQueries {
  readonly record: string;
  readonly lines: string;
}

const CUSTOMER = `SELECT customer_no, name, short_name, customer_type::text AS customer_type, industry::text AS industry,
  region::text AS region, phone, email, website, address FROM customer WHERE id = $1`;

const QUERIES: Record<RenderTarget, TargetQueries> = {
  contract: {
    record: `SELECT id::text, contract_no, title, contract_type::text AS contract_type, pricing_model::text AS pricing_model,
        status::text AS status, start_date::text AS start_date, end_date::text AS end_date, signed_on::text AS signed_on,
        payment_terms, clauses, contract_value::text AS contract_value, current_version, customer_id::text AS customer_id
      FROM contract WHERE id = $1 AND deleted_at IS NULL`,
    lines: `SELECT l.description, p.name AS product, l.quantity::text AS quantity, l.unit_price::text AS unit_price,
        l.discount_pct::text AS discount_pct, l.line_total::text AS line_total
      FROM contract_line l LEFT JOIN product p ON p.id = l.product_id
      WHERE l.contract_id = $1 AND l.deleted_at IS NULL ORDER BY l.created_at, l.id`,
  },
  quote: {
    record: `SELECT id::text, quote_no, title, revision, status::text AS status, valid_until::text AS valid_until, notes,
        subtotal::text AS subtotal, tax_amount::text AS tax_amount, total::text AS total,
        discount_amount::text AS discount_amount, customer_id::text AS customer_id
      FROM quote WHERE id = $1 AND deleted_at IS NULL`,
    lines: `SELECT l.description, p.name AS product, l.quantity::text AS quantity, l.unit_price::text AS unit_price,
        l.discount_pct::text AS discount_pct, l.tax_rate::text AS tax_rate, l.net_amount::text AS net_amount,
        l.tax_amount::text AS tax_amount
      FROM quote_line l LEFT JOIN product p ON p.id = l.product_id
      WHERE l.quote_id = $1 AND l.deleted_at IS NULL ORDER BY l.created_at, l.id`,
  },
  sales_order: {
    record: `SELECT id::text, order_no, order_date::text AS order_date, status::text AS status, total::text AS total, notes,
        customer_id::text AS customer_id
      FROM sales_order WHERE id = $1 AND deleted_at IS NULL`,
    lines: `SELECT l.description, p.name AS product, l.quantity::text AS quantity, l.unit_price::text AS unit_price,
        l.discount_pct::text AS discount_pct, l.line_total::text AS line_total
      FROM order_line l LEFT JOIN product p ON p.id = l.product_id
      WHERE l.sales_order_id = $1 AND l.deleted_at IS NULL ORDER BY l.created_at, l.id`,
  },
  invoice: {
    record: `SELECT id::text, invoice_no, issue_date::text AS issue_date, due_date::text AS due_date, stage::text AS stage,
        total::text AS total, paid_amount::text AS paid_amount, outstanding::text AS outstanding, customer_id::text AS customer_id
      FROM invoice WHERE id = $1 AND deleted_at IS NULL`,
    lines: `SELECT l.kind::text AS kind, l.description, l.amount::text AS amount, c.contract_no
      FROM invoice_line l LEFT JOIN contract c ON c.id = l.contract_id
      WHERE l.invoice_id = $1 AND l.deleted_at IS NULL ORDER BY l.created_at, l.id`,
  },
};

export interface MergeData extends Record<string, unknown> {
  readonly record: Record<string, unknown>;
  readonly customer: Record<string, unknown>;
  readonly lines: ReadonlyArray<Record<string, unknown>>;
  /** A contract's clauses as paragraphs ({title, text}); empty for other targets. */
  readonly clauses: ReadonlyArray<{ readonly title: string; readonly text: string }>;
  /** When the document was rendered (ISO), for the footer. */
  readonly rendered_at: string;
}

/** A contract's clause text (as templates.ts writes it: "n. Title\ntext" blocks) as paragraphs. */
export function clauseParagraphs(clauses: unknown): Array<{ title: string; text: string }> {
  if (typeof clauses !== 'string' || clauses.trim() === '') return [];
  return clauses.split(/\n{2,}/).map((block) => {
    const [first = '', ...rest] = block.split('\n');
    return { title: first.trim(), text: rest.join('\n').trim() };
  });
}

export async function readMergeData(db: PluginDb, target: RenderTarget, id: string): Promise<MergeData> {
  const q = QUERIES[target];
  const [record] = await db.query(q.record, [id]);
  if (!record) throw new PluginRejection(`${target} ${id} does not exist`, '', 'rendering.no_record', 404);
  const [customer] = record.customer_id ? await db.query(CUSTOMER, [record.customer_id]) : [];
  const lines = await db.query(q.lines, [id]);
  // Whatever a template is given is all it can reach: plain copies, without the driver's row prototypes.
  return JSON.parse(
    JSON.stringify({
      record,
      [target]: record,
      customer: customer ?? {},
      lines,
      clauses: target === 'contract' ? clauseParagraphs(record.clauses) : [],
      rendered_at: new Date().toISOString(),
    }),
  ) as MergeData;
}
