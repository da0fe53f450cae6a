// GET /api/v1/<entity>/export: every row a list query matches (in pages, up to a cap) as CSV or JSON,
// under the caller's export permission and scope, with hidden fields left out as everywhere else.
import { stringify } from 'csv-stringify/sync';
import type { Context } from 'koa';
import type { ParsedUrlQuery } from 'node:querystring';
import { EngineError } from '../shared/engine-error.js';
import type { RecordReader } from '../data/record-reader.js';
import type { ApiRecord } from '../data/record-codec.js';
import { MAX_LIMIT } from '../data/list-options.js';
import type { ApiState } from './api-state.js';
import { parseListQuery } from './list-query-params.js';

export const MAX_EXPORT_ROWS = 50_000;

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') {
    const money = value as { amount?: unknown; currency?: unknown; id?: unknown };
    if ('amount' in money && 'currency' in money) return `${String(money.amount)} ${String(money.currency)}`;
    if ('id' in money) return String(money.id);
    return JSON.stringify(value);
  }
  return String(value);
}

export async function exportRecords(ctx: Context & { state: ApiState }, reader: RecordReader, entity: string): Promise<void> {
  const { format = 'csv', ...rest } = ctx.query as ParsedUrlQuery & { format?: string };
  if (format !== 'csv' && format !== 'json') throw new EngineError('query.invalid_parameter', 400, "format must be 'csv' or 'json'");
  if ('cursor' in rest || 'offset' in rest || 'total' in rest)
    throw new EngineError('query.invalid_parameter', 400, 'export pages by itself: leave out cursor, offset and total');
  const base = parseListQuery(rest);
  const rows: ApiRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await reader.list(
      entity,
      ctx.state.access,
      { ...base, limit: MAX_LIMIT, offset: 0, ...(cursor ? { cursor } : {}) },
      'export',
    );
    rows.push(...page.data);
    cursor = page.meta.nextCursor ?? undefined;
  } while (cursor && rows.length < MAX_EXPORT_ROWS);
  const truncated = rows.length > MAX_EXPORT_ROWS || cursor !== undefined;
  const data = rows.slice(0, MAX_EXPORT_ROWS);
  ctx.set('X-Export-Truncated', String(truncated));
  ctx.set('Content-Disposition', `attachment; filename="${entity}.${format}"`);
  if (format === 'json') {
    ctx.body = { data, meta: { count: data.length, truncated } };
    return;
  }
  const columns = [...new Set(data.flatMap((r) => Object.keys(r)))];
  ctx.type = 'text/csv; charset=utf-8';
  // The BOM makes Excel read UTF-8 (Chinese names) correctly.
  ctx.body = '\ufeff' + stringify([columns, ...data.map((r) => columns.map((c) => cell(r[c])))]);
}
