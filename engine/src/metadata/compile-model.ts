// Compiles checked packs into the one immutable, hashed Model. Pure: no I/O.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../shared/canonical-json.js';
import { deepFreeze } from '../shared/deep-freeze.js';
import { compileAssignment } from './assignment.js';
import { DEFAULT_CRON_TZ } from '../shared/cron.js';
import { compileReminder } from './reminder.js';
import { kindOf, type FieldKindRegistry } from './field-kinds.js';
import type { ColumnDef, EntityDef, FieldDef, IndexDef, InverseRelationDef, Model, PackInfo } from './model.js';
import type { EntityFileSpec, FieldFileSpec, ValidPack } from './pack-spec.js';
import { physicalName } from './physical-name.js';
import { SYSTEM_COLUMNS } from './system-columns.js';
import { compileUi } from './compile-ui.js';

function compileField(entity: EntityFileSpec, spec: FieldFileSpec, kinds: FieldKindRegistry): FieldDef {
  const kind = kindOf(kinds, spec);
  // A number identifies its record: numbered fields are unique whether or not the pack says so.
  const plain = { ...spec, required: spec.required ?? false, unique: (spec.unique ?? false) || spec.numbering !== undefined };
  const base = { ...plain, ...kind.implied?.(plain) };
  // A number is drawn when its record is saved, after the INSERT (see numbering-steps.ts): its column holds NULL until then.
  const columns = spec.numbering === undefined ? kind.columns(base) : kind.columns(base).map((c) => ({ ...c, nullable: true }));
  if (kind.reference && base.cardinality === 'manyToMany' && base.target) {
    const table = physicalName(entity.name, spec.name);
    return {
      ...base,
      columns,
      junction: {
        key: `${spec.id}#junction`,
        table,
        sourceTable: entity.name,
        targetTable: base.target,
        sourceColumn: 'source_id',
        targetColumn: 'target_id',
      },
    };
  }
  return { ...base, columns };
}

function impliedIndexes(table: string, fields: readonly FieldDef[]): IndexDef[] {
  const out: IndexDef[] = [];
  for (const field of fields) {
    for (const col of field.columns) {
      if (col.references) {
        out.push({
          key: `${col.key}#index`,
          name: physicalName(table, col.name, 'idx'),
          table,
          keys: [{ column: col.name, descending: false }],
          unique: false,
          liveOnly: false,
        });
      }
    }
    if (field.unique && field.columns.length > 0) {
      out.push({
        key: `${field.id}#unique`,
        name: physicalName(table, field.name, 'key'),
        table,
        keys: field.columns.map((c) => ({ column: c.name, descending: false })),
        unique: true,
        // A number is never given twice, not even once its record is deleted: soft-deleted rows keep theirs.
        liveOnly: field.numbering === undefined,
      });
    }
  }
  return out;
}

function declaredIndexes(spec: EntityFileSpec, fields: readonly FieldDef[], kinds: FieldKindRegistry): IndexDef[] {
  const byName = new Map(fields.map((f) => [f.name, f]));
  const keyColumns = (name: string) => {
    const field = byName.get(name);
    if (!field) return [{ name }];
    const picked = kindOf(kinds, field).indexColumns;
    return picked ? picked.flatMap((i) => field.columns[i] ?? []) : field.columns;
  };
  return (spec.indexes ?? []).map((index) => ({
    key: `index#${index.id}`,
    name: physicalName(spec.name, index.name, 'idx'),
    table: spec.name,
    keys: index.fields.flatMap((key) => {
      const descending = key.startsWith('-');
      const name = descending ? key.slice(1) : key;
      return keyColumns(name).map((c) => ({ column: c.name, descending }));
    }),
    unique: index.unique ?? false,
    ...(index.where !== undefined ? { where: index.where } : {}),
    liveOnly: index.unique ?? false,
  }));
}

