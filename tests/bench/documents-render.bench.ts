// npm run bench:documents (#25): renderFigures() renders a 20-page contract (a customer, 40 lines, 72 clauses of
// mixed Chinese and English) to PDF through the contract's render action, on an engine in its own process on local
// PostgreSQL: the first render (worker thread and Chromium start) and then BENCH_RENDERS (default 10) more, p50/p95
// and pages, against the target of 2 s. The whole path is timed: merge data, Liquid in the worker, Chromium's print,
// the blob store and the render_document record. Prints figures; asserts nothing.
import { resolve } from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { freeLoopbackPort } from '../../engine/src/db/free-port.js';
import { benchApi, benchDbUrl, freshBenchDatabase, startBenchEngine } from './bench-engine.js';

const RENDERS = Number(process.env.BENCH_RENDERS ?? 10);
const DB = 'tessera_bench_documents';
const PASSWORD = 'bench-password-123';
const PACKS = ['metadata/packs/core', 'metadata/packs/crm', 'metadata/packs/contracts', 'metadata/packs/documents'].map((p) => resolve(p));

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

/** About a third of a page each: 72 of them and 40 lines make some 20 A4 pages. */
function clauses(): string {
  const body =
    '双方应当按照本合同约定全面履行各自的义务，任何一方未经对方书面同意不得将本合同项下的权利义务转让给第三方。' +
    'Each party shall perform its obligations in full as agreed in this contract and shall not assign its rights or obligations to any third party without the other party’s written consent. ';
  return Array.from({ length: 72 }, (_, i) => `${i + 1}. 第 ${i + 1} 条 Clause ${i + 1}\n${body.repeat(3)}`).join('\n\n');
}

async function renderFigures(): Promise<void> {
  console.log(`bench:documents — rendering: a 20-page contract to PDF, ${RENDERS} renders after the first`);
  await freshBenchDatabase(DB);
  const port = await freeLoopbackPort();
  const engine = await startBenchEngine(port, {
    DATABASE_URL: benchDbUrl(DB),
    TESSERA_PACKS: PACKS.join(','),
    TESSERA_ADMIN_PASSWORD: PASSWORD,
    TESSERA_DEMO_DATA: 'false',
    TESSERA_BI: 'false',
  });
  try {
    const token = (await benchApi(port, undefined, 'POST', '/api/auth/login', { username: 'admin', password: PASSWORD })).data
      .token as string;
    const api = (method: string, path: string, body?: unknown) => benchApi(port, token, method, path, body);
    const customer = (await api('POST', '/api/v1/customer', { name: '无锡智能装备有限公司', address: '江苏省无锡市新吴区 88 号' })).data;
    const contract = (await api('POST', '/api/v1/contract', { title: '年度设备采购框架合同', customer: customer.id, clauses: clauses() }))
      .data;
    for (let i = 1; i <= 40; i++)
      await api('POST', '/api/v1/contract_line', {
        contract: contract.id,
        description: `设备 ${i} Equipment item ${i}`,
        quantity: String(i),
        unit_price: '1250.50',
      });
    const render = async (): Promise<{ ms: number; sha256: string; size: number; download: string }> => {
      const at = performance.now();
      const out = (await api('POST', `/api/v1/contract/${contract.id}/actions/render`, { format: 'pdf' })).data;
      return { ms: performance.now() - at, ...out };
    };
    const first = await render();
    const times: number[] = [];
    for (let i = 0; i < RENDERS; i++) times.push((await render()).ms);
    const file = await fetch(`http://127.0.0.1:${port}${first.download}`, { headers: { authorization: `Bearer ${token}` } });
    const doc = await getDocument({ data: new Uint8Array(await file.arrayBuffer()) }).promise;
    const pages = doc.numPages;
    await doc.destroy();
    times.sort((a, b) => a - b);
    const p50 = percentile(times, 50);
    const p95 = percentile(times, 95);
    console.log(`  pages: ${pages}, PDF size: ${(first.size / 1024).toFixed(0)} KB`);
    console.log(`  first render (starts the template worker and Chromium): ${first.ms.toFixed(0)} ms`);
    console.log(`  next ${RENDERS}: p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, max ${(times.at(-1) ?? NaN).toFixed(0)} ms`);
    console.log(`  target < 2000 ms per render: ${p95 < 2000 ? 'met' : 'NOT met'} (p95)`);
  } finally {
    engine.kill();
  }
}

await renderFigures();
