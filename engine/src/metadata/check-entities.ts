// Cross-reference checks the meta-schema cannot express: unique names and ids, relation targets,
// options that fit each field kind, valid defaults, PostgreSQL identifiers, index fields.
import type { Ajv2020 } from 'ajv/dist/2020.js';
import { createAjv } from '../shared/create-ajv.js';
import { pointer } from '../shared/json-pointer.js';
import { USER_ENTITY, type FieldKindRegistry } from './field-kinds.js';
import type { MetadataProblem } from './metadata-problem.js';
import { requiredClosure } from './order-packs.js';
import type { EntityFileSpec, FieldFileSpec, ValidPack } from './pack-spec.js';
import { RESERVED_WORDS } from './reserved-words.js';
import { SYSTEM_FIELD_NAMES, SYSTEM_TABLE_PREFIX } from './system-columns.js';

interface Located {
  pack: ValidPack;
  file: string;
  spec: EntityFileSpec;
}

type Report = (problem: { pointer: string; rule: string; message: string; field?: string }) => void;

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
    report({ pointer: at, rule: 'name.reserved_word', message: `${what} '${name}' is a PostgreSQL reserved word`, ...(field ? { field } : {}) });
  }
}

function checkField(
  field: FieldFileSpec,
  at: string,
  entity: Located,
  entities: ReadonlyMap<string, Located>,
  kinds: FieldKindRegistry,
  closure: ReadonlySet<string>,
  report: Report,
  brokenEntities: ReadonlySet<string>,
  ajv: Ajv2020,
): void {
  const r: Report = (p) => report({ ...p, field: field.name });
  const kind = kinds.get(field.kind);
  if (!kind) {
    r({ pointer: `${at}/kind`, rule: 'field.unknown_kind', message: `unknown field kind '${field.kind}'; known kinds: ${[...kinds.keys()].join(', ')}` });
    return;
  }
  checkName(field.name, 'field name', `${at}/name`, report, field.name);
  if (SYSTEM_FIELD_NAMES.has(field.name)) {
    r({ pointer: `${at}/name`, rule: 'field.system_name', message: `'${field.name}' is a system column every entity has` });
  }
  const allowed = new Set<string>(kind.options);
  const generic = new Set(['id', 'name', 'kind', 'label', 'description', 'required']);
  for (const key of Object.keys(field)) {
    if (!generic.has(key) && !allowed.has(key)) {
      r({ pointer: `${at}/${key}`, rule: 'field.option_not_allowed', message: `'${key}' does not apply to a ${field.kind} field` });
    }
  }
  if ((field.kind === 'enum' || field.kind === 'multienum')) {
    if (!field.values) r({ pointer: at, rule: 'field.values_required', message: `a ${field.kind} field needs 'values'` });
    const seen = new Set<string>();
    (field.values ?? []).forEach((v, i) => {
      if (seen.has(v.value)) r({ pointer: `${at}/values/${i}/value`, rule: 'field.duplicate_value', message: `value '${v.value}' appears twice` });
      seen.add(v.value);
    });
  }
  if (field.scale !== undefined && field.scale > (field.precision ?? 18)) {
    r({ pointer: `${at}/scale`, rule: 'field.scale_exceeds_precision', message: `scale ${field.scale} is larger than precision ${field.precision ?? 18}` });
  }
  if (field.minLength !== undefined && field.maxLength !== undefined && field.minLength > field.maxLength) {
    r({ pointer: `${at}/minLength`, rule: 'field.min_exceeds_max', message: 'minLength is larger than maxLength' });
  }
  if (typeof field.min === 'number' && typeof field.max === 'number' && field.min > field.max) {
    r({ pointer: `${at}/min`, rule: 'field.min_exceeds_max', message: 'min is larger than max' });
  }
  if (field.kind === 'relation') {
    if (!field.target) {
      r({ pointer: at, rule: 'relation.target_required', message: "a relation field needs 'target'" });
    } else {
      const target = entities.get(field.target);
      if (!target && brokenEntities.has(field.target)) {
        // Already reported in the target's own file.
      } else if (!target) {
        r({ pointer: `${at}/target`, rule: 'relation.unknown_target', message: `target entity '${field.target}' does not exist` });
      } else if (target.pack !== entity.pack && !closure.has(target.pack.manifest.name)) {
        r({ pointer: `${at}/target`, rule: 'relation.target_not_required', message: `target '${field.target}' belongs to pack '${target.pack.manifest.name}', which this pack does not require` });
      }
    }
    if (field.cardinality === 'manyToMany' && (field.required || field.onDelete)) {
      r({ pointer: at, rule: 'relation.many_to_many_option', message: "'required' and 'onDelete' do not apply to a manyToMany relation" });
    }
  }
  if (field.kind === 'user' && !entities.has(USER_ENTITY)) {
    r({ pointer: `${at}/kind`, rule: 'field.user_entity_missing', message: `a user field needs the '${USER_ENTITY}' entity (install the core pack)` });
  }
  if (field.onDelete === 'setNull' && field.required) {
    r({ pointer: `${at}/onDelete`, rule: 'relation.set_null_required', message: "onDelete 'setNull' cannot apply to a required field" });
  }
  if (field.default !== undefined) {
    const schema = kind.valueSchema({ ...field, required: field.required ?? false, unique: field.unique ?? false });
    const valid = ajv.compile(stripCustomKeywords(schema));
    const value = field.kind === 'datetime' && field.default === 'now' ? new Date().toISOString() : field.default;
    if (!valid(value)) {
      r({ pointer: `${at}/default`, rule: 'field.invalid_default', message: `default ${JSON.stringify(field.default)} is not a valid ${field.kind} value: ${valid.errors?.[0]?.message ?? 'invalid'}` });
    }
  }
}

