// SQL text for the plan's steps. Identifiers come from the validated Model and are quoted anyway.
import { canonicalJson } from '../shared/canonical-json.js';
import type { ColumnDef, ColumnDefault, ForeignKeyDef, ValueRules } from '../metadata/model.js';
import { renderTag, type ObjectTag } from './catalog.js';
import { renderType } from './sql-type.js';
import { q } from '../sql/q.js';
import { sqlLiteral } from '../sql/sql-literal.js';

export function renderDefault(d: ColumnDefault): string {
  return d.kind === 'now' ? 'now()' : sqlLiteral(d.value);
}

export function defaultSignature(d: ColumnDefault | undefined): string | undefined {
  return d === undefined ? undefined : canonicalJson(d);
}

export function rulesSignature(rules: ValueRules | undefined): string | undefined {
  return rules === undefined ? undefined : canonicalJson(rules);
}

export function columnTag(column: ColumnDef): ObjectTag {
  const d = defaultSignature(column.default);
  const rules = rulesSignature(column.rules);
  return { key: column.key, ...(d !== undefined ? { default: d } : {}), ...(rules !== undefined ? { rules } : {}) };
}

export function columnSql(column: ColumnDef, options: { notNull: boolean }): string {
  return [
    q(column.name),
    renderType(column.type),
    column.default ? `DEFAULT ${renderDefault(column.default)}` : '',
    options.notNull ? 'NOT NULL' : '',
  ]
    .filter(Boolean)
    .join(' ');
}

export function commentOnColumn(table: string, column: ColumnDef): string {
  return `COMMENT ON COLUMN ${q(table)}.${q(column.name)} IS ${sqlLiteral(renderTag(columnTag(column)))}`;
}

export function commentOnTable(table: string, tag: ObjectTag): string {
  return `COMMENT ON TABLE ${q(table)} IS ${sqlLiteral(renderTag(tag))}`;
}

export function commentOnIndex(name: string, tag: ObjectTag): string {
  return `COMMENT ON INDEX ${q(name)} IS ${sqlLiteral(renderTag(tag))}`;
}

const ON_DELETE: Record<ForeignKeyDef['onDelete'], string> = {
  restrict: 'RESTRICT',
  cascade: 'CASCADE',
  setNull: 'SET NULL',
};

export function addForeignKeySql(table: string, constraint: string, column: string, ref: ForeignKeyDef): string {
  return `ALTER TABLE ${q(table)} ADD CONSTRAINT ${q(constraint)} FOREIGN KEY (${q(column)}) REFERENCES ${q(ref.table)} (${q(ref.column)}) ON DELETE ${ON_DELETE[ref.onDelete]}`;
}
