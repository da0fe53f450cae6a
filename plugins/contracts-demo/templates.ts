// The demo's contract templates, one per way the demo company sells: default lines from the catalogue, payment
// terms, clauses with merge fields and conditions, and default SLA metrics, so a rep's first contract from a template
// starts with terms a consultant would have set up. Written from these lists, the same whatever the size.
import type { SeedContext } from '../../engine/src/plugins/plugin-api.js';
import { METRIC_TYPES, PRODUCTS } from './catalogue.js';
import { cidOf } from './sql-ids.js';

interface Clause {
  readonly title: string;
  readonly text: string;
  readonly when?: unknown;
}

interface Metric {
  readonly name: string;
  /** METRIC_TYPES' name */
  readonly type: string;
  readonly period: 'milestone' | 'month' | 'quarter';
  readonly aggregate: 'max' | 'avg';
  readonly target: string;
  readonly buffer: string;
  readonly step: string;
  readonly penaltyMode: 'fixed' | 'pct_milestone';
  readonly penalty: string;
  readonly capPeriod: string;
  readonly capTotal: string | null;
  readonly reward?: { readonly level: string; readonly perStep: string; readonly cap: string };
}

interface Template {
  readonly name: string;
  readonly type: 'sales' | 'purchase' | 'master' | 'nda' | 'sow';
  readonly pricing: 'fixed_price' | 'time_and_materials';
  readonly months: number;
  readonly paymentTerms: string;
  readonly clauses: readonly Clause[];
  /** PRODUCTS' name and quantity; the price comes from the catalogue when the contract is made */
  readonly lines: ReadonlyArray<readonly [string, string]>;
  readonly metrics: readonly Metric[];
}

const CONFIDENTIALITY: Clause = {
  title: '保密',
  text: '双方对在履行本合同过程中知悉的对方商业秘密承担保密义务，本条款在合同终止后继续有效。',
};
const TERM: Clause = { title: '合同期限', text: '本合同自 {{contract.start_date}} 起生效，至 {{contract.end_date}} 止。' };
const WARRANTY: Clause = {
  title: '质保',
  text: '{{customer.name}} 自上线验收之日起享有 {{values.warranty_months}} 个月免费质保。',
  when: { '>': [{ var: 'values.warranty_months' }, 0] },
};

const GO_LIVE_DELAY: Metric = {
  name: '上线延期',
  type: '交付延期',
  period: 'milestone',
  aggregate: 'max',
  target: '0',
  buffer: '3',
  step: '1',
  penaltyMode: 'fixed',
  penalty: '1000.00',
  capPeriod: '20000.00',
  capTotal: '20000.00',
  reward: { level: '5', perStep: '400.00', cap: '4000.00' },
};

export const TEMPLATES: readonly Template[] = [
  {
    name: '标准软件销售合同',
    type: 'sales',
    pricing: 'fixed_price',
    months: 12,
    paymentTerms: '合同签订后 7 日内支付 30%；上线验收后 30 日内支付 60%；质保期满后支付 10%。',
    clauses: [
      { title: '许可范围', text: '{{customer.name}} 在合同期内于其所属企业范围内使用所购软件许可。' },
      TERM,
      WARRANTY,
      { title: '验收', text: '上线后 10 个工作日内完成验收测试，缺陷率以验收测试结果为准。' },
      CONFIDENTIALITY,
    ],
    lines: [
      ['企业资源计划 ERP 许可', '50'],
      ['实施顾问服务', '200'],
      ['用户培训', '40'],
    ],
    metrics: [
      GO_LIVE_DELAY,
      {
        name: '季度缺陷率',
        type: '缺陷率',
        period: 'quarter',
        aggregate: 'avg',
        target: '2.0',
        buffer: '0.5',
        step: '0.5',
        penaltyMode: 'fixed',
        penalty: '2000.00',
        capPeriod: '10000.00',
        capTotal: null,
      },
    ],
  },
  {
    name: '年度运维服务合同',
    type: 'sales',
    pricing: 'fixed_price',
    months: 12,
    paymentTerms: '服务费按季度预付，每季度首月 15 日前支付当季费用。',
    clauses: [
      TERM,
      { title: '服务时间', text: '7×24 小时受理报障，一般故障 4 小时内响应。' },
      {
        title: '自动续约',
        text: '合同期满前 30 日双方均未书面提出终止的，本合同按原条件续约一年。',
        when: { '==': [{ var: 'values.auto_renew' }, true] },
      },
      CONFIDENTIALITY,
    ],
    lines: [['年度运维服务', '1']],
    metrics: [
      {
        name: '月度故障响应时间',
        type: '故障响应时间',
        period: 'month',
        aggregate: 'max',
        target: '4',
        buffer: '0',
        step: '1',
        penaltyMode: 'fixed',
        penalty: '500.00',
        capPeriod: '5000.00',
        capTotal: '30000.00',
      },
    ],
  },
  {
    name: '技术服务框架协议',
    type: 'master',
    pricing: 'fixed_price',
    months: 36,
    paymentTerms: '各工作说明书约定其付款方式；未约定的，按月结算，发票开具后 30 日内付款。',
    clauses: [
      { title: '框架', text: '{{customer.name}} 与我方在本协议期内的各项技术服务，以双方签署的工作说明书约定具体内容、价格与交付。' },
      TERM,
      { title: '优先顺序', text: '工作说明书与本协议不一致的，以本协议为准，但工作说明书明确约定排除的除外。' },
      CONFIDENTIALITY,
    ],
    lines: [],
    metrics: [],
  },
  {
    name: '实施服务工作说明书',
    type: 'sow',
    pricing: 'time_and_materials',
    months: 6,
    paymentTerms: '按月结算实际工时，次月 10 日前提交工时确认单，确认后 15 日内付款。',
    clauses: [
      { title: '依据', text: '本工作说明书依据双方签订的框架协议执行，未尽事宜以框架协议为准。' },
      TERM,
      { title: '工时确认', text: '{{customer.name}} 项目负责人每月确认工时，逾期 5 个工作日未提出异议视为确认。' },
    ],
    lines: [
      ['高级架构师服务', '80'],
      ['定制开发', '300'],
      ['数据迁移服务', '1'],
    ],
    metrics: [{ ...GO_LIVE_DELAY, name: '里程碑交付延期', penaltyMode: 'pct_milestone', penalty: '0.5', reward: undefined }],
  },
  {
    name: '设备采购合同',
    type: 'purchase',
    pricing: 'fixed_price',
    months: 12,
    paymentTerms: '到货验收合格后 30 日内一次付清。',
    clauses: [TERM, { title: '交付', text: '供方于合同生效后 30 日内将设备送达需方指定地点并完成安装。' }, WARRANTY],
    lines: [
      ['机架式服务器', '4'],
      ['核心交换机', '2'],
      ['不间断电源', '2'],
    ],
    metrics: [],
  },
  {
    name: '保密协议',
    type: 'nda',
    pricing: 'fixed_price',
    months: 24,
    paymentTerms: '',
    clauses: [
      { title: '保密信息', text: '{{customer.name}} 与我方在合作洽谈中交换的技术、商务和客户信息均为保密信息。' },
      CONFIDENTIALITY,
      TERM,
    ],
    lines: [],
    metrics: [],
  },
];

