// Columns every entity table has, whatever its pack says; their names are reserved for fields.
import type { ColumnDef } from './model.js';

export const SYSTEM_COLUMNS: readonly ColumnDef[] = [
  { name: 'id', type: { base: 'uuid' }, nullable: false, key: 'sys#id' },
  { name: 'created_at', type: { base: 'timestamptz' }, nullable: false, default: { kind: 'now' }, key: 'sys#created_at' },
  { name: 'updated_at', type: { base: 'timestamptz' }, nullable: false, default: { kind: 'now' }, key: 'sys#updated_at' },
  { name: 'version', type: { base: 'integer' }, nullable: false, default: { kind: 'literal', value: 1 }, key: 'sys#version' },
  { name: 'deleted_at', type: { base: 'timestamptz' }, nullable: true, key: 'sys#deleted_at' },
];

export const SYSTEM_FIELD_NAMES: ReadonlySet<string> = new Set(SYSTEM_COLUMNS.map((c) => c.name));

/** Tables the engine itself owns; entity names may not take this prefix. */
export const SYSTEM_TABLE_PREFIX = 'tessera_';
