// Spreadsheet cells -> API values for an import (import-records.ts): each field's text is read by its kind's
// operand type (a kind with parts, money, reads its own way through `fromCell`), so a new kind needs no edit here.
// Enum cells may hold the value or its label in any language; references hold an id or the target's title, which
// resolve-titles.ts looks up afterwards. Empty cells are left out, so defaults apply.
import { kindOf, type FieldKindRegistry, type OperandType } from '../metadata/field-kinds.js';
import type { FieldDef } from '../metadata/model.js';
import { decimalText, type CellResult } from '../metadata/cell-text.js';


const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TRUE = new Set(['true', 'yes', 'y', '1', '是', '对', '√']);
const FALSE = new Set(['false', 'no', 'n', '0', '否', '不是', '×']);

function date(text: string): string | undefined {
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(text);
  if (!m) return undefined;
  const iso = `${m[1]}-${m[2]?.padStart(2, '0')}-${m[3]?.padStart(2, '0')}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(iso) ? iso : undefined;
}

function enumValue(field: FieldDef, text: string): string | undefined {
  const lower = text.toLowerCase();
  const found = (field.values ?? []).find(
    (v) => v.value.toLowerCase() === lower || Object.values(v.label).some((l) => typeof l === 'string' && l.toLowerCase() === lower),
  );
  return found?.value;
}

const choices = (field: FieldDef) => (field.values ?? []).map((v) => v.value).join(', ');

const BY_OPERAND: Record<OperandType, (text: string, field: FieldDef) => CellResult> = {
  text: (text) => ({ value: text }),
  integer: (text) => {
    const n = decimalText(text);
    return n !== undefined && /^-?\d+$/.test(n) ? { value: Number(n) } : { error: `'${text}' is not a whole number` };
  },
  decimal: (text) => {
    const n = decimalText(text);
    return n !== undefined ? { value: n } : { error: `'${text}' is not a number` };
  },
  boolean: (text) => {
    const lower = text.toLowerCase();
    if (TRUE.has(lower)) return { value: true };
    if (FALSE.has(lower)) return { value: false };
    return { error: `'${text}' is not yes or no (write true/false, yes/no, 是/否)` };
  },
  date: (text) => {
    const d = date(text);
    return d !== undefined ? { value: d } : { error: `'${text}' is not a date (write 2026-12-06)` };
  },
  datetime: (text) => {
    // Without an offset a time is taken as UTC, as the API does.
    const normal = text.replace(' ', 'T');
    const d = new Date(/[zZ]|[+-]\d{2}:?\d{2}$/.test(normal) ? normal : `${normal}Z`);
    return Number.isNaN(d.getTime()) ? { error: `'${text}' is not a date and time (write 2026-12-06 09:30)` } : { value: d.toISOString() };
  },
  enum: (text, field) => {
    const v = enumValue(field, text);
    return v !== undefined ? { value: v } : { error: `'${text}' is not one of ${choices(field)}` };
  },
  multienum: (text, field) => {
    const parts = text
      .split(/[,，、;；]/)
      .map((p) => p.trim())
      .filter(Boolean);
    const values = parts.map((p) => enumValue(field, p));
    const bad = parts.find((_, i) => values[i] === undefined);
    return bad === undefined ? { value: values } : { error: `'${bad}' is not one of ${choices(field)}` };
  },
  json: (text) => {
    try {
      return { value: JSON.parse(text) as unknown };
    } catch {
      return { error: `'${text}' is not JSON` };
    }
  },
  id: (text) => (UUID.test(text) ? { value: text.toLowerCase() } : { title: text }),
};

/** The value of one cell for `field`; undefined for an empty cell. */
export function cellValue(kinds: FieldKindRegistry, field: FieldDef, raw: string): CellResult | undefined {
  const text = raw.trim();
  if (text === '') return undefined;
  const kind = kindOf(kinds, field);
  return kind.fromCell ? kind.fromCell(text, field) : BY_OPERAND[kind.operand](text, field);
}
