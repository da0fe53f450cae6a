// Spreadsheet import (#21: leads and BOMs from a template) on the api-demo fixture: every field kind read from cell
// text, references by title, CSV in UTF-8 and GBK, XLSX with real date cells, every problem reported at once by row
// and field with nothing written, dry runs, and the template in the caller's language.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../../support/problem-checks.js';
import { startTestEngine, type TestEngine } from '../../support/test-engine.js';

type Rec = Record<string, any>;
let t: TestEngine;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

async function upload(entity: string, body: string | Uint8Array, type = 'text/csv', query = '', token = t.adminToken) {
  const res = await fetch(`${t.url}/api/v1/${entity}/import${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': type },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

async function count(entity: string): Promise<number> {
  return (await t.request('GET', `/api/v1/${entity}?total=exact&limit=1`)).body.meta.total;
}

beforeAll(async () => {
  t = await startTestEngine({ packs: ['metadata/packs/core', 'tests/fixtures/packs/api-demo'] });
  for (const name of ['Acme', 'Globex', 'Twin', 'Twin']) expect((await t.request('POST', '/api/v1/account', { name })).status).toBe(201);
  expect((await t.request('POST', '/api/v1/tag', { label_text: 'hot' })).status).toBe(201);
});

afterAll(async () => {
  await t?.stop();
});

describe('import', () => {
  it('reads every kind from its cell text, references by title, and writes all rows through the pipeline', async () => {
    const csv = [
      'Title,code,Amount,won,close_date,signed_at,Stage,channels,Quantity,probability,account,contact_email,extra',
      '"Big deal",D-1,"1,200.50 USD",是,2026/12/6,2026-12-06 09:30,Qualified,"web, phone",3,"12.5",Acme,a@example.com,"{""k"":1}"',
      ',,,,,,,,,,,,',
      'Small deal,D-2,CNY 99,no,2027-01-31,,lead,,,,Globex,,',
    ].join('\n');
    const res = await upload('deal', csv);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.data).toMatchObject({ rows: 2, imported: 2 });
    const [big, small] = await Promise.all(
      res.body.data.ids.map(async (id: string) => (await t.request('GET', `/api/v1/deal/${id}`)).body.data),
    );
    const accounts = (await t.request('GET', '/api/v1/account?limit=10')).body.data as Rec[];
    const acme = accounts.find((a) => a.name === 'Acme');
    expect(big).toMatchObject({
      title: 'Big deal',
      code: 'D-1',
      amount: { amount: '1200.50', currency: 'USD' },
      won: true,
      close_date: '2026-12-06',
      signed_at: '2026-12-06T09:30:00.000000Z',
      stage: 'qualified',
      channels: ['web', 'phone'],
      quantity: 3,
      probability: '12.50',
      account: acme?.id,
      contact_email: 'a@example.com',
      extra: { k: 1 },
    });
    expect(small).toMatchObject({ amount: { amount: '99.00', currency: 'CNY' }, won: false, stage: 'lead' });
    // Written like any create: audited, as the caller.
    const history = await t.request('GET', `/api/v1/deal/${big.id}/history`);
    expect(history.body.data[0]).toMatchObject({ action: 'create' });
  });

  it('reports every problem by row and field at once, and writes nothing', async () => {
    const before = await count('deal');
    const csv = ['title,amount,won,stage,quantity,account,colour', 'A,12 XYZ,maybe,Won,3.5,Nobody,red', 'B,100,true,lead,2,Twin,'].join(
      '\n',
    );
    const res = await upload('deal', csv);
    expectProblem(res as never, 422, 'validation.failed');
    const pointers = (res.body.errors as Rec[]).map((e) => e.pointer).sort();
    expect(pointers).toEqual(
      [
        '/header/6',
        '/rows/2/account',
        '/rows/2/amount/currency',
        '/rows/2/quantity',
        '/rows/2/stage',
        '/rows/2/won',
        '/rows/3/account',
        '/rows/3/amount',
      ].sort(),
    );
    const byPointer = Object.fromEntries((res.body.errors as Rec[]).map((e) => [e.pointer, e.message]));
    expect(byPointer['/rows/3/account']).toMatch(/2 account records are called 'Twin'/);
    expect(byPointer['/rows/3/amount']).toMatch(/no currency/);
    expect(byPointer['/rows/2/account']).toMatch(/no account is called 'Nobody'/);
    expect(await count('deal')).toBe(before);
  });

  it('points a problem the pipeline finds at the row it came from, and rolls every row back', async () => {
    const before = await count('deal');
    const res = await upload('deal', 'title,account,won\nFine,Acme,yes\n,Acme,yes\n');
    expectProblem(res as never, 422, 'validation.failed', [{ pointer: '/rows/3/title' }]);
    expect(await count('deal')).toBe(before);
  });

  it('reads GBK text as Chinese Excel saves it, and checks without writing on a dry run', async () => {
    // "名称" (the account's name in Chinese) encoded in GBK, header by field name.
    const gbk = Buffer.concat([Buffer.from('name\n'), Buffer.from([0xc3, 0xfb, 0xb3, 0xc6]), Buffer.from('\n')]);
    const dry = await upload('account', gbk, 'text/csv', '?dryRun=true');
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body).toMatchObject({ data: { rows: 1, imported: 0 }, meta: { dryRun: true } });
    const res = await upload('account', gbk);
    expect(res.status).toBe(201);
    expect((await t.request('GET', `/api/v1/account/${res.body.data.ids[0]}`)).body.data.name).toBe('名称');
  });

  it('imports an XLSX sheet, date cells included, and offers a template with hints', async () => {
    const template = await fetch(`${t.url}/api/v1/deal/import-template?locale=en`, {
      headers: { authorization: `Bearer ${t.adminToken}` },
    });
    expect(template.headers.get('content-type')).toContain(XLSX);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await template.arrayBuffer());
    const sheet = book.worksheets[0]!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual(expect.arrayContaining(['Title', 'Stage', 'Amount']));
    expect(header).not.toContain('id');
    const stageCol = header.indexOf('Stage') + 1;
    expect(String(sheet.getCell(1, stageCol).note)).toContain('Lead / Qualified');
    // Typed into the first empty line, as a user would (the template's drop-downs reach further down).
    const typed: Record<string, string> = { title: 'From Excel', stage: 'Proposal', amount: '5000 EUR', won: 'FALSE', account: 'Globex' };
    header.forEach((h, i) => {
      const value = typed[String(h).toLowerCase()];
      if (value !== undefined) sheet.getCell(2, i + 1).value = value;
    });
    const closeCol = header.findIndex((h) => String(h).toLowerCase().startsWith('close')) + 1;
    if (closeCol > 0) sheet.getCell(2, closeCol).value = new Date(Date.UTC(2027, 2, 15));
    const res = await upload('deal', new Uint8Array(await book.xlsx.writeBuffer()), XLSX);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const deal = (await t.request('GET', `/api/v1/deal/${res.body.data.ids[0]}`)).body.data;
    expect(deal).toMatchObject({ title: 'From Excel', stage: 'proposal', amount: { amount: '5000.00', currency: 'EUR' }, won: false });
    if (closeCol > 0) expect(deal.close_date).toBe('2027-03-15');
    const csv = await fetch(`${t.url}/api/v1/account/import-template?format=csv`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    // The BOM makes Excel read the UTF-8 labels right.
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(new TextDecoder().decode(bytes)).toMatch(/^Name,Region,/);
  });

  it('refuses what is not a spreadsheet, and callers who may not create', async () => {
    expectProblem((await upload('deal', '{}', 'application/json')) as never, 415);
    expectProblem((await upload('deal', 'not a zip', XLSX)) as never, 400, 'import.unreadable');
    expectProblem((await upload('deal', 'title\n')) as never, 422, 'import.no_rows');
    const user = await t.request('POST', '/api/v1/app_user', { username: 'viewer', display_name: 'Viewer' });
    await t.request('PUT', `/api/admin/users/${user.body.data.id}/password`, { password: 'viewer-password-1' });
    const token = await t.login('viewer', 'viewer-password-1');
    expectProblem((await upload('deal', 'title\nX\n', 'text/csv', '', token)) as never, 403);
  });
});
