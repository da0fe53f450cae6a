// A field's visibleWhen / requiredWhen / readOnlyWhen (JSON Logic from /api/meta) applied live to the form as the
// user types. The server judges the same conditions when the record is saved; this only shows it early, with the
// engine's evaluator (form-conditions.ts).
import type { FieldMeta, JsonSchema } from '../api/meta-types.js';
import { compileFormCondition, formOperands } from './form-conditions.js';
import type { OperandInfo } from '../../../engine/src/rules/parse-condition.js';

/** Whether a condition holds for the record as the form has it; a condition the browser cannot judge counts as unmet. */
export function holds(condition: unknown, record: Record<string, unknown>, operands: ReadonlyMap<string, OperandInfo>): boolean {
  return compileFormCondition(condition, operands)?.test(record) ?? false;
}

export interface LiveForm {
  uiSchema: Record<string, unknown>;
  schema: JsonSchema;
}

/** The form's schema and uiSchema with the fields' rules applied to `record`. */
export function applyFieldRules(
  schema: JsonSchema,
  uiSchema: Record<string, unknown>,
  fields: readonly FieldMeta[],
  editable: readonly string[],
  record: Record<string, unknown>,
): LiveForm {
  const ui: Record<string, unknown> = { ...uiSchema };
  const required = new Set(schema.required ?? []);
  const operands = formOperands(fields);
  for (const f of fields) {
    if (!(f.name in (schema.properties ?? {}))) continue;
    const own = { ...((ui[f.name] as Record<string, unknown> | undefined) ?? {}) };
    if (f.visibleWhen !== undefined && !holds(f.visibleWhen, record, operands)) own['ui:widget'] = 'hidden';
    if (editable.includes(f.name)) {
      if (f.requiredWhen !== undefined && holds(f.requiredWhen, record, operands)) required.add(f.name);
      if (f.readOnlyWhen !== undefined && holds(f.readOnlyWhen, record, operands)) own['ui:readonly'] = true;
    }
    ui[f.name] = own;
  }
  return { uiSchema: ui, schema: { ...schema, ...(required.size ? { required: [...required] } : {}) } };
}
