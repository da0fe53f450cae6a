// Rendering (#25 part 5): a contract rendered from its Liquid layout to PDF by Chromium, stored in the blob store
// and recorded, downloaded with access applied, its text (Chinese included) read back with pdfjs; Word (a template's
// .docx filled, or the built-in layout) and Excel exports; invoices in a batch; templates that loop forever, reach
// outside their data or are broken refused with nothing stored.
import { createHash } from 'node:crypto';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listUrl } from '../../support/list-url.js';
import { expectProblem } from '../../support/problem-checks.js';
import { pdfText } from '../../support/pdf-text.js';
import { samplePdf, uploadInit } from '../../support/sample-files.js';
import { paragraph, tableRow, wordTemplate, wordText } from '../../support/word-docs.js';
import type { TestEngine, TestResponse } from '../../support/test-engine.js';
import { post, type Rec } from '../contracts/contracts-world.js';
import { action, approvedContract, countRows, download, startDocumentsEngine, type MadeContract } from './documents-world.js';

let t: TestEngine;
let made: MadeContract;

beforeAll(async () => {
  t = await startDocumentsEngine();
  made = await approvedContract(t);
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

describe('rendering a contract', () => {
  it('prints a PDF with the merged customer data, Chinese included, stored by its hash and recorded', async () => {
    const res = await action(t, 'contract', made.contract.id, 'render', { format: 'pdf' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const out = res.body.data as Rec;
    const file = await download(t, out.download);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(createHash('sha256').update(file.bytes).digest('hex')).toBe(out.sha256);
    expect(file.bytes.length).toBe(out.size);
    const text = await pdfText(file.bytes);
    expect(text).toContain('无锡智能装备有限公司');
    expect(text).toContain('江苏省无锡市新吴区');
    expect(text).toContain('设备采购合同');
    expect(text).toContain('享有 24 个月质保');
    expect(text).toContain('90000.00');
    const doc = (await t.request('GET', `/api/v1/render_document/${out.id}`)).body.data as Rec;
    expect(doc).toMatchObject({ target: 'contract', record_id: made.contract.id, contract: made.contract.id, contract_version: 1 });
    expect(doc).toMatchObject({ format: 'pdf', sha256: out.sha256, size: out.size });
    expect(doc.rendered_by).toBeTruthy();
    expect(doc.rendered_at).toBeTruthy();
  });

  it('renders with a chosen Liquid template, escaping what it prints', async () => {
    const tpl = await post(t, 'render_template', {
      name: '简版',
      target: 'contract',
      body: '<html><body><h1>{{ contract.title }} / {{ customer.name }}</h1><p>{{ "<b>x</b>" }}</p>{% for l in lines %}<p>{{ l.quantity }} × {{ l.unit_price }}</p>{% endfor %}</body></html>',
    });
    const res = await action(t, 'contract', made.contract.id, 'render', { template: tpl.id });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const text = await pdfText((await download(t, res.body.data.download)).bytes);
    expect(text).toContain('设备采购合同 / 无锡智能装备有限公司');
    expect(text).toContain('<b>x</b>');
    expect(text).toContain('2.000 × 45000.00');
  });

  it('exports Word (the built-in layout) and Excel', async () => {
    const docx = await action(t, 'contract', made.contract.id, 'render', { format: 'docx' });
    expect(docx.status, JSON.stringify(docx.body)).toBe(200);
    const word = await download(t, docx.body.data.download);
    expect(word.bytes.subarray(0, 2).toString()).toBe('PK');
    const text = wordText(word.bytes);
    expect(text).toContain('Customer 客户: 无锡智能装备有限公司');
    expect(text).toContain('边缘服务器 Edge server');
    expect(text).toContain('享有 24 个月质保');
    const xlsx = await action(t, 'contract', made.contract.id, 'render', { format: 'xlsx' });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await download(t, xlsx.body.data.download)).bytes as unknown as ArrayBuffer);
    const sheet = book.worksheets[0];
    const cells = sheet?.getSheetValues().flat().map(String) ?? [];
    expect(cells).toContain('无锡智能装备有限公司');
    expect(cells).toContain('90000');
  });

  it('refuses a template that loops forever, reaches outside its data, reads files or makes too much, storing nothing', async () => {
    const before = await countRows(t, 'render_document');
    const bodies: Array<[string, string]> = [
      ['{% for i in (1..100000000) %}{% for j in (1..100000000) %}{{ j }}{% endfor %}{% endfor %}', 'rendering.limit'],
      ['{{ secret_of_the_engine }}', 'rendering.template_failed'],
      ['{{ customer.constructor.name }}', 'rendering.template_failed'],
      ["{% include '/etc/passwd' %}", 'rendering.template_failed'],
      [`{% assign s = "${'0123456789'.repeat(10)}" %}{% for i in (1..90000) %}{{ s }}{% endfor %}`, 'rendering.too_large'],
    ];
    for (const [body, code] of bodies) {
      const tpl = await post(t, 'render_template', { name: `bad ${code}`, target: 'contract', body });
      expectProblem(await action(t, 'contract', made.contract.id, 'render', { template: tpl.id }), 422, code);
    }
    expect(await countRows(t, 'render_document')).toBe(before);
  });

  it('serves a download only to whoever may read the document and the record it was made from', async () => {
    const out = (await action(t, 'contract', made.contract.id, 'render', {})).body.data as Rec;
    const hq = (await t.request('GET', listUrl('org_unit', { filter: { '==': [{ var: 'code' }, 'HQ'] } }))).body.data[0] as Rec;
    const tokens: Record<string, string> = {};
    for (const [username, grants] of [
      ['outsider', { contract: { actions: ['read'], scope: 'own' }, render_document: { actions: ['read'], scope: 'all' } }],
      ['nodocs', { contract: { actions: ['read'], scope: 'all' } }],
      ['reader', { contract: { actions: ['read'], scope: 'all' }, render_document: { actions: ['read'], scope: 'all' } }],
    ] as const) {
      const user = await post(t, 'app_user', { username, display_name: username, org_unit: hq.id, locale: 'en' });
      expect((await t.request('PUT', `/api/admin/users/${user.id}/password`, { password: `${username}-password` })).status).toBe(204);
      await post(t, 'role', { code: `docs_${username}`, name: username, grants: { entities: grants }, members: [user.id] });
      tokens[username] = await t.login(username, `${username}-password`);
    }
    expect((await download(t, out.download, tokens.outsider)).status).toBe(404);
    expect((await download(t, out.download, tokens.nodocs)).status).toBe(403);
    expect((await download(t, out.download, '')).status).toBe(401);
    const ok = await download(t, out.download, tokens.reader);
    expect(ok.status).toBe(200);
    expect(createHash('sha256').update(ok.bytes).digest('hex')).toBe(out.sha256);
  });

  it('keeps rendered documents as rendered: no client writes, no edits', async () => {
    const res = await t.request('POST', '/api/v1/render_document', { target: 'contract', format: 'pdf', sha256: 'a'.repeat(64) });
    expectProblem(res, 403, 'rendering.read_only');
  });
});

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** A contract template whose Liquid body is a one-liner, with `file` uploaded as its Word template. */
async function withWordFile(
  name: string,
  file: Uint8Array,
  type = DOCX,
  target = 'contract',
): Promise<{ id: string; upload: TestResponse }> {
  const tpl = await post(t, 'render_template', { name, target, body: '<p>{{ customer.name }}</p>' });
  const ext = type === DOCX ? 'docx' : 'pdf';
  const res = await fetch(
    `${t.url}/api/v1/render_template/${tpl.id}/files/word_template?name=template.${ext}`,
    uploadInit(t.adminToken, file, type, 'PUT'),
  );
  const text = await res.text();
  return { id: tpl.id, upload: { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined } };
}

describe('Word templates', () => {
  const contractTemplate = wordTemplate(
    [
      paragraph('{#contract}合同 {contract_no}：{title}{/contract}'),
      paragraph('{#customer}甲方 Customer: {name}，{address}{/customer}'),
      tableRow(['{#lines}{description}', '{quantity}', '{unit_price}', '{line_total}{/lines}']),
      paragraph('{#lines}'),
      paragraph('- {description} × {quantity}'),
      paragraph('{/lines}'),
      paragraph('{#clauses}【{title}】{text}{/clauses}'),
      paragraph('{#contract}合同金额 {contract_value}{/contract} · {rendered_at}'),
    ].join(''),
  );

  it("fills a contract into the template's Word file: the customer, every line and every clause", async () => {
    const tpl = await withWordFile('Word 合同', contractTemplate);
    expect(tpl.upload.status, JSON.stringify(tpl.upload.body)).toBe(200);
    const res = await action(t, 'contract', made.contract.id, 'render', { format: 'docx', template: tpl.id });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const out = res.body.data as Rec;
    const file = await download(t, out.download);
    expect(file.headers.get('content-type')).toBe(DOCX);
    expect(createHash('sha256').update(file.bytes).digest('hex')).toBe(out.sha256);
    const text = wordText(file.bytes);
    const contract = (await t.request('GET', `/api/v1/contract/${made.contract.id}`)).body.data as Rec;
    expect(text).toContain(`合同 ${String(contract.contract_no)}：设备采购合同`);
    expect(text).toContain('甲方 Customer: 无锡智能装备有限公司，江苏省无锡市新吴区 88 号');
    expect(text).toContain('边缘服务器 Edge server\n2.000\n45000.00\n90000.00');
    expect(text).toContain('- 边缘服务器 Edge server × 2.000');
    expect(text).toContain('质保 Warranty】无锡智能装备有限公司 享有 24 个月质保。');
    expect(text).toMatch(/期限 Term】自 2027-02-01 起至 \d{4}-\d{2}-\d{2} 止。/);
    expect(text).toContain('合同金额 90000.00');
    expect(text).not.toMatch(/[{}]/);
    const doc = (await t.request('GET', `/api/v1/render_document/${out.id}`)).body.data as Rec;
    expect(doc).toMatchObject({ format: 'docx', template: tpl.id, record_id: made.contract.id });
  });

  it('refuses a template with an unknown tag, broken syntax or broken XML with a 422, storing nothing', async () => {
    const before = await countRows(t, 'render_document');
    const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
    const cases: Array<[string, Uint8Array, RegExp]> = [
      [
        'unknown tag',
        wordTemplate(paragraph('{#customer}{nmae}{/customer} {secret_of_the_engine}')),
        /the data has no \{nmae\}, \{secret_of_the_engine\}/,
      ],
      ['unclosed loop', wordTemplate(paragraph('{#lines}{description}')), /The loop with tag "lines" is unclosed/],
      ['bad XML', wordTemplate('', `<w:document ${W}><w:body><w:p><w:r><w:t>{#customer}{name}{/customer}`), /not well-formed XML/],
    ];
    for (const [name, file, detail] of cases) {
      const tpl = await withWordFile(name, file);
      expect(tpl.upload.status, JSON.stringify(tpl.upload.body)).toBe(200);
      const res = await action(t, 'contract', made.contract.id, 'render', { format: 'docx', template: tpl.id });
      expectProblem(res, 422, 'rendering.template_failed');
      expect(res.body.detail).toMatch(detail);
    }
    expect(await countRows(t, 'render_document')).toBe(before);
  });

  it('takes only a .docx, and only on templates for records that export to Word', async () => {
    const pdf = await withWordFile('not Word', samplePdf(), 'application/pdf');
    expectProblem(pdf.upload, 422, 'rendering.bad_word_template');
    const quote = await withWordFile('quote Word', contractTemplate, DOCX, 'quote');
    expectProblem(quote.upload, 422, 'rendering.no_word_output');
    const contract = await withWordFile('then made a quote', contractTemplate);
    expect(contract.upload.status).toBe(200);
    const version = (await t.request('GET', `/api/v1/render_template/${contract.id}`)).body.data.version as number;
    const retarget = await t.request(
      'PATCH',
      `/api/v1/render_template/${contract.id}`,
      { target: 'quote' },
      { 'if-match': `"${version}"` },
    );
    expectProblem(retarget, 422, 'rendering.no_word_output');
  });

  it('keeps the built-in Word layout for a template without a Word file', async () => {
    const tpl = await post(t, 'render_template', { name: 'PDF only', target: 'contract', body: '<p>{{ customer.name }}</p>' });
    const res = await action(t, 'contract', made.contract.id, 'render', { format: 'docx', template: tpl.id });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const text = wordText((await download(t, res.body.data.download)).bytes);
    expect(text).toContain('Customer 客户: 无锡智能装备有限公司');
    expect(text).toContain('边缘服务器 Edge server');
  });
});

describe('quotes and orders', () => {
  it('export a quote to PDF and Excel, and an order to PDF', async () => {
    const quote = await post(t, 'quote', { title: '边缘服务器报价', customer: made.customer.id });
    await post(t, 'quote_line', { quote: quote.id, description: '边缘服务器 Edge server', quantity: '3', unit_price: '45000.00' });
    const pdf = await action(t, 'quote', quote.id, 'render', { format: 'pdf' });
    expect(pdf.status, JSON.stringify(pdf.body)).toBe(200);
    const text = await pdfText((await download(t, pdf.body.data.download)).bytes);
    expect(text).toContain('无锡智能装备有限公司');
    expect(text).toContain('边缘服务器 Edge server');
    const xlsx = await action(t, 'quote', quote.id, 'render', { format: 'xlsx' });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await download(t, xlsx.body.data.download)).bytes as unknown as ArrayBuffer);
    expect(book.worksheets[0]?.getSheetValues().flat().map(String)).toContain('边缘服务器 Edge server');
    expectProblem(await action(t, 'quote', quote.id, 'render', { format: 'docx' }), 422);
    const order = await post(t, 'sales_order', { customer: made.customer.id, order_date: '2027-03-01' });
    await post(t, 'order_line', { sales_order: order.id, description: '安装服务', quantity: '1', unit_price: '5000.00' });
    const printed = await action(t, 'sales_order', order.id, 'render', {});
    expect(printed.status, JSON.stringify(printed.body)).toBe(200);
    expect(await pdfText((await download(t, printed.body.data.download)).bytes)).toContain('安装服务');
  });
});

describe('invoices in a batch', () => {
  it('prints several invoices into one PDF, each on its own page', async () => {
    const ids: string[] = [];
    for (const no of ['A', 'B']) {
      const inv = await post(t, 'invoice', { customer: made.customer.id, issue_date: '2027-03-01', due_date: '2027-03-31' });
      await post(t, 'invoice_line', { invoice: inv.id, kind: 'charge', description: `服务费 ${no}`, amount: '1200.50' });
      ids.push(inv.id);
    }
    const res = await t.request('POST', '/api/plugins/rendering/invoices/batch', { invoices: ids });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const text = await pdfText((await download(t, res.body.data.download)).bytes);
    expect(text).toContain('服务费 A');
    expect(text).toContain('服务费 B');
    expectProblem(await t.request('POST', '/api/plugins/rendering/invoices/batch', { invoices: ['nope'] }), 422, 'rendering.bad_batch');
  });
});
