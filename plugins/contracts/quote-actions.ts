// Quotes turn into what follows them with nothing typed twice: a new revision of a quote (`revise`), an accepted
// quote into a draft contract or a planned order with the same customer and lines (`create_contract`,
// `create_order`), and an opportunity into a quote, or, once won, straight into a contract. Each writes through
// the pipeline as the caller, inside the action's transaction, and running one again returns what it made.
import {
  PluginRejection,
  type PluginDb,
  type PluginHost,
  type PluginRecord,
  type PluginRecords,
} from '../../engine/src/plugins/plugin-api.js';
import { carriedValues as carried } from '../../engine/src/plugins/carried-values.js';

const NO_INPUT = { type: 'object', additionalProperties: false, properties: {} } as const;

type Row = Record<string, string | null>;

const defined = (row: Row): PluginRecord => Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null));

async function quoteLines(db: PluginDb, quote: string): Promise<Row[]> {
  return db.query<Row>(
    `SELECT product_id::text AS product, description, quantity::text AS quantity, unit_price::text AS unit_price,
            discount_pct::text AS discount_pct, tax_rate::text AS tax_rate, unit_cost::text AS unit_cost
       FROM quote_line WHERE quote_id = $1 AND deleted_at IS NULL ORDER BY id`,
    [quote],
  );
}

function requireAccepted(quote: PluginRecord): void {
  if (quote.status !== 'accepted')
    throw new PluginRejection(
      `only an accepted quote becomes a contract or an order; this one is ${String(quote.status)}`,
      '/status',
      'contracts.quote_not_accepted',
    );
}

interface Conversion {
  /** The quote's field that links to what it became, and that record's entity. */
  readonly link: 'contract' | 'sales_order';
  readonly head: PluginRecord;
  readonly lineEntity: string;
  readonly lineParent: string;
  /** Quote line columns the target's lines do not have. */
  readonly omit: readonly string[];
}

/**
 * An accepted quote becomes a record with its lines, once: run again, it returns what it made the first time.
 * Returns the new record's id and whether it was made now.
 */
async function convertAccepted(
  { id, quote, db, records }: { id: string; quote: PluginRecord; db: PluginDb; records: PluginRecords },
  c: Conversion,
): Promise<{ id: string; created: boolean; lines?: number }> {
  const made = quote[c.link];
  if (typeof made === 'string') return { id: made, created: false };
  requireAccepted(quote);
  const target = await records.create(c.link, c.head);
  const lines = await quoteLines(db, id);
  for (const line of lines) {
    const kept = Object.fromEntries(Object.entries(line).filter(([k]) => !c.omit.includes(k)));
    await records.create(c.lineEntity, { ...defined(kept), [c.lineParent]: target.id });
  }
  await records.update('quote', id, { [c.link]: target.id });
  return { id: String(target.id), created: true, lines: lines.length };
}

