// An entity's public forms checked against the entity (the meta-schema checked their shape): unique names and ids,
// fields that exist and that a person may fill in (stored, not computed, rolled up, scored or numbered), required
// fields among the form's own, and a validity above zero. `when` is checked as it compiles
// (workflow/compile-public-forms.ts). Called by check-entities for every entity.
import { durationMs } from './approval-flow.js';
import type { Report } from './check-report.js';
import type { FieldKindRegistry } from './field-kinds.js';
import type { EntityFileSpec } from './pack-spec.js';

export function checkPublicForms(spec: EntityFileSpec, kinds: FieldKindRegistry, report: Report): void {
  const ids = new Map<string, number>();
  const names = new Map<string, number>();
  (spec.publicForms ?? []).forEach((form, i) => {
    const at = `/publicForms/${i}`;
    for (const [seen, key, what] of [
      [ids, form.id, 'id'],
      [names, form.name, 'name'],
    ] as const) {
      const before = seen.get(key);
      if (before !== undefined)
        report({
          pointer: `${at}/${what}`,
          rule: 'public_form.duplicate',
          message: `public form ${what} '${key}' is also used at /publicForms/${before}`,
        });
      else seen.set(key, i);
    }
    form.fields.forEach((name, j) => {
      const field = spec.fields.find((f) => f.name === name);
      const pointer = `${at}/fields/${j}`;
      if (!field) {
        report({ pointer, rule: 'public_form.unknown_field', message: `'${name}' is not a field of ${spec.name}` });
        return;
      }
      const kind = kinds.get(field.kind);
      const derived = field.computed !== undefined || field.rollup !== undefined || field.numbering !== undefined || kind?.derived === true;
      if (derived || field.cardinality === 'manyToMany') {
        report({
          pointer,
          rule: 'public_form.field_not_fillable',
          message: `'${name}' is set by the engine or through its own records; a form cannot ask for it`,
        });
      }
    });
    (form.required ?? []).forEach((name, j) => {
      if (!form.fields.includes(name)) {
        report({ pointer: `${at}/required/${j}`, rule: 'public_form.unknown_field', message: `'${name}' is not one of the form's fields` });
      }
    });
    if (!durationMs(form.validFor))
      report({ pointer: `${at}/validFor`, rule: 'public_form.bad_duration', message: `'${form.validFor}' is not a duration above zero` });
  });
}
