// Cross-reference checks the meta-schema cannot express: unique names and ids, PostgreSQL identifiers,
// column clashes, ownership and index fields; each field's own checks are in check-field.ts.
import { createAjv } from '../shared/create-ajv.js';
import { addDecimalKeywords } from '../shared/decimal-keywords.js';
import { pointer } from '../shared/json-pointer.js';
import { checkApprovalFlows } from './check-approval-flows.js';
import { checkPublicForms } from './check-public-forms.js';
import { checkAssignment } from './check-assignment.js';
import { checkSchedule } from './check-schedule.js';
import { checkField } from './check-field.js';
import type { Report } from './check-report.js';
import { checkNumbering } from './check-numbering.js';
import { checkReminders } from './check-reminders.js';
import type { FieldKindRegistry } from './field-kinds.js';
import type { MetadataProblem } from './metadata-problem.js';
import { requiredClosure } from './order-packs.js';
import type { EntityFileSpec, ValidPack } from './pack-spec.js';
import { RESERVED_WORDS } from './reserved-words.js';
import { SYSTEM_FIELD_NAMES, SYSTEM_TABLE_PREFIX } from './system-columns.js';
import { isTextColumns } from './text-columns.js';

interface Located {
  pack: ValidPack;
  file: string;
  spec: EntityFileSpec;
}

function collectVars(logic: unknown, out: string[]): void {
  if (Array.isArray(logic)) logic.forEach((l) => collectVars(l, out));
  else if (logic && typeof logic === 'object') {
    for (const [op, args] of Object.entries(logic)) {
      if (op === 'var') {
        const path = Array.isArray(args) ? args[0] : args;
        if (typeof path === 'string') out.push(path);
      } else collectVars(args, out);
    }
  }
}

function checkName(name: string, what: string, at: string, report: Report, field?: string): void {
  if (RESERVED_WORDS.has(name)) {
    report({
      pointer: at,
      rule: 'name.reserved_word',
      message: `${what} '${name}' is a PostgreSQL reserved word`,
      ...(field ? { field } : {}),
    });
  }
}