export function compileModel(packs: readonly ValidPack[], kinds: FieldKindRegistry): Model {
  const entities: EntityDef[] = [];
  for (const pack of packs) {
    for (const { file, spec } of pack.entities) {
      const fields = spec.fields.map((f) => compileField(spec, f, kinds));
      const columns: ColumnDef[] = [...SYSTEM_COLUMNS, ...fields.flatMap((f) => f.columns)];
      entities.push({
        id: spec.id,
        name: spec.name,
        table: spec.name,
        pack: pack.manifest.name,
        file,
        label: spec.label,
        pluralLabel: spec.pluralLabel ?? spec.label,
        ...(spec.description ? { description: spec.description } : {}),
        ...(spec.titleField ? { titleField: spec.titleField } : {}),
        ...(spec.searchFields ? { searchFields: spec.searchFields } : {}),
        ...(spec.ownership ? { ownership: spec.ownership } : {}),
        fields,
        inverses: [],
        indexes: [...impliedIndexes(spec.name, fields), ...declaredIndexes(spec, fields, kinds)],
        validationRules: (spec.validationRules ?? []).map((rule) => ({ ...rule, fields: rule.fields ?? [] })),
        columns,
        ...(spec.assignment && spec.ownership?.ownerField
          ? { assignment: compileAssignment(spec.assignment, spec.ownership.ownerField) }
          : {}),
        ...(spec.recomputeSchedule
          ? { recomputeSchedule: { cron: spec.recomputeSchedule.cron, tz: spec.recomputeSchedule.timeZone ?? DEFAULT_CRON_TZ } }
          : {}),
        ...(spec.reminders?.length ? { reminders: spec.reminders.map(compileReminder) } : {}),
        ...(spec.scheduledActions?.length
          ? {
              scheduledActions: spec.scheduledActions.map((a) => ({
                id: a.id,
                name: a.name,
                ...(a.label ? { label: a.label } : {}),
                action: a.action,
                schedule: { cron: a.schedule.cron, tz: a.schedule.timeZone ?? DEFAULT_CRON_TZ },
                ...(a.when !== undefined ? { when: a.when } : {}),
                input: a.input ?? {},
              })),
            }
          : {}),
        ...(spec.approvalFlows?.length ? { approvalFlows: spec.approvalFlows } : {}),
        ...(spec.publicForms?.length ? { publicForms: spec.publicForms } : {}),
        ...(spec.analytics ? { analytics: spec.analytics } : {}),
      });
    }
  }
  const inverses = new Map<string, InverseRelationDef[]>();
  for (const entity of entities) {
    for (const field of entity.fields) {
      if (!kinds.get(field.kind)?.reference?.hasInverse || !field.target) continue;
      const list = inverses.get(field.target) ?? [];
      list.push({
        name: field.inverse?.name ?? `${entity.name}_by_${field.name}`,
        label: field.inverse?.label ?? entity.pluralLabel,
        kind: field.cardinality === 'manyToMany' ? 'manyToMany' : 'hasMany',
        sourceEntity: entity.name,
        sourceField: field.name,
      });
      inverses.set(field.target, list);
    }
  }
  const withInverses = entities.map((e) => ({ ...e, inverses: inverses.get(e.name) ?? [] }));
  const packInfos: PackInfo[] = packs.map((p) => ({
    name: p.manifest.name,
    version: p.manifest.version,
    label: p.manifest.label,
    requires: p.manifest.requires ?? {},
    plugins: p.manifest.plugins ?? [],
    ...(p.manifest.schedules?.length
      ? {
          schedules: p.manifest.schedules.map((s) => ({
            id: s.id,
            job: s.job,
            schedule: { cron: s.schedule.cron, tz: s.schedule.timeZone ?? DEFAULT_CRON_TZ },
            payload: s.payload ?? {},
          })),
        }
      : {}),
    dir: p.dir,
  }));
  const ui = compileUi(packs);
  // Folder and file paths are where the packs happen to be, not what they say; they stay out of the hash.
  const withoutFile = <T extends { file?: string }>({ file: _file, ...rest }: T) => rest;
  const hashed = {
    packs: packInfos.map(({ dir: _dir, ...rest }) => rest),
    entities: withInverses.map(withoutFile),
    // Packs without UI documents keep the hash they had before the UI kinds existed.
    ...(ui.layouts.length + ui.listViews.length + ui.apps.length > 0
      ? {
          ui: {
            layouts: ui.layouts.map(withoutFile),
            listViews: ui.listViews.map(withoutFile),
            apps: ui.apps.map(withoutFile),
            // Packs without dashboards keep the hash they had before dashboards existed.
            ...(ui.dashboards.length > 0 ? { dashboards: ui.dashboards.map(withoutFile) } : {}),
          },
        }
      : ui.dashboards.length > 0
        ? { ui: { dashboards: ui.dashboards.map(withoutFile) } }
        : {}),
  };
  const hash = createHash('sha256').update(canonicalJson(hashed)).digest('hex');
  return deepFreeze({
    hash,
    packs: packInfos,
    entities: withInverses,
    entitiesByName: Object.fromEntries(withInverses.map((e) => [e.name, e])),
    ui,
  });
}
