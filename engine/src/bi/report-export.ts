// A report's rows as a CSV text (UTF-8 with a BOM, so Excel reads Chinese) or an Excel workbook (exceljs), with the
// columns' titles in the caller's locale. Numbers stay exact text in CSV; in Excel they become numbers one can sum.
import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';

export interface ExportColumn {
  readonly name: string;
  readonly title: string;
  readonly numeric: boolean;
}

function text(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

export function reportCsv(columns: readonly ExportColumn[], rows: readonly Record<string, unknown>[]): string {
  return '\ufeff' + stringify([columns.map((c) => c.title), ...rows.map((r) => columns.map((c) => text(r[c.name])))]);
}

export async function reportWorkbook(
  title: string,
  columns: readonly ExportColumn[],
  rows: readonly Record<string, unknown>[],
): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Tessera';
  // Excel refuses sheet names over 31 characters or with []:*?/\ in them.
  const sheet = workbook.addWorksheet(title.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31) || 'Report');
  sheet.columns = columns.map((c) => ({ header: c.title, key: c.name, width: Math.max(12, c.title.length + 4) }));
  for (const row of rows) {
    sheet.addRow(
      Object.fromEntries(
        columns.map((c) => {
          const v = row[c.name];
          return [c.name, c.numeric && v !== null && v !== undefined && v !== '' ? Number(v) : (v ?? null)];
        }),
      ),
    );
  }
  sheet.getRow(1).font = { bold: true };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
