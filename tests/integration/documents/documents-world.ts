// Shared set-up for the rendering and e-signature tests: a real engine on core + crm + contracts + documents, a
// Chinese customer, and a contract made from a template with merged clauses, approved through its flow.
import { expect } from 'vitest';
import { startTestEngine, type TestEngine, type TestResponse } from '../../support/test-engine.js';
import { approveContract, post, type Rec } from '../contracts/contracts-world.js';

export const DOCUMENT_PACKS = ['metadata/packs/core', 'metadata/packs/crm', 'metadata/packs/contracts', 'metadata/packs/documents'];

export function startDocumentsEngine(env: Record<string, string> = {}): Promise<TestEngine> {
  return startTestEngine({ packs: DOCUMENT_PACKS, env });
}

export async function action(t: TestEngine, entity: string, id: string, name: string, body: Rec = {}): Promise<TestResponse> {
  return t.request('POST', `/api/v1/${entity}/${id}/actions/${name}`, body);
}

/** A file the engine serves, as bytes (the test client reads text). */
export async function download(
  t: TestEngine,
  path: string,
  token: string = t.adminToken,
): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
  const res = await fetch(t.url + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

export interface MadeContract {
  readonly customer: Rec;
  readonly contract: Rec;
}

/** 无锡智能装备 buys from a template whose clauses merge the customer and a value; the contract approved (version 1). */
let templates = 0;

export async function approvedContract(t: TestEngine, customerName = '无锡智能装备有限公司'): Promise<MadeContract> {
  const customer = await post(t, 'customer', { name: customerName, address: '江苏省无锡市新吴区 88 号' });
  const template = await post(t, 'contract_template', {
    name: `标准设备销售合同 ${++templates}`,
    contract_type: 'sales',
    term_months: 12,
    payment_terms: '到货验收后 30 日内付清',
    clauses: [
      { title: '质保 Warranty', text: '{{customer.name}} 享有 {{values.warranty_months}} 个月质保。' },
      { title: '期限 Term', text: '自 {{contract.start_date}} 起至 {{contract.end_date}} 止。' },
    ],
  });
  await post(t, 'contract_template_line', {
    template: template.id,
    description: '边缘服务器 Edge server',
    quantity: '2',
    unit_price: '45000.00',
  });
  const made = await action(t, 'contract_template', template.id, 'create_contract', {
    customer: customer.id,
    title: '设备采购合同',
    start_date: '2027-02-01',
    values: { warranty_months: 24 },
  });
  expect(made.status, JSON.stringify(made.body)).toBe(200);
  const contract = await approveContract(t, made.body.data.contract);
  return { customer, contract };
}

export async function countRows(t: TestEngine, table: string): Promise<number> {
  const res = await t.engine.db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(res.rows[0]?.n ?? 0);
}
