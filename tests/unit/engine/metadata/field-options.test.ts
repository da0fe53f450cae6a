// Field options are one list (model.ts FieldOptions); the meta-schema and every kind are held to it (#18 part 6).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinFieldKinds } from '../../../../engine/src/metadata/builtin-field-kinds.js';
import { FIELD_OPTIONS, GENERIC_FIELD_KEYS } from '../../../../engine/src/metadata/model.js';

const metaSchema = JSON.parse(readFileSync('metadata/schema/field.schema.json', 'utf8')) as { properties: Record<string, unknown> };

describe('field options', () => {
  it('field.schema.json declares exactly the generic keys and the options of model.ts', () => {
    expect(Object.keys(metaSchema.properties).sort()).toEqual([...GENERIC_FIELD_KEYS, ...FIELD_OPTIONS].sort());
  });

  it('every builtin kind lists only known options, and requires only options it takes', () => {
    for (const kind of builtinFieldKinds().values()) {
      for (const option of kind.options) expect(FIELD_OPTIONS, `${kind.name}.${option}`).toContain(option);
      for (const option of kind.requiredOptions ?? []) expect(kind.options, `${kind.name} requires ${option}`).toContain(option);
      if (kind.options.includes('min')) expect(kind.boundSchema, `${kind.name} takes min/max`).toBeDefined();
    }
  });
});
