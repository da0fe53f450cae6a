// Records as the API shows them <-> rows as PostgreSQL stores them. Built once per entity per Model.
import type { EntityDef, FieldDef } from '../metadata/model.js';
import { SYSTEM_READ_COLUMNS } from '../metadata/system-columns.js';

export type Row = Record<string, unknown>;
export type ApiRecord = Record<string, unknown>;

const SYSTEM_READ_FIELDS: readonly string[] = SYSTEM_READ_COLUMNS.map((c) => c.name);

export interface RecordCodec {
  /** Field names a client can ask for in `fields=` (system fields and every stored field). */
  readonly readableFields: ReadonlySet<string>;
  /** Columns to SELECT for the given fields (all when undefined). */
  columnsFor(fields?: ReadonlySet<string>): string[];
  toRecord(row: Row, fields?: ReadonlySet<string>): ApiRecord;
  /** Column values for the given input fields; manyToMany fields are not columns and are skipped. */
  toColumns(input: ApiRecord): Row;
}

function isStored(field: FieldDef): boolean {
  return field.columns.length > 0;
}

export function createRecordCodec(entity: EntityDef): RecordCodec {
  const stored = entity.fields.filter(isStored);
  // manyToMany fields are readable (their ids are loaded separately) but have no column here.
  const readableFields = new Set<string>([...SYSTEM_READ_FIELDS, ...entity.fields.map((f) => f.name)]);
  const byName = new Map(entity.fields.map((f) => [f.name, f]));
  return {
    readableFields,
    columnsFor(fields) {
      const cols: string[] = [...SYSTEM_READ_FIELDS];
      for (const f of stored) if (!fields || fields.has(f.name)) cols.push(...f.columns.map((c) => c.name));
      return cols;
    },
    toRecord(row, fields) {
      const out: ApiRecord = { id: row.id, version: row.version, created_at: row.created_at, updated_at: row.updated_at };
      for (const f of stored) {
        if (fields && !fields.has(f.name)) continue;
        const [first, second] = f.columns;
        if (!first) continue;
        if (f.kind === 'currency') {
          const amount = row[first.name];
          out[f.name] = amount === null || amount === undefined ? null : { amount, currency: second ? row[second.name] : null };
        } else {
          out[f.name] = row[first.name] ?? null;
        }
      }
      return out;
    },
    toColumns(input) {
      const cols: Row = {};
      for (const [name, value] of Object.entries(input)) {
        const f = byName.get(name);
        if (!f || !isStored(f)) continue;
        const [first, second] = f.columns;
        if (!first) continue;
        if (f.kind === 'currency') {
          const money = value as { amount: string; currency: string } | null;
          cols[first.name] = money?.amount ?? null;
          if (second) cols[second.name] = money?.currency ?? null;
        } else if (f.kind === 'json') {
          // pg would turn a JS array into a PostgreSQL array literal; jsonb wants JSON text.
          cols[first.name] = value === null || value === undefined ? null : JSON.stringify(value);
        } else {
          cols[first.name] = value;
        }
      }
      return cols;
    },
  };
}
