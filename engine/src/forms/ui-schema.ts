// Model -> default rjsf uiSchema of an entity: field order, widgets from the field-kind table, i18n titles.
// Layout metadata (a later issue) will override this default; the default always exists.
import type { FieldKindRegistry } from '../metadata/field-kinds.js';
import type { EntityDef } from '../metadata/model.js';

export type UiSchema = Record<string, unknown>;

export function buildDefaultUiSchema(entity: EntityDef, kinds: FieldKindRegistry, locale: string): UiSchema {
  const ui: UiSchema = { 'ui:order': [...entity.fields.map((f) => f.name), '*'] };
  for (const field of entity.fields) {
    const kind = kinds.get(field.kind);
    ui[field.name] = {
      'ui:title': field.label[locale] ?? field.label.en,
      ...(field.description ? { 'ui:description': field.description[locale] ?? field.description.en } : {}),
      ...(kind?.widget ? { 'ui:widget': kind.widget } : {}),
      ...kind?.uiOptions?.(field, locale),
    };
  }
  return ui;
}
