// SqlType <-> PostgreSQL type text, and whether changing one type to another can lose data.
import type { SqlType } from '../metadata/model.js';

export function renderType(t: SqlType): string {
  switch (t.base) {
    case 'varchar':
      return `varchar(${t.length ?? 255})`;
    case 'char':
      return `char(${t.length ?? 1})`;
    case 'numeric':
      return `numeric(${t.precision ?? 18},${t.scale ?? 0})`;
    default:
      return t.base;
  }
}

/** Parses `format_type()` output; an unknown type keeps its text so a diff still shows it. */
export function parseType(formatted: string): SqlType | { base: 'unknown'; text: string } {
  const m = /^(\w[\w ]*?)(?:\((\d+)(?:,(\d+))?\))?(\[\])?$/.exec(formatted.trim());
  if (!m) return { base: 'unknown', text: formatted };
  const [, name = '', a, b, array] = m;
  if (array) return name === 'text' ? { base: 'text[]' } : { base: 'unknown', text: formatted };
  switch (name) {
    case 'text':
      return { base: 'text' };
    case 'character varying':
      return a ? { base: 'varchar', length: Number(a) } : { base: 'text' };
    case 'character':
      return { base: 'char', length: Number(a ?? 1) };
    case 'integer':
      return { base: 'integer' };
    case 'bigint':
      return { base: 'bigint' };
    case 'numeric':
      return { base: 'numeric', precision: Number(a ?? 1000), scale: Number(b ?? 0) };
    case 'boolean':
      return { base: 'boolean' };
    case 'date':
      return { base: 'date' };
    case 'timestamp with time zone':
      return { base: 'timestamptz' };
    case 'jsonb':
      return { base: 'jsonb' };
    case 'uuid':
      return { base: 'uuid' };
    default:
      return { base: 'unknown', text: formatted };
  }
}

export function sameType(a: SqlType, b: SqlType): boolean {
  return renderType(a) === renderType(b);
}

/**
 * How a type change affects existing values:
 * 'widen'   every value fits unchanged;
 * 'narrow'  some values may not fit (the count SQL finds them);
 * 'convert' the values must be cast to another type and may fail or change meaning.
 */
export type TypeChange = 'widen' | 'narrow' | 'convert';

export function classifyTypeChange(from: SqlType, to: SqlType): TypeChange {
  const textual = (t: SqlType) => t.base === 'text' || t.base === 'varchar';
  if (textual(from) && textual(to)) {
    if (to.base === 'text') return 'widen';
    if (from.base === 'varchar' && (to.length ?? 0) >= (from.length ?? 0)) return 'widen';
    return 'narrow';
  }
  if (from.base === 'integer' && to.base === 'bigint') return 'widen';
  if (from.base === 'bigint' && to.base === 'integer') return 'narrow';
  if ((from.base === 'integer' || from.base === 'bigint') && to.base === 'numeric') {
    const digits = from.base === 'integer' ? 10 : 19;
    return (to.precision ?? 0) - (to.scale ?? 0) >= digits ? 'widen' : 'narrow';
  }
  if (from.base === 'numeric' && to.base === 'numeric') {
    const fromInt = (from.precision ?? 0) - (from.scale ?? 0);
    const toInt = (to.precision ?? 0) - (to.scale ?? 0);
    return (to.scale ?? 0) >= (from.scale ?? 0) && toInt >= fromInt ? 'widen' : 'narrow';
  }
  if (from.base === 'char' && to.base === 'char') return (to.length ?? 0) >= (from.length ?? 0) ? 'widen' : 'narrow';
  return 'convert';
}
