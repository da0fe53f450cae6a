// A contract template (per contract type: default lines, payment terms, clauses with merge fields and JSON Logic
// conditions, default SLA metrics) makes a draft contract for a customer: its `create_contract` action, writing the
// contract, its lines and copies of the SLA metrics through the pipeline as the caller, so lines without a price are
// priced from the catalogue and the metrics are checked like any the contract gets later.
import { PluginRejection, type PluginHost } from '../../engine/src/plugins/plugin-api.js';
import { termEnd } from './term-dates.js';
import { ClauseError, parseClauses, renderClauses } from './render-clauses.js';

/** The terms a template's SLA metric gives the contract's: its column and the field it fills. */
const METRIC_TERMS = [
  'name',
  'metric_type',
  'direction',
  'period',
  'aggregate',
  'target',
  'buffer',
  'step',
  'penalty_mode',
  'penalty_per_step',
  'penalty_cap_period',
  'penalty_cap_total',
  'reward_level',
  'reward_mode',
  'reward_per_step',
  'reward_cap_period',
  'reward_cap_total',
].map((name) => ({ name, column: name === 'metric_type' ? 'metric_type_id' : name }));

export function registerTemplates(host: PluginHost): void {
  host.action({
    entity: 'contract_template',
    name: 'create_contract',
    label: { en: 'Create a contract', 'zh-CN': '生成合同' },
    input: {
      type: 'object',
      additionalProperties: false,
      required: ['customer', 'title'],
      properties: {
        customer: { type: 'string', format: 'uuid' },
        contact: { type: 'string', format: 'uuid' },
        opportunity: { type: 'string', format: 'uuid' },
        master_agreement: { type: 'string', format: 'uuid' },
        title: { type: 'string', minLength: 1, maxLength: 200 },
        start_date: { type: 'string', format: 'date' },
        values: { type: 'object', description: 'Merge values the clauses read as {{values.<name>}}.' },
      },
    },
    async run({ id, record: template, input, db, records }) {
      if (template.active !== true) throw new PluginRejection('this template is not in use', '/active', 'contracts.template_inactive');
      const [customer] = await db.query<Record<string, unknown>>(
        'SELECT name, customer_type, industry::text AS industry FROM customer WHERE id = $1 AND deleted_at IS NULL',
        [input.customer],
      );
      if (!customer) throw new PluginRejection('no such customer', '/customer', 'contracts.no_customer');
      const start = typeof input.start_date === 'string' ? input.start_date : new Date().toISOString().slice(0, 10);
      const end = typeof template.term_months === 'number' ? termEnd(start, template.term_months) : null;
      const contractValues = {
        title: input.title,
        contract_type: template.contract_type,
        pricing_model: template.pricing_model,
        start_date: start,
        end_date: end,
      };
      let clauses: string;
      try {
        clauses = renderClauses(parseClauses(template.clauses), {
          contract: contractValues,
          customer,
          values: (input.values ?? {}) as Record<string, unknown>,
        });
      } catch (err) {
        if (err instanceof ClauseError) throw new PluginRejection(err.message, err.pointer, 'contracts.bad_clause');
        throw err;
      }
      const contract = await records.create('contract', {
        ...contractValues,
        customer: input.customer,
        ...(input.contact ? { contact: input.contact } : {}),
        ...(input.opportunity ? { opportunity: input.opportunity } : {}),
        ...(input.master_agreement ? { master_agreement: input.master_agreement } : {}),
        ...(template.payment_terms ? { payment_terms: template.payment_terms } : {}),
        ...(clauses ? { clauses } : {}),
        template: id,
      });
      const lines = await db.query<Record<string, string | null>>(
        `SELECT product_id::text AS product, description, quantity::text AS quantity, unit_price::text AS unit_price,
                unit_cost::text AS unit_cost
           FROM contract_template_line WHERE template_id = $1 AND deleted_at IS NULL ORDER BY id`,
        [id],
      );
      for (const line of lines) {
        const values = Object.fromEntries(Object.entries(line).filter(([, v]) => v !== null));
        await records.create('contract_line', { ...values, contract: contract.id });
      }
      // The template's default SLA metrics become the contract's own: copies it edits from then on.
      const metrics = await db.query<Record<string, string | null>>(
        `SELECT ${METRIC_TERMS.map((f) => `${f.column}::text AS ${f.name}`).join(', ')}
           FROM contract_template_sla_metric WHERE template_id = $1 AND deleted_at IS NULL ORDER BY name, id`,
        [id],
      );
      if (metrics.length > 0) {
        const copies = metrics.map((m) => ({
          ...Object.fromEntries(Object.entries(m).filter(([, v]) => v !== null)),
          contract: contract.id,
        }));
        await records.createMany('sla_metric', copies);
      }
      return { contract: contract.id, lines: lines.length, slaMetrics: metrics.length };
    },
  });
}