function registerQuoteActions(host: PluginHost): void {
  // A draft's lines come and go; past the draft, a new revision changes a quote.
  host.before(
    'record.beforeDelete',
    async ({ before, db }) => {
      const [row] = await db.query<{ status: string }>('SELECT status FROM quote WHERE id = $1', [before?.quote]);
      if (row && row.status !== 'draft')
        throw new PluginRejection('lines change only while the quote is a draft; revise it instead', '/quote', 'contracts.quote_locked');
    },
    { entities: ['quote_line'] },
  );

  host.action({
    entity: 'quote',
    name: 'revise',
    label: { en: 'New revision', 'zh-CN': '生成新版次' },
    input: NO_INPUT,
    async run({ id, record: quote, db, records }) {
      const [later] = await db.query<{ id: string }>(
        'SELECT id FROM quote WHERE previous_revision_id = $1 AND deleted_at IS NULL LIMIT 1',
        [id],
      );
      if (later) throw new PluginRejection('this quote was revised already; revise its latest revision', '', 'contracts.quote_revised');
      const revision = await records.create('quote', {
        ...carried(quote, {
          title: 'title',
          customer: 'customer',
          contact: 'contact',
          opportunity: 'opportunity',
          owner: 'owner',
          valid_until: 'valid_until',
          notes: 'notes',
        }),
        revision: Number(quote.revision ?? 1) + 1,
        previous_revision: id,
      });
      const lines = await quoteLines(db, id);
      for (const line of lines) await records.create('quote_line', { ...defined(line), quote: revision.id });
      return { quote: revision.id, revision: revision.revision, lines: lines.length };
    },
  });

  host.action({
    entity: 'quote',
    name: 'create_contract',
    label: { en: 'Create the contract', 'zh-CN': '生成合同' },
    input: {
      type: 'object',
      additionalProperties: false,
      properties: {
        contract_type: { enum: ['sales', 'purchase', 'master', 'sow'] },
        start_date: { type: 'string', format: 'date' },
        end_date: { type: 'string', format: 'date' },
      },
    },
    async run({ id, record: quote, input, db, records }) {
      const { id: contract, ...made } = await convertAccepted(
        { id, quote, db, records },
        {
          link: 'contract',
          head: {
            ...carried(quote, { title: 'title', customer: 'customer', contact: 'contact', opportunity: 'opportunity', owner: 'owner' }),
            ...carried(input, { contract_type: 'contract_type', start_date: 'start_date', end_date: 'end_date' }),
          },
          lineEntity: 'contract_line',
          lineParent: 'contract',
          omit: ['tax_rate'],
        },
      );
      return { contract, ...made };
    },
  });

  host.action({
    entity: 'quote',
    name: 'create_order',
    label: { en: 'Create the order', 'zh-CN': '生成订单' },
    input: NO_INPUT,
    async run({ id, record: quote, db, records }) {
      const { id: order, ...made } = await convertAccepted(
        { id, quote, db, records },
        {
          link: 'sales_order',
          head: { ...carried(quote, { customer: 'customer', opportunity: 'opportunity', owner: 'owner' }), status: 'planned' },
          lineEntity: 'order_line',
          lineParent: 'sales_order',
          omit: ['tax_rate', 'unit_cost'],
        },
      );
      return { order, ...made };
    },
  });
}

function registerOpportunityActions(host: PluginHost): void {
  /** What a quote or contract takes from the opportunity, and its one line: the opportunity's amount. */
  const fromOpportunity = (opportunity: PluginRecord, id: string) => ({
    head: {
      title: opportunity.name,
      opportunity: id,
      ...carried(opportunity, { customer: 'customer', contact: 'contact', owner: 'owner' }),
    },
    line: { description: opportunity.name, quantity: '1', unit_price: opportunity.amount_cny ?? '0' },
  });

  host.action({
    entity: 'opportunity',
    name: 'create_quote',
    label: { en: 'Create a quote', 'zh-CN': '生成报价单' },
    input: NO_INPUT,
    async run({ id, record: opportunity, records }) {
      if (opportunity.stage === 'lost')
        throw new PluginRejection('a lost opportunity gets no quote', '/stage', 'contracts.opportunity_lost');
      const { head, line } = fromOpportunity(opportunity, id);
      const quote = await records.create('quote', head);
      await records.create('quote_line', { ...line, quote: quote.id });
      return { quote: quote.id };
    },
  });

  host.action({
    entity: 'opportunity',
    name: 'create_contract',
    label: { en: 'Create the contract', 'zh-CN': '生成合同' },
    input: NO_INPUT,
    async run({ id, record: opportunity, db, records }) {
      if (opportunity.stage !== 'won')
        throw new PluginRejection('only a won opportunity gets a contract directly', '/stage', 'contracts.opportunity_not_won');
      const [existing] = await db.query<{ id: string }>(
        'SELECT id FROM contract WHERE opportunity_id = $1 AND deleted_at IS NULL LIMIT 1',
        [id],
      );
      if (existing) return { contract: existing.id, created: false };
      const { head, line } = fromOpportunity(opportunity, id);
      const contract = await records.create('contract', head);
      await records.create('contract_line', { ...line, contract: contract.id });
      return { contract: contract.id, created: true };
    },
  });
}

export function registerQuoteFlow(host: PluginHost): void {
  registerQuoteActions(host);
  registerOpportunityActions(host);
}
