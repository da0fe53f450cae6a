// Columns every entity table has, whatever its pack says; their names are reserved for fields.
import { EQUALITY, ORDERED, type OperandType } from './field-kinds.js';
import type { ColumnDef } from './model.js';

export const SYSTEM_COLUMNS: readonly ColumnDef[] = [
  { name: 'id', type: { base: 'uuid' }, nullable: false, key: 'sys#id' },
  { name: 'created_at', type: { base: 'timestamptz' }, nullable: false, default: { kind: 'now' }, key: 'sys#created_at' },
  { name: 'updated_at', type: { base: 'timestamptz' }, nullable: false, default: { kind: 'now' }, key: 'sys#updated_at' },
  { name: 'version', type: { base: 'integer' }, nullable: false, default: { kind: 'literal', value: 1 }, key: 'sys#version' },
  { name: 'deleted_at', type: { base: 'timestamptz' }, nullable: true, key: 'sys#deleted_at' },
];

export const SYSTEM_FIELD_NAMES: ReadonlySet<string> = new Set(SYSTEM_COLUMNS.map((c) => c.name));

/**
 * System columns clients read, filter and sort on, in the order records show them (id and version first);
 * the soft-delete marker stays the engine's own. The codec, the record schemas and the path resolver read this.
 */
export const SYSTEM_READ_COLUMNS: readonly ColumnDef[] = ['id', 'version', 'created_at', 'updated_at'].map((name) => {
  const column = SYSTEM_COLUMNS.find((c) => c.name === name);
  if (!column) throw new Error(`system column ${name} is missing`);
  return column;
});

/** How a system column reads in a record's JSON Schema, derived from its type. */
export function systemReadSchema(column: ColumnDef): Record<string, unknown> {
  if (column.type.base === 'uuid') return { type: 'string', format: 'uuid', readOnly: true };
  if (column.type.base === 'integer') return { type: 'integer', minimum: 1, readOnly: true };
  return { type: 'string', format: 'date-time', readOnly: true };
}

/** How a system column takes part in conditions, derived from its type. */
export function systemOperand(column: ColumnDef): { operand: OperandType; operators: readonly string[] } {
  if (column.type.base === 'uuid') return { operand: 'id', operators: EQUALITY };
  return { operand: column.type.base === 'integer' ? 'integer' : 'datetime', operators: ORDERED };
}

/** Tables the engine itself owns; entity names may not take this prefix. */
export const SYSTEM_TABLE_PREFIX = 'tessera_';