export function checkEntities(
  packs: readonly ValidPack[],
  kinds: FieldKindRegistry,
  problems: MetadataProblem[],
  brokenEntities: ReadonlySet<string> = new Set(),
): void {
  const ajv = addDecimalKeywords(createAjv());
  const entities = new Map<string, Located>();
  const ids = new Map<string, Located>();
  for (const pack of packs) {
    for (const { file, spec } of pack.entities) {
      const report: Report = (p) => problems.push({ file, pack: pack.manifest.name, entity: spec.name, ...p });
      const other = entities.get(spec.name);
      if (other)
        report({ pointer: '/name', rule: 'entity.duplicate_name', message: `entity '${spec.name}' is also defined in ${other.file}` });
      const otherId = ids.get(spec.id);
      if (otherId)
        report({
          pointer: '/id',
          rule: 'entity.duplicate_id',
          message: `id '${spec.id}' is also used by entity '${otherId.spec.name}' in ${otherId.file}`,
        });
      if (spec.name.startsWith(SYSTEM_TABLE_PREFIX))
        report({ pointer: '/name', rule: 'entity.system_prefix', message: `entity names may not start with '${SYSTEM_TABLE_PREFIX}'` });
      checkName(spec.name, 'entity name', '/name', report);
      entities.set(spec.name, { pack, file, spec });
      ids.set(spec.id, { pack, file, spec });
    }
  }
  // Inverse names land on the target entity, so they are collected before fields are checked.
  const inverseNames = new Map<string, Map<string, string>>();
  for (const { pack, file, spec } of entities.values()) {
    spec.fields.forEach((f, i) => {
      if (!kinds.get(f.kind)?.reference?.hasInverse || !f.target) return;
      const name = f.inverse?.name ?? `${spec.name}_by_${f.name}`;
      const names = inverseNames.get(f.target) ?? new Map<string, string>();
      const clash = names.get(name);
      if (clash) {
        problems.push({
          file,
          pack: pack.manifest.name,
          entity: spec.name,
          field: f.name,
          pointer: pointer('fields', i, 'inverse'),
          rule: 'relation.duplicate_inverse',
          message: `inverse name '${name}' on '${f.target}' is also used by relation ${clash}`,
        });
      }
      names.set(name, `${spec.name}.${f.name}`);
      inverseNames.set(f.target, names);
    });
  }
  for (const entity of entities.values()) {
    const { pack, file, spec } = entity;
    const report: Report = (p) => problems.push({ file, pack: pack.manifest.name, entity: spec.name, ...p });
    const closure = requiredClosure(packs, pack.manifest.name);
    const names = new Map<string, number>();
    const fieldIds = new Map<string, number>();
    const columns = new Map<string, string>();
    const textFields = new Set<string>();
    spec.fields.forEach((field, i) => {
      const at = pointer('fields', i);
      if (names.has(field.name))
        report({
          pointer: `${at}/name`,
          rule: 'field.duplicate_name',
          message: `field '${field.name}' is also at /fields/${names.get(field.name)}`,
          field: field.name,
        });
      if (fieldIds.has(field.id))
        report({
          pointer: `${at}/id`,
          rule: 'field.duplicate_id',
          message: `field id '${field.id}' is also used at /fields/${fieldIds.get(field.id)}`,
          field: field.name,
        });
      names.set(field.name, i);
      fieldIds.set(field.id, i);
      const inverseOwner = inverseNames.get(spec.name)?.get(field.name);
      if (inverseOwner)
        report({
          pointer: `${at}/name`,
          rule: 'field.clashes_with_inverse',
          message: `'${field.name}' is also the inverse of relation ${inverseOwner}`,
          field: field.name,
        });
      checkName(field.name, 'field name', `${at}/name`, report, field.name);
      if (SYSTEM_FIELD_NAMES.has(field.name)) {
        report({
          pointer: `${at}/name`,
          rule: 'field.system_name',
          message: `'${field.name}' is a system column every entity has`,
          field: field.name,
        });
      }
      const kind = checkField(field, at, { pack, entities, closure, brokenEntities, kinds, ajv }, (p) =>
        report({ ...p, field: field.name }),
      );
      if (!kind) return;
      if (field.numbering && kind.options.includes('numbering')) {
        const numbering = { entity: spec, entityNamed: (name: string) => entities.get(name)?.spec, kinds };
        checkNumbering(field, at, numbering, (p) => report({ ...p, field: field.name }));
      }
      const plain = { ...field, required: false, unique: false };
      const fieldColumns = kind.columns({ ...plain, ...kind.implied?.(plain) });
      if (isTextColumns(fieldColumns)) textFields.add(field.name);
      for (const col of fieldColumns) {
        const owner = columns.get(col.name);
        if (owner && owner !== field.name)
          report({
            pointer: `${at}/name`,
            rule: 'field.column_clash',
            message: `column '${col.name}' of this field is also a column of field '${owner}'`,
            field: field.name,
          });
        if (SYSTEM_FIELD_NAMES.has(col.name) && col.name !== field.name)
          report({
            pointer: `${at}/name`,
            rule: 'field.column_clash',
            message: `column '${col.name}' is a system column`,
            field: field.name,
          });
        columns.set(col.name, field.name);
      }
    });
    const fieldByName = new Map(spec.fields.map((f) => [f.name, f]));
    if (spec.titleField && !fieldByName.has(spec.titleField)) {
      report({
        pointer: '/titleField',
        rule: 'entity.unknown_field',
        message: `titleField '${spec.titleField}' is not a field of this entity`,
      });
    }
    (spec.searchFields ?? []).forEach((name, i) => {
      const field = fieldByName.get(name);
      if (!field) {
        report({
          pointer: `/searchFields/${i}`,
          rule: 'entity.unknown_field',
          message: `searchFields names '${name}', not a field of this entity`,
        });
      } else if (!textFields.has(name)) {
        report({
          pointer: `/searchFields/${i}`,
          rule: 'search.not_text',
          message: `search finds records by text: '${name}' is a ${field.kind} field`,
        });
      }
    });
    for (const role of ['ownerField', 'orgUnitField'] as const) {
      const name = spec.ownership?.[role];
      if (!name) continue;
      const f = fieldByName.get(name);
      if (!f)
        report({ pointer: `/ownership/${role}`, rule: 'entity.unknown_field', message: `${role} '${name}' is not a field of this entity` });
      else if (!kinds.get(f.kind)?.reference || f.cardinality === 'manyToMany') {
        report({
          pointer: `/ownership/${role}`,
          rule: 'entity.ownership_kind',
          message: `${role} '${name}' must be a user or belongsTo relation field`,
        });
      }
    }
    checkParentField(spec, fieldByName, report);
    checkAssignment(spec, kinds, report);
    checkSchedule(spec.assignment?.pool?.returnSchedule, '/assignment/pool/returnSchedule', report);
    if (spec.assignment?.pool?.returnSchedule && spec.assignment.pool.returnAfterDays === undefined) {
      report({
        pointer: '/assignment/pool/returnSchedule',
        rule: 'assignment.schedule_without_days',
        message: 'returnSchedule needs returnAfterDays: it says when records without activity for that many days go back',
      });
    }
    checkSchedule(spec.recomputeSchedule, '/recomputeSchedule', report);
    const scheduledNames = new Set<string>();
    (spec.scheduledActions ?? []).forEach((a, i) => {
      checkSchedule(a.schedule, `/scheduledActions/${i}/schedule`, report);
      if (scheduledNames.has(a.name))
        report({
          pointer: `/scheduledActions/${i}/name`,
          rule: 'schedule.duplicate_name',
          message: `another scheduled action is named ${a.name}`,
        });
      scheduledNames.add(a.name);
    });
    checkReminders(spec, kinds, report);
    checkApprovalFlows(spec, kinds, report);
    checkPublicForms(spec, kinds, report);
    const indexNames = new Set<string>();
    const indexIds = new Set<string>();
    (spec.indexes ?? []).forEach((index, i) => {
      const at = pointer('indexes', i);
      if (indexNames.has(index.name))
        report({ pointer: `${at}/name`, rule: 'index.duplicate_name', message: `index '${index.name}' is declared twice` });
      if (indexIds.has(index.id))
        report({ pointer: `${at}/id`, rule: 'index.duplicate_id', message: `index id '${index.id}' is declared twice` });
      indexNames.add(index.name);
      indexIds.add(index.id);
      index.fields.forEach((key, k) => {
        const name = key.replace(/^-/, '');
        const f = fieldByName.get(name);
        if (!f && !SYSTEM_FIELD_NAMES.has(name)) {
          report({ pointer: `${at}/fields/${k}`, rule: 'index.unknown_field', message: `'${name}' is not a field of this entity` });
        } else if (f && (f.cardinality === 'manyToMany' || kinds.get(f.kind)?.indexable === false)) {
          report({
            pointer: `${at}/fields/${k}`,
            rule: 'index.unindexable_field',
            message: `a ${f.kind}${f.cardinality === 'manyToMany' ? ' manyToMany' : ''} field cannot be an index key`,
          });
        }
      });
      if (index.where !== undefined) {
        const vars: string[] = [];
        collectVars(index.where, vars);
        for (const v of vars) {
          const head = v.split('.')[0] ?? v;
          if (!fieldByName.has(head) && !SYSTEM_FIELD_NAMES.has(head)) {
            report({
              pointer: `${at}/where`,
              rule: 'index.unknown_field',
              message: `condition refers to '${v}', which is not a field of this entity`,
            });
          } else if (
            v.includes('.') &&
            !Object.hasOwn(kinds.get(fieldByName.get(head)?.kind ?? '')?.subPaths ?? {}, v.slice(head.length + 1))
          ) {
            report({
              pointer: `${at}/where`,
              rule: 'index.relation_path',
              message: `a partial-index condition may only use this entity's own columns, not '${v}'`,
            });
          }
        }
      }
    });
  }
}

/**
 * A parent whose scope reaches the record: a required belongsTo relation to another entity. The chain of parents is
 * followed by the access rules, so it may not come back to this entity (checked here by name, before compiling).
 */
function checkParentField(spec: EntityFileSpec, fieldByName: ReadonlyMap<string, EntityFileSpec['fields'][number]>, report: Report): void {
  const name = spec.ownership?.parentField;
  if (!name) return;
  const f = fieldByName.get(name) as (EntityFileSpec['fields'][number] & { target?: string; cardinality?: string }) | undefined;
  const at = '/ownership/parentField';
  if (!f) report({ pointer: at, rule: 'entity.unknown_field', message: `parentField '${name}' is not a field of this entity` });
  else if (f.kind !== 'relation' || f.cardinality === 'manyToMany' || !f.target || f.target === spec.name || !f.required)
    report({
      pointer: at,
      rule: 'entity.ownership_parent',
      message: `parentField '${name}' must be a required belongsTo relation to another entity`,
    });
  else if (spec.ownership?.ownerField || spec.ownership?.orgUnitField)
    report({ pointer: at, rule: 'entity.ownership_parent', message: 'a record is owned, or controlled by its parent, not both' });
}
