// What the UIs need to know about one entity, in one locale: fields, relations, schemas, default uiSchema.
import type { EntityRuntime, ModelRuntime } from '../data/entity-runtime.js';
import type { Label } from '../metadata/model.js';
import type { ActionDef } from '../plugins/plugin-api.js';
import { buildDefaultUiSchema } from './ui-schema.js';

const text = (label: Label | undefined, locale: string) => (label ? label[locale] ?? label.en : undefined);

export function buildEntityMeta(rt: EntityRuntime, runtime: ModelRuntime, locale: string, actions: readonly ActionDef[]) {
  const e = rt.entity;
  return {
    name: e.name,
    pack: e.pack,
    label: text(e.label, locale),
    pluralLabel: text(e.pluralLabel, locale),
    titleField: e.titleField ?? null,
    fields: e.fields.map((f) => ({
      name: f.name,
      kind: f.kind,
      label: text(f.label, locale),
      description: text(f.description, locale) ?? null,
      required: f.required,
      unique: f.unique,
      operators: [...runtime.operatorsFor(f.kind)],
      ...(f.target ? { target: f.target, cardinality: f.cardinality ?? 'belongsTo' } : {}),
      ...(f.values ? { values: f.values.map((v) => ({ value: v.value, label: text(v.label, locale), ...(v.color ? { color: v.color } : {}) })) } : {}),
      ...(f.default !== undefined ? { default: f.default } : {}),
    })),
    relations: e.inverses.map((i) => ({ name: i.name, kind: i.kind, label: text(i.label, locale), entity: i.sourceEntity, field: i.sourceField })),
    actions: actions.map((a) => ({ name: a.name, label: text(a.label as Label | undefined, locale) ?? a.name, input: a.input })),
    jsonSchema: rt.schemas,
    uiSchema: buildDefaultUiSchema(e, runtime.kinds, locale),
  };
}
