// What a spreadsheet cell's text is to a field kind: the shared pieces of reading cells (imports) that the kind
// table's own `fromCell` readers use, such as money's. data/import-values.ts reads every other kind by its operand.
import type { FieldDef } from './model.js';

/** A cell read: the value to write, a title still to look up (references), or why the text is not a value. */
export type CellResult = { readonly value: unknown } | { readonly title: string } | { readonly error: string };

/** Thousands separators and full-width digits are what people type; the API's decimals are plain text. */
export function decimalText(text: string): string | undefined {
  const plain = text.replace(/[,，\s]/g, '').replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
  return /^-?\d+(\.\d+)?$/.test(plain) ? plain : undefined;
}

/** Money written as "1,200.50 CNY" (or "CNY 1,200.50"); the currency may be left out when the field allows one only. */
export function moneyFromCell(text: string, field: FieldDef): CellResult {
  const m = /^([A-Za-z]{3})?\s*([-\d,，.０-９]+)\s*([A-Za-z]{3})?$/.exec(text);
  const amount = m?.[2] === undefined ? undefined : decimalText(m[2]);
  const written = (m?.[1] ?? m?.[3])?.toUpperCase();
  const currency = written ?? (field.currencies?.length === 1 ? field.currencies[0] : undefined);
  if (amount === undefined) return { error: `'${text}' is not an amount (write 1200.50 CNY)` };
  if (currency === undefined) return { error: `'${text}' has no currency (write ${amount} CNY)` };
  return { value: { amount, currency } };
}
