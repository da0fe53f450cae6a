// planSchema(catalog, model): the pure diff from what the database has to what the Model wants.
// Objects are matched by the key in their COMMENT, not by name, so a rename in a pack is a rename here.
import { EngineError } from '../shared/engine-error.js';
import type { ColumnDef, IndexDef, Model } from '../metadata/model.js';
import type { Catalog, CatalogColumn, CatalogTable } from './catalog.js';
import { addForeignKeySql, columnSql, commentOnColumn, commentOnIndex, commentOnTable, defaultSignature, renderDefault } from './ddl.js';
import { q } from '../sql/q.js';
import { desiredTables, indexSignature, type DesiredTable } from './desired-schema.js';
import { indexConditionSql } from './index-condition-sql.js';
import type { KindsAndOperators } from '../rules/operator-registry.js';
import type { PlanStep, SchemaPlan, StepOp } from './plan.js';
import { classifyTypeChange, renderType, sameType } from './sql-type.js';
import { valueRulesStep } from './value-rules-step.js';
import { physicalName } from '../metadata/physical-name.js';

// Steps run in this order whatever order they were found in: drops of dependent objects first,
// renames before anything refers to new names, tables before the keys that point at them.
// Dropped columns go before added ones, so a new field may take the name of a removed one.
const PHASES: readonly StepOp[] = [
  'dropIndex',
  'dropForeignKey',
  'renameTable',
  'renameColumn',
  'renameIndex',
  'renameConstraint',
  'dropColumn',
  'finishRename',
  'createTable',
  'addColumn',
  'checkValues',
  'alterColumnType',
  'setDefault',
  'dropNotNull',
  'setNotNull',
  'setComment',
  'addForeignKey',
  'addIndex',
  'dropTable',
];

function fkName(table: string, column: string): string {
  return physicalName(table, column, 'fkey');
}

