// The generated members of one entity's cube: a dimension per stored field value (a field with parts gives one per
// part), time dimensions for dates and times, a count, and sum/avg/min/max of numbers. A value that adds up only within
// a unit (money) gets its measures per declared currency, each filtered to that currency: never summed across them.
import type { FieldKind, FieldKindRegistry, OperandType } from '../metadata/field-kinds.js';
import type { EntityDef, FieldDef, Label } from '../metadata/model.js';
import { q } from '../sql/q.js';
import { sqlLiteral } from '../sql/sql-literal.js';
import { CUBE, SqlText } from './cube-sql.js';

export type Member = Record<string, unknown>;

export interface Members {
  readonly dimensions: Record<string, Member>;
  readonly measures: Record<string, Member>;
}

export const NUMBER_AGGREGATES = ['sum', 'avg', 'min', 'max'] as const;

const CUBE_TYPES: Readonly<Record<OperandType, 'string' | 'number' | 'time' | 'boolean' | null>> = {
  text: 'string',
  enum: 'string',
  id: 'string',
  integer: 'number',
  decimal: 'number',
  boolean: 'boolean',
  date: 'time',
  datetime: 'time',
  multienum: null,
  json: null,
};

export function pickLabel(label: Label, locale: string): string {
  return label[locale] ?? label.en;
}

function column(name: string): SqlText {
  return new SqlText(`${CUBE}.${q(name)}`);
}

function titled(label: Label, locale: string, extra: Member = {}): Member {
  return { title: pickLabel(label, locale), meta: { label, ...((extra.meta as Member | undefined) ?? {}) }, ...omitMeta(extra) };
}

function omitMeta(m: Member): Member {
  const { meta: _meta, ...rest } = m;
  return rest;
}

function partLabel(label: Label, part: string): Label {
  return Object.fromEntries(Object.entries(label).map(([k, v]) => [k, `${v} (${part})`])) as Label;
}

function numberMeasures(
  out: Record<string, Member>,
  base: string,
  label: Label,
  locale: string,
  sql: SqlText,
  suffix = '',
  filter?: SqlText,
): void {
  for (const agg of NUMBER_AGGREGATES) {
    out[`${base}_${agg}${suffix}`] = titled(partLabel(label, suffix ? `${agg}, ${suffix.slice(1).toUpperCase()}` : agg), locale, {
      type: agg,
      sql,
      ...(filter ? { filters: [{ sql: filter }] } : {}),
    });
  }
}

function fieldMembers(field: FieldDef, kind: FieldKind, locale: string, out: Members): void {
  if (kind.cubeType === null || field.columns.length === 0) return;
  const enumMeta = field.values ? { meta: { values: field.values.map((v) => ({ value: v.value, label: v.label })) } } : {};
  if (!kind.subPaths) {
    const [col] = field.columns;
    if (!col) return;
    out.dimensions[field.name] = titled(field.label, locale, { sql: column(col.name), type: kind.cubeType, ...enumMeta });
    if (kind.cubeType === 'number') numberMeasures(out.measures, field.name, field.label, locale, column(col.name));
    return;
  }
  for (const [part, sub] of Object.entries(kind.subPaths)) {
    const col = field.columns[sub.column];
    const type = CUBE_TYPES[sub.operand];
    if (!col || !type) continue;
    const name = sub.column === 0 ? field.name : `${field.name}_${part}`;
    out.dimensions[name] = titled(sub.column === 0 ? field.label : partLabel(field.label, part), locale, { sql: column(col.name), type });
  }
  const parts = kind.measureParts;
  const value = parts && field.columns[kind.subPaths[parts.value]?.column ?? -1];
  const unit = parts && field.columns[kind.subPaths[parts.unit]?.column ?? -1];
  if (parts && value && unit) {
    // Only a declared list of units gives measures: without one, no sum could be kept within a unit.
    for (const code of field.currencies ?? []) {
      const filter = new SqlText(`${CUBE}.${q(unit.name)} = ${sqlLiteral(code)}`);
      numberMeasures(out.measures, field.name, field.label, locale, column(value.name), `_${code.toLowerCase()}`, filter);
    }
  } else if (!parts) {
    const first = Object.values(kind.subPaths).find((s) => s.column === 0);
    const col = field.columns[0];
    if (first && col && CUBE_TYPES[first.operand] === 'number')
      numberMeasures(out.measures, field.name, field.label, locale, column(col.name));
  }
}

const SYSTEM_LABELS: Readonly<Record<string, Label>> = {
  id: { en: 'ID', 'zh-CN': 'ID' },
  created_at: { en: 'Created at', 'zh-CN': '创建时间' },
  updated_at: { en: 'Updated at', 'zh-CN': '更新时间' },
};

/** The generated members of `entity` as `isVisible` lets the viewer see them. */
export function entityMembers(entity: EntityDef, kinds: FieldKindRegistry, locale: string, isVisible: (field: string) => boolean): Members {
  const out: Members = {
    dimensions: {
      id: titled(SYSTEM_LABELS.id ?? { en: 'ID' }, locale, { sql: column('id'), type: 'string', primaryKey: true, shown: true }),
      created_at: titled(SYSTEM_LABELS.created_at ?? { en: 'Created at' }, locale, { sql: column('created_at'), type: 'time' }),
      updated_at: titled(SYSTEM_LABELS.updated_at ?? { en: 'Updated at' }, locale, { sql: column('updated_at'), type: 'time' }),
    },
    measures: { count: titled({ en: 'Count', 'zh-CN': '数量' }, locale, { type: 'count' }) },
  };
  for (const field of entity.fields) {
    const kind = kinds.get(field.kind);
    if (kind && isVisible(field.name)) fieldMembers(field, kind, locale, out);
  }
  return out;
}