const column = <T, V>(rows: readonly T[], pick: (row: T) => V): V[] => rows.map(pick);

export async function seedTemplates(ctx: SeedContext): Promise<Record<string, number>> {
  const product = (name: string) => {
    const at = PRODUCTS.findIndex((p) => p[0] === name);
    if (at < 0) throw new Error(`contracts-demo: template line names no product '${name}'`);
    return cidOf('product', at + 1);
  };
  const metricType = (name: string) => {
    const at = METRIC_TYPES.findIndex((m) => m[0] === name);
    if (at < 0) throw new Error(`contracts-demo: template metric names no type '${name}'`);
    return cidOf('sla_type', at + 1);
  };
  const templates = TEMPLATES.map((t, i) => ({ ...t, id: cidOf('template', i + 1) }));
  const lines = templates.flatMap((t) =>
    t.lines.map(([name, quantity]) => ({ template: t.id, product: product(name), description: name, quantity })),
  );
  const metrics = templates.flatMap((t) => t.metrics.map((m) => ({ ...m, template: t.id, metricType: metricType(m.type) })));
  const template = await ctx.db.execute(
    `INSERT INTO contract_template (id, name, contract_type, pricing_model, term_months, payment_terms, clauses, active)
     SELECT id, name, type, pricing, months, nullif(terms, ''), clauses, true
     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::jsonb[]) AS s(id, name, type, pricing, months, terms, clauses)`,
    [
      column(templates, (t) => t.id),
      column(templates, (t) => t.name),
      column(templates, (t) => t.type),
      column(templates, (t) => t.pricing),
      column(templates, (t) => t.months),
      column(templates, (t) => t.paymentTerms),
      column(templates, (t) => JSON.stringify(t.clauses)),
    ],
  );
  const line = await ctx.db.execute(
    `INSERT INTO contract_template_line (id, template_id, product_id, description, quantity)
     SELECT id, template, product, description, quantity FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::numeric[])
       AS s(id, template, product, description, quantity)`,
    [
      lines.map((_, i) => cidOf('template_line', i + 1)),
      column(lines, (l) => l.template),
      column(lines, (l) => l.product),
      column(lines, (l) => l.description),
      column(lines, (l) => l.quantity),
    ],
  );
  const metric = await ctx.db.execute(
    `INSERT INTO contract_template_sla_metric (id, template_id, name, metric_type_id, direction, period, aggregate, target, buffer, step,
        penalty_mode, penalty_per_step, penalty_cap_period, penalty_cap_total, reward_level, reward_mode, reward_per_step, reward_cap_period,
        reward_cap_total)
     SELECT id, template, name, type, 'lower_is_better', period, aggregate, target, buffer, step, mode, penalty, cap_period, cap_total,
       reward_level, 'fixed', reward, reward_cap, reward_cap
     FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::numeric[], $8::numeric[], $9::numeric[],
       $10::text[], $11::numeric[], $12::numeric[], $13::numeric[], $14::numeric[], $15::numeric[], $16::numeric[])
       AS s(id, template, name, type, period, aggregate, target, buffer, step, mode, penalty, cap_period, cap_total, reward_level, reward, reward_cap)`,
    [
      metrics.map((_, i) => cidOf('template_metric', i + 1)),
      column(metrics, (m) => m.template),
      column(metrics, (m) => m.name),
      column(metrics, (m) => m.metricType),
      column(metrics, (m) => m.period),
      column(metrics, (m) => m.aggregate),
      column(metrics, (m) => m.target),
      column(metrics, (m) => m.buffer),
      column(metrics, (m) => m.step),
      column(metrics, (m) => m.penaltyMode),
      column(metrics, (m) => m.penalty),
      column(metrics, (m) => m.capPeriod),
      column(metrics, (m) => m.capTotal),
      column(metrics, (m) => m.reward?.level ?? null),
      column(metrics, (m) => m.reward?.perStep ?? null),
      column(metrics, (m) => m.reward?.cap ?? null),
    ],
  );
  return { contract_template: template, contract_template_line: line, contract_template_sla_metric: metric };
}
