// A field's visibleWhen / requiredWhen / readOnlyWhen (JSON Logic from /api/meta) applied live to the form as the
// user types. The server judges the same conditions when the record is saved; this only shows it early. The
// engine's own operators beyond standard JSON Logic are added here with the same meaning (text compared without
// regard to ASCII case, as the engine folds it).
import jsonLogic from 'json-logic-js';
import type { FieldMeta, JsonSchema } from '../api/meta-types.js';

const fold = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v);
let registered = false;
function register(): void {
  if (registered) return;
  registered = true;
  jsonLogic.add_operation('contains', (value: unknown, needle: unknown) =>
    Array.isArray(value)
      ? value.includes(needle)
      : typeof value === 'string' && typeof needle === 'string' && String(fold(value)).includes(String(fold(needle))),
  );
  jsonLogic.add_operation(
    'startsWith',
    (value: unknown, prefix: unknown) =>
      typeof value === 'string' && typeof prefix === 'string' && String(fold(value)).startsWith(String(fold(prefix))),
  );
  jsonLogic.add_operation(
    'isNull',
    (value: unknown) => value === null || value === undefined || (Array.isArray(value) && value.length === 0),
  );
  jsonLogic.add_operation(
    'between',
    (value: unknown, low: unknown, high: unknown) =>
      value !== null && value !== undefined && Number(value) >= Number(low) && Number(value) <= Number(high),
  );
}

/** Whether a condition holds for the record as the form has it; a condition the browser cannot judge counts as unmet. */
export function holds(condition: unknown, record: Record<string, unknown>): boolean {
  register();
  try {
    return jsonLogic.truthy(jsonLogic.apply(condition as jsonLogic.RulesLogic, record));
  } catch {
    return false;
  }
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
  for (const f of fields) {
    if (!(f.name in (schema.properties ?? {}))) continue;
    const own = { ...((ui[f.name] as Record<string, unknown> | undefined) ?? {}) };
    if (f.visibleWhen !== undefined && !holds(f.visibleWhen, record)) own['ui:widget'] = 'hidden';
    if (editable.includes(f.name)) {
      if (f.requiredWhen !== undefined && holds(f.requiredWhen, record)) required.add(f.name);
      if (f.readOnlyWhen !== undefined && holds(f.readOnlyWhen, record)) own['ui:readonly'] = true;
    }
    ui[f.name] = own;
  }
  return { uiSchema: ui, schema: { ...schema, ...(required.size ? { required: [...required] } : {}) } };
}
