// An uploaded spreadsheet as rows of cell text: CSV (UTF-8, or GB18030/GBK as Chinese Excel saves it) or the first
// worksheet of an XLSX workbook (exceljs). Dates Excel stores as dates come out as ISO text. Used by import-records.ts.
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { Context } from 'koa';
import { EngineError } from '../shared/engine-error.js';

export type ImportFormat = 'csv' | 'xlsx';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The format from `?format=` or the content type. */
export function importFormat(ctx: Context): ImportFormat {
  const asked = ctx.query.format;
  if (asked === 'csv' || asked === 'xlsx') return asked;
  if (asked !== undefined) throw new EngineError('query.invalid_parameter', 400, "format must be 'csv' or 'xlsx'");
  if (ctx.is(XLSX_TYPE)) return 'xlsx';
  if (ctx.is('text/csv', 'text/plain')) return 'csv';
  throw new EngineError('request.unsupported_media_type', 415, `send the file as text/csv or ${XLSX_TYPE}`);
}

export async function readBody(ctx: Context, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new EngineError('request.too_large', 413, `the file is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  if (size === 0) throw new EngineError('request.invalid_body', 400, 'the file is empty');
  return Buffer.concat(chunks);
}

function decodeText(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    // Not UTF-8: what Excel saves as "CSV" on a Chinese Windows is GBK, which GB18030 contains.
    return new TextDecoder('gb18030').decode(bytes);
  }
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    if ('text' in value) return String(value.text);
    if ('error' in value) return '';
  }
  return String(value);
}

async function xlsxRows(bytes: Buffer): Promise<string[][]> {
  const book = new ExcelJS.Workbook();
  try {
    await book.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (err) {
    throw new EngineError('import.unreadable', 400, 'the file is not an XLSX workbook', { cause: err });
  }
  const sheet = book.worksheets[0];
  if (!sheet) return [];
  const rows: string[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, n) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      cells[col - 1] = cellText(cell.value);
    });
    rows[n - 1] = Array.from(cells, (c) => c ?? '');
  });
  return Array.from(rows, (r) => r ?? []);
}

/** Every row, the header first; blank lines are kept so row numbers stay the spreadsheet's. */
export async function readRows(bytes: Buffer, format: ImportFormat): Promise<string[][]> {
  if (format === 'xlsx') return xlsxRows(bytes);
  try {
    return parse(decodeText(bytes), { bom: true, relax_column_count: true, skip_empty_lines: false }) as string[][];
  } catch (err) {
    throw new EngineError('import.unreadable', 400, `the CSV cannot be read: ${(err as Error).message}`, { cause: err });
  }
}
