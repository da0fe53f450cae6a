// POST /api/v1/<entity>/import and GET /api/v1/<entity>/import-template: records from a spreadsheet (CSV or XLSX),
// all or nothing, through the write pipeline as the caller (validated, numbered, audited, rules applied). Columns are
// fields by name or label in any language; cells are read by the field's kind (data/import-values.ts); references
// may be written as titles (data/resolve-titles.ts). Every cell's problem is reported at once, by row and column;
// `?dryRun=true` checks the file without writing. The template is the header row of what the caller may write.
import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import type { Context } from 'koa';
import { EngineError, type FieldError } from '../shared/engine-error.js';
import { isEngineError } from '../shared/engine-error.js';
import type { Sql } from '../db/transaction.js';
import type { ModelRuntime, EntityRuntime } from '../data/entity-runtime.js';
import type { RecordWriter } from '../data/record-writer.js';
import type { ApiRecord } from '../data/record-codec.js';
import { cellValue } from '../data/import-values.js';
import { resolveTitles } from '../data/resolve-titles.js';
import type { FieldDef } from '../metadata/model.js';
import type { Access } from '../security/access.js';
import type { ApiState } from './api-state.js';
import { importFormat, readBody, readRows } from './import-file.js';
import { pickLocale } from './pick-locale.js';

export interface ImportDeps {
  readonly writer: RecordWriter;
  readonly db: Sql;
  readonly limitBytes: number;
  runtime(): ModelRuntime;
}

/** Rows one import writes at most (one transaction). */
export const MAX_IMPORT_ROWS = 10_000;
const MAX_REPORTED = 200;

type Ctx = Context & { state: ApiState };

/** Fields the caller may give a value on create: stored, not derived or numbered, writable for them. */
function importableFields(rt: EntityRuntime, access: Access): FieldDef[] {
  return rt.entity.fields.filter(
    (f) =>
      f.columns.length > 0 &&
      !rt.rules.derived.has(f.name) &&
      f.numbering === undefined &&
      access.field(rt.entity.name, f.name) === 'write',
  );
}

const labelOf = (f: FieldDef, locale: string) => f.label[locale] ?? f.label.en ?? f.name;

function mapHeader(header: readonly string[], fields: readonly FieldDef[], errors: FieldError[]): Array<FieldDef | undefined> {
  const taken = new Set<string>();
  return header.map((raw, col) => {
    const text = raw.trim().toLowerCase();
    if (text === '') return undefined;
    const field = fields.find(
      (f) => f.name === text || Object.values(f.label).some((l) => typeof l === 'string' && l.toLowerCase() === text),
    );
    const pointer = `/header/${col}`;
    if (!field) errors.push({ pointer, code: 'import.unknown_column', message: `column '${raw}' is not a field you may import` });
    else if (taken.has(field.name)) errors.push({ pointer, code: 'import.duplicate_column', message: `'${field.name}' has two columns` });
    else {
      taken.add(field.name);
      return field;
    }
    return undefined;
  });
}

/** Errors the pipeline reports per record (`/data/<i>/field`) pointed at the sheet's row instead. */
function atRows(err: unknown, lines: readonly number[]): unknown {
  if (!isEngineError(err)) return err;
  const moved = (err.fieldErrors ?? []).map((e) => {
    const m = /^\/data\/(\d+)(.*)$/.exec(e.pointer);
    return m ? { ...e, pointer: `/rows/${lines[Number(m[1])] ?? 0}${m[2] ?? ''}` } : e;
  });
  return new EngineError(err.code, err.status, err.detail, { fieldErrors: moved, cause: err });
}

