// Records as the API shows them <-> rows as PostgreSQL stores them. Built once per entity per Model.
// Reads select columns under their field names (money as a JSON object), so each row pg decodes is already
// the record: no second object per row on the hot list path.
import { kindOf, valueColumns, type FieldKind, type FieldKindRegistry } from '../metadata/field-kinds.js';
import type { EntityDef, FieldDef } from '../metadata/model.js';
import { SYSTEM_READ_COLUMNS } from '../metadata/system-columns.js';
import { q } from '../sql/q.js';

export type Row = Record<string, unknown>;
export type ApiRecord = Record<string, unknown>;

/** Record order: the system fields as system-columns.ts orders them, then the fields as the entity declares them. */
const SYSTEM_READ_FIELDS = SYSTEM_READ_COLUMNS.map((c) => c.name);

export interface SelectList {
  /** `alias.col AS field, ...`: rows come back as records. */
  readonly sql: string;
  /** Record property holding a column's value as stored, by column expression (for keyset cursors). */
  readonly propertyOf: ReadonlyMap<string, string>;
}

export interface RecordCodec {
  /** Field names a client can ask for in `fields=` (system fields and every stored field). */
  readonly readableFields: ReadonlySet<string>;
  /** The SELECT (or RETURNING) list for the given fields and the id (all when undefined); alias '' leaves columns unqualified. */
  selectList(alias: string, fields?: ReadonlySet<string>): SelectList;
  /** Column values for the given input fields; manyToMany fields are not columns and are skipped. */
  toColumns(input: ApiRecord): Row;
}

function isStored(field: FieldDef): boolean {
  return field.columns.length > 0;
}

function column(alias: string, name: string): string {
  return alias ? `${alias}.${q(name)}` : q(name);
}

/** One field's select expression: the kind's own (money as { amount, currency }) or its one column as it is. */
function fieldSelect(f: FieldDef, kind: FieldKind, alias: string): { sql: string; raw?: string } | undefined {
  const [first] = f.columns;
  if (!first) return undefined;
  if (kind.selectSql) return { sql: `${kind.selectSql(f.columns.map((c) => column(alias, c.name)))} AS ${q(f.name)}` };
  const col = column(alias, first.name);
  return { sql: first.name === f.name ? col : `${col} AS ${q(f.name)}`, raw: col };
}

export function createRecordCodec(entity: EntityDef, kinds: FieldKindRegistry): RecordCodec {
  // Kinds resolved once per Model, so a missing kind fails when the runtime is built, and no request looks one up.
  const stored = entity.fields.filter(isStored).map((f) => ({ f, kind: kindOf(kinds, f) }));
  // manyToMany fields are readable (their ids are loaded separately) but have no column here.
  const readableFields = new Set<string>([...SYSTEM_READ_FIELDS, ...entity.fields.map((f) => f.name)]);
  const storedByName = new Map(stored.map((s) => [s.f.name, s]));
  const allFields = new Map<string, SelectList>();

  function build(alias: string, fields?: ReadonlySet<string>): SelectList {
    const parts: string[] = [];
    const propertyOf = new Map<string, string>();
    for (const name of SYSTEM_READ_FIELDS) {
      // `fields=` may leave out the system fields but the id, which names the record (#18 part 10).
      if (fields && name !== 'id' && !fields.has(name)) continue;
      const col = column(alias, name);
      parts.push(col);
      propertyOf.set(col, name);
    }
    for (const { f, kind } of stored) {
      if (fields && !fields.has(f.name)) continue;
      const s = fieldSelect(f, kind, alias);
      if (!s) continue;
      parts.push(s.sql);
      if (s.raw) propertyOf.set(s.raw, f.name);
    }
    return { sql: parts.join(', '), propertyOf };
  }

  return {
    readableFields,
    selectList(alias, fields) {
      if (fields) return build(alias, fields);
      let list = allFields.get(alias);
      if (!list) allFields.set(alias, (list = build(alias)));
      return list;
    },
    toColumns(input) {
      const cols: Row = {};
      for (const [name, value] of Object.entries(input)) {
        const s = storedByName.get(name);
        if (!s) continue;
        const values = valueColumns(s.kind, value);
        s.f.columns.forEach((c, i) => {
          cols[c.name] = values[i] ?? null;
        });
      }
      return cols;
    },
  };
}

/** A row without the helper columns (`__...`) a statement selected beside the record. */
export function withoutHelpers(row: Row): ApiRecord {
  const out: ApiRecord = {};
  for (const k in row) if (!k.startsWith('__')) out[k] = row[k];
  return out;
}
