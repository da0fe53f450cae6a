// Stable ids of the contracts demo rows, shaped like crm-demo's (a UUIDv7 of one fixed instant, counting up, so
// indexes are appended to in order), under their own prefix so they never meet the CRM's. The hashing helpers,
// parameters and numbering are crm-demo's (plugins/crm-demo/sql-bits.ts).
export { below, daysAgo, hash, numberSql, Params, pick, uid as crmUid } from '../crm-demo/sql-bits.js';

const KIND_CODES: Record<string, string> = {
  product: '0001',
  contract: '0002',
  contract_line: '0003',
  quote: '0004',
  quote_line: '0005',
  version: '0006',
  change_request: '0007',
  milestone: '0008',
  billing_line: '0009',
  invoice: '000a',
  invoice_line: '000b',
  receipt: '000c',
  allocation: '000d',
  cost_entry: '000e',
  sla_type: '000f',
  sla_metric: '0010',
  sla_measurement: '0011',
  sla_settlement: '0012',
  issue: '0013',
  issue_action: '0014',
  commission_plan: '0015',
  commission: '0016',
  quota: '0017',
  template: '0018',
  template_line: '0019',
  template_metric: '001a',
};

/** The id of the n-th seeded row of a kind (n a bigint SQL expression). */
export const cid = (kind: string, n: string): string => {
  const code = KIND_CODES[kind];
  if (code === undefined) throw new Error(`contracts-demo: no id code for '${kind}'`);
  return `('0193e2a1-${code}-7000-8000-' || lpad(to_hex(${n}), 12, '0'))::uuid`;
};

/** The same id for a number known in JavaScript. */
export const cidOf = (kind: string, n: number): string => {
  const code = KIND_CODES[kind];
  if (code === undefined) throw new Error(`contracts-demo: no id code for '${kind}'`);
  return `0193e2a1-${code}-7000-8000-${n.toString(16).padStart(12, '0')}`;
};
