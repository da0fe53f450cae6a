// The small fixed sets the demo contracts hang on: a catalogue of what they sell (the CRM demo has no products),
// the SLA metric types, and the commission plans. Written row by row from these lists, the same whatever the size.
import type { SeedContext } from '../../engine/src/plugins/plugin-api.js';
import { cidOf } from './sql-ids.js';

/** name, type, unit, cost, list price */
export const PRODUCTS: ReadonlyArray<readonly [string, string, string, string, string]> = [
  ['企业资源计划 ERP 许可', 'software', 'license', '2800.00', '9800.00'],
  ['客户关系管理 CRM 许可', 'software', 'license', '1500.00', '5600.00'],
  ['供应链协同平台许可', 'software', 'license', '3200.00', '12800.00'],
  ['数据分析平台年度订阅', 'software', 'year', '18000.00', '56000.00'],
  ['实施顾问服务', 'service', 'hour', '380.00', '980.00'],
  ['高级架构师服务', 'service', 'hour', '650.00', '1680.00'],
  ['用户培训', 'service', 'hour', '220.00', '600.00'],
  ['年度运维服务', 'service', 'year', '42000.00', '96000.00'],
  ['数据迁移服务', 'service', 'set', '15000.00', '38000.00'],
  ['定制开发', 'service', 'hour', '420.00', '1080.00'],
  ['机架式服务器', 'goods', 'piece', '36000.00', '52000.00'],
  ['企业级存储阵列', 'goods', 'set', '128000.00', '186000.00'],
  ['核心交换机', 'goods', 'piece', '42000.00', '63000.00'],
  ['工业平板终端', 'goods', 'piece', '3800.00', '5900.00'],
  ['条码扫描枪', 'goods', 'piece', '680.00', '1280.00'],
  ['不间断电源', 'goods', 'piece', '9200.00', '14800.00'],
];

export const METRIC_TYPES: ReadonlyArray<readonly [string, string, string, string]> = [
  ['交付延期', 'time', '天', '里程碑验收日期晚于计划日期的天数'],
  ['故障响应时间', 'time', '小时', '从报障到响应的小时数'],
  ['缺陷率', 'quality', '%', '验收测试发现的缺陷占测试用例的百分比'],
];

/** name, basis, rate %, contract type, minimum */
export const COMMISSION_PLANS: ReadonlyArray<readonly [string, string, string, string | null, string | null]> = [
  ['销售合同提成', 'contract_value', '3.0000', 'sales', '10000.00'],
  ['工作说明书提成', 'contract_value', '5.0000', 'sow', null],
  ['订单提成', 'order_total', '2.0000', null, null],
];

export async function seedCatalogue(ctx: SeedContext): Promise<Record<string, number>> {
  const ids = (kind: string, n: number) => Array.from({ length: n }, (_, i) => cidOf(kind, i + 1));
  const product = await ctx.db.execute(
    `INSERT INTO product (id, product_no, name, product_type, unit, cost, list_price, pricing_method, status, created_at, updated_at)
     SELECT id, 'DP' || lpad(k::text, 4, '0'), name, type, unit, cost, price, 'list_minus_discount', 'active', now() - interval '400 days', now() - interval '400 days'
     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::numeric[], $6::numeric[]) WITH ORDINALITY AS s(id, name, type, unit, cost, price, k)`,
    [ids('product', PRODUCTS.length), ...[0, 1, 2, 3, 4].map((i) => PRODUCTS.map((r) => r[i]))],
  );
  const types = await ctx.db.execute(
    `INSERT INTO sla_metric_type (id, name, category, unit, direction, description)
     SELECT id, name, category, unit, 'lower_is_better', description FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[]) AS s(id, name, category, unit, description)`,
    [ids('sla_type', METRIC_TYPES.length), ...[0, 1, 2, 3].map((i) => METRIC_TYPES.map((r) => r[i]))],
  );
  const plans = await ctx.db.execute(
    `INSERT INTO commission_plan (id, name, basis, rate_pct, contract_type, min_amount, active, valid_from)
     SELECT id, name, basis, rate, type, minimum, true, (date_trunc('year', now()) - interval '1 year')::date
     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::numeric[], $5::text[], $6::numeric[]) AS s(id, name, basis, rate, type, minimum)`,
    [ids('commission_plan', COMMISSION_PLANS.length), ...[0, 1, 2, 3, 4].map((i) => COMMISSION_PLANS.map((r) => r[i]))],
  );
  return { product, sla_metric_type: types, commission_plan: plans };
}
