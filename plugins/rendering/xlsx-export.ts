// A record's merge data as an Excel workbook (exceljs): the header facts, then the lines with numbers as numbers
// in cells formatted to two places (the strings PostgreSQL gave, so no float rounding reaches a cell's text).
import ExcelJS from 'exceljs';
import type { MergeData, RenderTarget } from './merge-data.js';
import { documentTitle, lineColumns } from './line-columns.js';

export async function renderXlsx(target: RenderTarget, data: MergeData): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'Tessera';
  const sheet = book.addWorksheet(target);
  sheet.addRow([documentTitle(target, data.record)]).font = { bold: true, size: 14 };
  sheet.addRow(['Customer 客户', String(data.customer.name ?? '')]);
  sheet.addRow([]);
  const columns = lineColumns(target);
  sheet.addRow(columns.map((c) => c.label)).font = { bold: true };
  for (const line of data.lines) {
    const row = sheet.addRow(
      columns.map((c) => {
        const v = line[c.key] ?? (c.key === 'description' ? line.product : null);
        return c.numeric && typeof v === 'string' && v !== '' ? Number(v) : (v ?? '');
      }),
    );
    columns.forEach((c, i) => {
      if (c.numeric) row.getCell(i + 1).numFmt = '#,##0.00';
    });
  }
  columns.forEach((c, i) => (sheet.getColumn(i + 1).width = c.numeric ? 14 : 40));
  return Buffer.from(await book.xlsx.writeBuffer());
}
