// The columns of each target's lines as Word and Excel show them (the PDF layouts say theirs in Liquid), and a
// document's title: one list, so the two office exports agree.
import type { RenderTarget } from './merge-data.js';

export interface LineColumn {
  readonly key: string;
  readonly label: string;
  readonly numeric: boolean;
}

const ITEM: LineColumn = { key: 'description', label: 'Item 项目', numeric: false };
const num = (key: string, label: string): LineColumn => ({ key, label, numeric: true });

const COLUMNS: Readonly<Record<RenderTarget, readonly LineColumn[]>> = {
  contract: [ITEM, num('quantity', 'Qty 数量'), num('unit_price', 'Unit price 单价'), num('line_total', 'Total 金额')],
  quote: [
    ITEM,
    num('quantity', 'Qty 数量'),
    num('unit_price', 'Unit price 单价'),
    num('discount_pct', 'Discount % 折扣'),
    num('net_amount', 'Net 净额'),
    num('tax_amount', 'Tax 税额'),
  ],
  sales_order: [ITEM, num('quantity', 'Qty 数量'), num('unit_price', 'Unit price 单价'), num('line_total', 'Total 金额')],
  invoice: [ITEM, { key: 'contract_no', label: 'Contract 合同', numeric: false }, num('amount', 'Amount 金额')],
};

export function lineColumns(target: RenderTarget): readonly LineColumn[] {
  return COLUMNS[target];
}

const NUMBER_FIELD: Readonly<Record<RenderTarget, string>> = {
  contract: 'contract_no',
  quote: 'quote_no',
  sales_order: 'order_no',
  invoice: 'invoice_no',
};

const NAMES: Readonly<Record<RenderTarget, string>> = {
  contract: 'Contract 合同',
  quote: 'Quote 报价单',
  sales_order: 'Sales order 销售订单',
  invoice: 'Invoice 发票',
};

/** "Contract 合同 HT20261200001 — title" */
export function documentTitle(target: RenderTarget, record: Readonly<Record<string, unknown>>): string {
  const no = record[NUMBER_FIELD[target]];
  const title = typeof record.title === 'string' ? ` — ${record.title}` : '';
  return `${NAMES[target]} ${typeof no === 'string' ? no : ''}${title}`.trim();
}

/** A file name of the record's number (or id), safe in a Content-Disposition header. */
export function fileNameFor(target: RenderTarget, record: Readonly<Record<string, unknown>>, ext: string): string {
  const no = record[NUMBER_FIELD[target]];
  const base = typeof no === 'string' && no !== '' ? no : String(record.id);
  return `${target}-${base.replace(/[^A-Za-z0-9_.-]/g, '_')}.${ext}`;
}