/** decimalMin/decimalMax are checked by the record validator, not needed to judge a default's shape. */
function stripCustomKeywords(schema: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema, (key, value: unknown) => (key === 'decimalMin' || key === 'decimalMax' ? undefined : value))) as Record<string, unknown>;
}

export function checkEntities(
  packs: readonly ValidPack[], kinds: FieldKindRegistry, problems: MetadataProblem[], brokenEntities: ReadonlySet<string> = new Set(),
): void {
  // One compiler for every default: building an Ajv instance costs tens of milliseconds.
  const ajv = createAjv();
  const entities = new Map<string, Located>();
  const ids = new Map<string, Located>();
  for (const pack of packs) {
    for (const { file, spec } of pack.entities) {
      const report: Report = (p) => problems.push({ file, pack: pack.manifest.name, entity: spec.name, ...p });
      const other = entities.get(spec.name);
      if (other) report({ pointer: '/name', rule: 'entity.duplicate_name', message: `entity '${spec.name}' is also defined in ${other.file}` });
      const otherId = ids.get(spec.id);
      if (otherId) report({ pointer: '/id', rule: 'entity.duplicate_id', message: `id '${spec.id}' is also used by entity '${otherId.spec.name}' in ${otherId.file}` });
      if (spec.name.startsWith(SYSTEM_TABLE_PREFIX)) report({ pointer: '/name', rule: 'entity.system_prefix', message: `entity names may not start with '${SYSTEM_TABLE_PREFIX}'` });
      checkName(spec.name, 'entity name', '/name', report);
      entities.set(spec.name, { pack, file, spec });
      ids.set(spec.id, { pack, file, spec });
    }
  }
  // Inverse names land on the target entity, so they are collected before fields are checked.
  const inverseNames = new Map<string, Map<string, string>>();
  for (const { pack, file, spec } of entities.values()) {
    spec.fields.forEach((f, i) => {
      if (f.kind !== 'relation' || !f.target) return;
      const name = f.inverse?.name ?? `${spec.name}_by_${f.name}`;
      const names = inverseNames.get(f.target) ?? new Map<string, string>();
      const clash = names.get(name);
      if (clash) {
        problems.push({ file, pack: pack.manifest.name, entity: spec.name, field: f.name, pointer: pointer('fields', i, 'inverse'), rule: 'relation.duplicate_inverse', message: `inverse name '${name}' on '${f.target}' is also used by relation ${clash}` });
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
    spec.fields.forEach((field, i) => {
      const at = pointer('fields', i);
      if (names.has(field.name)) report({ pointer: `${at}/name`, rule: 'field.duplicate_name', message: `field '${field.name}' is also at /fields/${names.get(field.name)}`, field: field.name });
      if (fieldIds.has(field.id)) report({ pointer: `${at}/id`, rule: 'field.duplicate_id', message: `field id '${field.id}' is also used at /fields/${fieldIds.get(field.id)}`, field: field.name });
      names.set(field.name, i);
      fieldIds.set(field.id, i);
      const inverseOwner = inverseNames.get(spec.name)?.get(field.name);
      if (inverseOwner) report({ pointer: `${at}/name`, rule: 'field.clashes_with_inverse', message: `'${field.name}' is also the inverse of relation ${inverseOwner}`, field: field.name });
      checkField(field, at, entity, entities, kinds, closure, report, brokenEntities, ajv);
      const kind = kinds.get(field.kind);
      if (!kind) return;
      for (const col of kind.columns({ ...field, required: false, unique: false, label: field.label } as Parameters<typeof kind.columns>[0])) {
        const owner = columns.get(col.name);
        if (owner && owner !== field.name) report({ pointer: `${at}/name`, rule: 'field.column_clash', message: `column '${col.name}' of this field is also a column of field '${owner}'`, field: field.name });
        if (SYSTEM_FIELD_NAMES.has(col.name) && col.name !== field.name) report({ pointer: `${at}/name`, rule: 'field.column_clash', message: `column '${col.name}' is a system column`, field: field.name });
        columns.set(col.name, field.name);
      }
    });
    const fieldByName = new Map(spec.fields.map((f) => [f.name, f]));
    if (spec.titleField && !fieldByName.has(spec.titleField)) {
      report({ pointer: '/titleField', rule: 'entity.unknown_field', message: `titleField '${spec.titleField}' is not a field of this entity` });
    }
    for (const role of ['ownerField', 'orgUnitField'] as const) {
      const name = spec.ownership?.[role];
      if (!name) continue;
      const f = fieldByName.get(name);
      if (!f) report({ pointer: `/ownership/${role}`, rule: 'entity.unknown_field', message: `${role} '${name}' is not a field of this entity` });
      else if (f.kind !== 'user' && !(f.kind === 'relation' && f.cardinality !== 'manyToMany')) {
        report({ pointer: `/ownership/${role}`, rule: 'entity.ownership_kind', message: `${role} '${name}' must be a user or belongsTo relation field` });
      }
    }
    const indexNames = new Set<string>();
    const indexIds = new Set<string>();
    (spec.indexes ?? []).forEach((index, i) => {
      const at = pointer('indexes', i);
      if (indexNames.has(index.name)) report({ pointer: `${at}/name`, rule: 'index.duplicate_name', message: `index '${index.name}' is declared twice` });
      if (indexIds.has(index.id)) report({ pointer: `${at}/id`, rule: 'index.duplicate_id', message: `index id '${index.id}' is declared twice` });
      indexNames.add(index.name);
      indexIds.add(index.id);
      index.fields.forEach((key, k) => {
        const name = key.replace(/^-/, '');
        const f = fieldByName.get(name);
        if (!f && !SYSTEM_FIELD_NAMES.has(name)) {
          report({ pointer: `${at}/fields/${k}`, rule: 'index.unknown_field', message: `'${name}' is not a field of this entity` });
        } else if (f && (f.cardinality === 'manyToMany' || f.kind === 'json' || f.kind === 'multienum')) {
          report({ pointer: `${at}/fields/${k}`, rule: 'index.unindexable_field', message: `a ${f.kind}${f.cardinality === 'manyToMany' ? ' manyToMany' : ''} field cannot be an index key` });
        }
      });
      if (index.where !== undefined) {
        const vars: string[] = [];
        collectVars(index.where, vars);
        for (const v of vars) {
          const head = v.split('.')[0] ?? v;
          if (!fieldByName.has(head) && !SYSTEM_FIELD_NAMES.has(head)) {
            report({ pointer: `${at}/where`, rule: 'index.unknown_field', message: `condition refers to '${v}', which is not a field of this entity` });
          } else if (v.includes('.') && fieldByName.get(head)?.kind !== 'currency') {
            report({ pointer: `${at}/where`, rule: 'index.relation_path', message: `a partial-index condition may only use this entity's own columns, not '${v}'` });
          }
        }
      }
    });
  }
}