export async function importRecords(ctx: Ctx, deps: ImportDeps, entity: string): Promise<void> {
  const access = ctx.state.access;
  if (!access.can(entity, 'create')) throw new EngineError('access.denied', 403, `you may not create ${entity} records`);
  const runtime = deps.runtime();
  const rt = runtime.entity(entity);
  const format = importFormat(ctx);
  const rows = await readRows(await readBody(ctx, deps.limitBytes), format);
  const [header = [], ...body] = rows;
  const errors: FieldError[] = [];
  const columns = mapHeader(header, importableFields(rt, access), errors);
  if (!columns.some(Boolean)) errors.push({ pointer: '/header', code: 'import.no_columns', message: 'the first row names no field' });
  const records: ApiRecord[] = [];
  const lines: number[] = [];
  const titles: Array<{ record: ApiRecord; field: FieldDef; title: string; pointer: string }> = [];
  body.forEach((cells, i) => {
    if (cells.every((c) => c.trim() === '')) return;
    const line = i + 2;
    const record: ApiRecord = {};
    columns.forEach((field, col) => {
      const got = field && cellValue(runtime.kinds, field, cells[col] ?? '');
      if (!field || !got) return;
      const pointer = `/rows/${line}/${field.name}`;
      if ('error' in got) errors.push({ pointer, code: 'import.cell', message: got.error });
      else if ('title' in got) titles.push({ record, field, title: got.title, pointer });
      else record[field.name] = got.value;
    });
    records.push(record);
    lines.push(line);
  });
  if (records.length > MAX_IMPORT_ROWS) {
    throw new EngineError('import.too_many_rows', 413, `a file imports at most ${MAX_IMPORT_ROWS} rows; this one has ${records.length}`);
  }
  for (const target of new Set(titles.map((t) => t.field.target ?? ''))) {
    const wanted = titles.filter((t) => t.field.target === target);
    const found = await resolveTitles(
      deps.db,
      runtime,
      access,
      target,
      wanted.map((t) => t.title),
    );
    for (const t of wanted) {
      const match = found.get(t.title);
      if (match && 'id' in match) t.record[t.field.name] = match.id;
      else errors.push({ pointer: t.pointer, code: 'import.reference', message: match?.error ?? `'${t.title}' is not found` });
    }
  }
  // What the schema says of each row is known without writing: report it with the cells' problems. A missing
  // value is the pipeline's to judge, after defaults and plugins' hooks have had their say.
  for (const [i, record] of records.entries()) {
    for (const e of rt.validator.validateCreate(record, `/rows/${lines[i]}`)) if (e.code !== 'validation.required') errors.push(e);
  }
  if (errors.length > 0) {
    throw new EngineError('validation.failed', 422, `the file has ${errors.length} problem(s); nothing was imported`, {
      fieldErrors: errors.slice(0, MAX_REPORTED),
    });
  }
  if (records.length === 0) throw new EngineError('import.no_rows', 422, 'the file has a header and no rows');
  if (ctx.query.dryRun === 'true') {
    ctx.body = { data: { rows: records.length, imported: 0 }, meta: { dryRun: true } };
    return;
  }
  let created: ApiRecord[];
  try {
    created = await deps.writer.bulkCreate({ entity, actor: ctx.state.actor, access, requestId: ctx.state.requestId }, records);
  } catch (err) {
    throw atRows(err, lines);
  }
  ctx.status = 201;
  ctx.body = { data: { rows: records.length, imported: created.length, ids: created.map((r) => r.id) }, meta: { dryRun: false } };
}

/** The header row of what the caller may import, labels in their language; XLSX adds each column's hint and choices. */
export async function importTemplate(ctx: Ctx, deps: Pick<ImportDeps, 'runtime'>, entity: string): Promise<void> {
  const access = ctx.state.access;
  if (!access.can(entity, 'create')) throw new EngineError('access.denied', 403, `you may not create ${entity} records`);
  const rt = deps.runtime().entity(entity);
  const locale = pickLocale(ctx.query.locale, ctx.get('accept-language'));
  const fields = importableFields(rt, access);
  const format = ctx.query.format ?? 'xlsx';
  if (format !== 'csv' && format !== 'xlsx') throw new EngineError('query.invalid_parameter', 400, "format must be 'csv' or 'xlsx'");
  ctx.set('Content-Disposition', `attachment; filename="${entity}-import.${format}"`);
  if (format === 'csv') {
    ctx.type = 'text/csv; charset=utf-8';
    ctx.body = '\ufeff' + stringify([fields.map((f) => labelOf(f, locale))]);
    return;
  }
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet(entity);
  sheet.addRow(fields.map((f) => labelOf(f, locale)));
  sheet.getRow(1).font = { bold: true };
  fields.forEach((f, i) => {
    const column = sheet.getColumn(i + 1);
    column.width = Math.max(12, labelOf(f, locale).length * 2 + 4);
    const choices = (f.values ?? []).map((v) => v.label[locale] ?? v.value);
    const hint = [f.kind, f.required ? (locale === 'zh-CN' ? '必填' : 'required') : '', choices.join(' / ')].filter(Boolean).join(' · ');
    sheet.getCell(1, i + 1).note = hint;
    if (f.kind === 'enum' && choices.length > 0 && choices.join(',').length < 250) {
      for (let row = 2; row <= 1000; row++) {
        sheet.getCell(row, i + 1).dataValidation = { type: 'list', allowBlank: true, formulae: [`"${choices.join(',')}"`] };
      }
    }
  });
  ctx.type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  ctx.body = Buffer.from(await book.xlsx.writeBuffer());
}