function createIndexSql(table: DesiredTable, index: IndexDef, rules: KindsAndOperators): string {
  const keys = index.keys.map((k) => `${q(k.column)}${k.descending ? ' DESC' : ''}`).join(', ');
  const conditions: string[] = [];
  if (index.liveOnly) conditions.push(`${q('deleted_at')} IS NULL`);
  if (index.where !== undefined && table.entity) conditions.push(`(${indexConditionSql(table.entity, index.where, rules)})`);
  const where = conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '';
  return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${q(index.name)} ON ${q(table.name)} (${keys})${where}`;
}

function addIndexStep(table: DesiredTable, index: IndexDef, rules: KindsAndOperators): PlanStep {
  return {
    op: 'addIndex',
    table: table.name,
    summary: `add ${index.unique ? 'unique ' : ''}index ${index.name} on ${table.name} (${index.keys.map((k) => (k.descending ? '-' : '') + k.column).join(', ')})`,
    sql: [createIndexSql(table, index, rules), commentOnIndex(index.name, { key: index.key, sig: indexSignature(index, table.columns) })],
  };
}

/** Counts run before any step, so they name the table and column as they are now. */
function narrowCountSql(liveTable: string, liveColumn: string, column: ColumnDef): string {
  const col = q(liveColumn);
  const t = column.type;
  let condition: string;
  if (t.base === 'varchar' || t.base === 'char') condition = `length(${col}) > ${t.length ?? 0}`;
  else if (t.base === 'integer') condition = `abs(${col}) > 2147483647`;
  else if (t.base === 'numeric') {
    const intDigits = (t.precision ?? 0) - (t.scale ?? 0);
    condition = `round(${col}, ${t.scale ?? 0}) <> ${col} OR abs(${col}) >= 1e${intDigits}`;
  } else condition = `${col} IS NOT NULL`;
  return `SELECT count(*) AS count FROM ${q(liveTable)} WHERE ${condition}`;
}

function createTableSteps(table: DesiredTable): PlanStep[] {
  const cols = table.columns.map((c) => '  ' + columnSql(c, { notNull: !c.nullable }));
  cols.push(`  PRIMARY KEY (${table.primaryKey.map(q).join(', ')})`);
  const sql = [
    `CREATE TABLE ${q(table.name)} (\n${cols.join(',\n')}\n)`,
    commentOnTable(table.name, { key: table.key }),
    ...table.columns.map((c) => commentOnColumn(table.name, c)),
  ];
  return [{ op: 'createTable', table: table.name, summary: `create table ${table.name} (${table.columns.length} columns)`, sql }];
}

function tempName(column: CatalogColumn): string {
  return physicalName('tessera_tmp', column.tag?.key.replace(/[^a-zA-Z0-9_]/g, '_') ?? column.name);
}

function columnSteps(table: DesiredTable, live: CatalogTable): PlanStep[] {
  const steps: PlanStep[] = [];
  const deferredRenames: string[] = [];
  const t = q(table.name);
  const liveByKey = new Map<string, CatalogColumn>();
  for (const c of live.columns) if (c.tag) liveByKey.set(c.tag.key, c);
  const wanted = new Set(table.columns.map((c) => c.key));
  for (const column of table.columns) {
    const found = liveByKey.get(column.key);
    const col = q(column.name);
    if (!found) {
      // A tagged column with this name is being renamed away or dropped first; an untagged one is not ours.
      const clash = live.columns.find((c) => c.name === column.name);
      if (clash && !clash.tag) {
        throw new EngineError('schema.conflict', 409, `column ${table.name}.${column.name} already exists and is not managed by Tessera`);
      }
      const fillable = column.nullable || column.default !== undefined;
      steps.push({
        op: 'addColumn',
        table: table.name,
        summary: `add column ${table.name}.${column.name} ${renderType(column.type)}`,
        sql: [
          `ALTER TABLE ${t} ADD COLUMN ${columnSql(column, { notNull: !column.nullable && fillable })}`,
          commentOnColumn(table.name, column),
        ],
      });
      if (!fillable) {
        steps.push({
          op: 'setNotNull',
          table: table.name,
          summary: `make ${table.name}.${column.name} required`,
          sql: [`ALTER TABLE ${t} ALTER COLUMN ${col} SET NOT NULL`],
          risk: {
            kind: 'blockedIfRows',
            reason: 'existing rows would have no value and the field has no default',
            countSql: `SELECT count(*) AS count FROM ${q(live.name)}`,
          },
        });
      }
      continue;
    }
    if (found.name !== column.name) {
      // When the new name is still held by another of our columns (a swap, or a column dropped later),
      // the rename goes through a temporary name that cannot clash.
      const taken = live.columns.some((c) => c !== found && c.name === column.name);
      const sql = taken
        ? [`ALTER TABLE ${t} RENAME COLUMN ${q(found.name)} TO ${q(tempName(found))}`]
        : [`ALTER TABLE ${t} RENAME COLUMN ${q(found.name)} TO ${col}`];
      steps.push({ op: 'renameColumn', table: table.name, summary: `rename column ${table.name}.${found.name} to ${column.name}`, sql });
      if (taken) deferredRenames.push(`ALTER TABLE ${t} RENAME COLUMN ${q(tempName(found))} TO ${col}`);
    }
    const change =
      found.type.base === 'unknown'
        ? 'convert'
        : sameType(found.type, column.type)
          ? undefined
          : classifyTypeChange(found.type, column.type);
    const rulesStep = valueRulesStep(
      table.name,
      column,
      { table: live.name, column: found.name, ...(found.tag?.rules !== undefined ? { rules: found.tag.rules } : {}) },
      change !== 'convert',
    );
    if (rulesStep) steps.push(rulesStep);
    if (change !== undefined) {
      const from = found.type.base === 'unknown' ? found.type.text : renderType(found.type);
      const using = change === 'convert' ? ` USING ${col}::${renderType(column.type)}` : '';
      // A shorter varchar is a lower maxLength: the value-rules step counts and settles the long values first.
      const settled = change === 'narrow' && column.rules?.maxLength !== undefined && rulesStep !== undefined;
      steps.push({
        op: 'alterColumnType',
        table: table.name,
        summary: `${change} ${table.name}.${column.name} from ${from} to ${renderType(column.type)}`,
        sql: [`ALTER TABLE ${t} ALTER COLUMN ${col} TYPE ${renderType(column.type)}${using}`],
        ...(change === 'widen' || settled
          ? {}
          : {
              risk:
                change === 'narrow'
                  ? {
                      kind: 'destructiveIfRows' as const,
                      reason: `values that do not fit ${renderType(column.type)} would be cut or rejected`,
                      countSql: narrowCountSql(live.name, found.name, column),
                    }
                  : {
                      kind: 'destructive' as const,
                      reason: `every value must be converted from ${from}`,
                      countSql: `SELECT count(${q(found.name)}) AS count FROM ${q(live.name)}`,
                    },
            }),
      });
    }
    if (defaultSignature(column.default) !== found.tag?.default) {
      steps.push({
        op: 'setDefault',
        table: table.name,
        summary: `${column.default ? 'set' : 'drop'} default of ${table.name}.${column.name}`,
        sql: [
          `ALTER TABLE ${t} ALTER COLUMN ${col} ${column.default ? `SET DEFAULT ${renderDefault(column.default)}` : 'DROP DEFAULT'}`,
          commentOnColumn(table.name, column),
        ],
      });
    }
    if (found.nullable && !column.nullable) {
      const backfill = column.default ? [`UPDATE ${t} SET ${col} = ${renderDefault(column.default)} WHERE ${col} IS NULL`] : [];
      steps.push({
        op: 'setNotNull',
        table: table.name,
        summary: `make ${table.name}.${column.name} required${backfill.length ? ' (empty values get the default)' : ''}`,
        sql: [...backfill, `ALTER TABLE ${t} ALTER COLUMN ${col} SET NOT NULL`],
        risk: backfill.length
          ? {
              kind: 'rewritesRows',
              reason: 'rows without a value are given the field default',
              countSql: `SELECT count(*) AS count FROM ${q(live.name)} WHERE ${q(found.name)} IS NULL`,
            }
          : {
              kind: 'blockedIfRows',
              reason: 'rows without a value exist and the field has no default to fill them',
              countSql: `SELECT count(*) AS count FROM ${q(live.name)} WHERE ${q(found.name)} IS NULL`,
            },
      });
    } else if (!found.nullable && column.nullable) {
      steps.push({
        op: 'dropNotNull',
        table: table.name,
        summary: `make ${table.name}.${column.name} optional`,
        sql: [`ALTER TABLE ${t} ALTER COLUMN ${col} DROP NOT NULL`],
      });
    }
  }
  if (deferredRenames.length) {
    steps.push({
      op: 'finishRename',
      table: table.name,
      summary: `give the renamed columns of ${table.name} their new names`,
      sql: deferredRenames,
    });
  }
  for (const c of live.columns) {
    if (c.tag && !wanted.has(c.tag.key)) {
      steps.push({
        op: 'dropColumn',
        table: table.name,
        summary: `drop column ${table.name}.${c.name}`,
        sql: [`ALTER TABLE ${t} DROP COLUMN ${q(c.name)}`],
        risk: {
          kind: 'destructive',
          reason: 'the column and its values would be deleted',
          countSql: `SELECT count(${q(c.name)}) AS count FROM ${q(live.name)}`,
        },
      });
    }
  }
  return steps;
}

function foreignKeySteps(table: DesiredTable, live: CatalogTable | undefined, renamedTables: ReadonlyMap<string, string>): PlanStep[] {
  const steps: PlanStep[] = [];
  const liveColumnName = new Map<string, string>();
  for (const c of live?.columns ?? []) if (c.tag) liveColumnName.set(c.tag.key, c.name);
  const keep = new Set<string>();
  for (const column of table.columns) {
    const ref = column.references;
    if (!ref) continue;
    const oldName = liveColumnName.get(column.key);
    const existing = oldName ? live?.foreignKeys.find((fk) => fk.column === oldName) : undefined;
    const refNow = existing ? (renamedTables.get(existing.refTable) ?? existing.refTable) : undefined;
    if (existing && refNow === ref.table && existing.onDelete === ref.onDelete) {
      keep.add(existing.name);
      // A renamed column or table keeps its key under the old name; rename it so the old name is free again.
      const wantedName = fkName(table.name, column.name);
      if (existing.name !== wantedName) {
        steps.push({
          op: 'renameConstraint',
          table: table.name,
          summary: `rename foreign key ${existing.name} to ${wantedName}`,
          sql: [`ALTER TABLE ${q(table.name)} RENAME CONSTRAINT ${q(existing.name)} TO ${q(wantedName)}`],
        });
      }
      continue;
    }
    if (existing) {
      keep.add(existing.name);
      steps.push({
        op: 'dropForeignKey',
        table: table.name,
        summary: `drop foreign key ${existing.name}`,
        sql: [`ALTER TABLE ${q(live?.name ?? table.name)} DROP CONSTRAINT ${q(existing.name)}`],
      });
    }
    const name = fkName(table.name, column.name);
    steps.push({
      op: 'addForeignKey',
      table: table.name,
      summary: `add foreign key ${table.name}.${column.name} -> ${ref.table}.${ref.column} (on delete ${ref.onDelete})`,
      sql: [addForeignKeySql(table.name, name, column.name, ref)],
    });
  }
  // Keys on columns that stay but no longer reference anything are dropped; keys on dropped columns go with them.
  const wantedKeys = new Set(table.columns.map((c) => c.key));
  for (const fk of live?.foreignKeys ?? []) {
    const col = live?.columns.find((c) => c.name === fk.column);
    if (keep.has(fk.name) || !col?.tag || !wantedKeys.has(col.tag.key)) continue;
    steps.push({
      op: 'dropForeignKey',
      table: table.name,
      summary: `drop foreign key ${fk.name}`,
      sql: [`ALTER TABLE ${q(live?.name ?? table.name)} DROP CONSTRAINT ${q(fk.name)}`],
    });
  }
  return steps;
}

function indexSteps(table: DesiredTable, live: CatalogTable | undefined, rules: KindsAndOperators): PlanStep[] {
  const steps: PlanStep[] = [];
  const liveByKey = new Map((live?.indexes ?? []).filter((i) => i.tag).map((i) => [i.tag?.key ?? '', i]));
  const wanted = new Set(table.indexes.map((i) => i.key));
  for (const index of table.indexes) {
    const found = liveByKey.get(index.key);
    if (found && found.tag?.sig === indexSignature(index, table.columns)) {
      if (found.name !== index.name) {
        steps.push({
          op: 'renameIndex',
          table: table.name,
          summary: `rename index ${found.name} to ${index.name}`,
          sql: [`ALTER INDEX ${q(found.name)} RENAME TO ${q(index.name)}`],
        });
      }
      continue;
    }
    if (found)
      steps.push({
        op: 'dropIndex',
        table: table.name,
        summary: `drop index ${found.name} (definition changed)`,
        sql: [`DROP INDEX ${q(found.name)}`],
      });
    steps.push(addIndexStep(table, index, rules));
  }
  for (const i of live?.indexes ?? []) {
    if (i.tag && !wanted.has(i.tag.key))
      steps.push({ op: 'dropIndex', table: table.name, summary: `drop index ${i.name}`, sql: [`DROP INDEX ${q(i.name)}`] });
  }
  return steps;
}

/** `rules`: the engine's kinds and operators (plugins included), for partial-index conditions. */
export function planSchema(catalog: Catalog, model: Model, rules: KindsAndOperators): SchemaPlan {
  const steps: PlanStep[] = [];
  const liveByKey = new Map<string, CatalogTable>();
  for (const t of catalog.tables) if (t.tag) liveByKey.set(t.tag.key, t);
  const desired = desiredTables(model);
  const wanted = new Set(desired.map((t) => t.key));
  const renamedTables = new Map<string, string>();
  for (const table of desired) {
    const live = liveByKey.get(table.key);
    if (live && live.name !== table.name) renamedTables.set(live.name, table.name);
  }
  for (const table of desired) {
    const live = liveByKey.get(table.key);
    const sameName = catalog.tables.find((t) => t.name === table.name);
    if (sameName && sameName !== live && !(sameName.tag && renamedTables.has(sameName.name))) {
      throw new EngineError(
        'schema.conflict',
        409,
        sameName.tag
          ? `table ${table.name} still holds another entity (${sameName.tag.key}); remove or rename that one first`
          : `table ${table.name} already exists and is not managed by Tessera`,
      );
    }
    if (!live) {
      steps.push(...createTableSteps(table));
    } else {
      if (live.name !== table.name) {
        steps.push({
          op: 'renameTable',
          table: table.name,
          summary: `rename table ${live.name} to ${table.name}`,
          // The primary key keeps its old name otherwise, and a new table with the old name could not take it.
          sql: [
            `ALTER TABLE ${q(live.name)} RENAME TO ${q(table.name)}`,
            `ALTER INDEX IF EXISTS ${q(physicalName(live.name, 'pkey'))} RENAME TO ${q(physicalName(table.name, 'pkey'))}`,
          ],
        });
      }
      steps.push(...columnSteps(table, live));
    }
    steps.push(...foreignKeySteps(table, live, renamedTables));
    steps.push(...indexSteps(table, live, rules));
  }
  for (const live of catalog.tables) {
    if (live.tag && !wanted.has(live.tag.key)) {
      steps.push({
        op: 'dropTable',
        table: live.name,
        summary: `drop table ${live.name}`,
        sql: [`DROP TABLE ${q(live.name)}`],
        risk: {
          kind: 'destructive',
          reason: 'the table and all its rows would be deleted',
          countSql: `SELECT count(*) AS count FROM ${q(live.name)}`,
        },
      });
    }
  }
  const ordered = PHASES.flatMap((phase) => steps.filter((s) => s.op === phase));
  return { modelHash: model.hash, steps: orderDrops(ordered, catalog) };
}

/** Dropped tables go referencing-first, so no DROP meets a foreign key from a table still standing. */
function orderDrops(steps: PlanStep[], catalog: Catalog): PlanStep[] {
  const drops = steps.filter((s) => s.op === 'dropTable');
  if (drops.length < 2) return steps;
  const dropping = new Set(drops.map((d) => d.table));
  const refs = new Map(
    catalog.tables.map((t) => [t.name, t.foreignKeys.map((fk) => fk.refTable).filter((r) => r !== t.name && dropping.has(r))]),
  );
  const out: PlanStep[] = [];
  const placed = new Set<string>();
  const place = (step: PlanStep, seen: Set<string>): void => {
    if (placed.has(step.table) || seen.has(step.table)) return;
    seen.add(step.table);
    // Tables that point at this one are dropped before it.
    for (const other of drops) if ((refs.get(other.table) ?? []).includes(step.table)) place(other, seen);
    placed.add(step.table);
    out.push(step);
  };
  for (const d of drops) place(d, new Set());
  return [...steps.filter((s) => s.op !== 'dropTable'), ...out];
}
