// What the rest of the engine asks a kind entry instead of switching on kind names (#18 part 6).
import { describe, expect, it } from 'vitest';
import { builtinFieldKinds } from '../../../../engine/src/metadata/builtin-field-kinds.js';
import { kindOf, valueColumns, type FieldSpec } from '../../../../engine/src/metadata/field-kinds.js';
import { parseInstant } from '../../../../engine/src/shared/instant.js';

const kinds = builtinFieldKinds();
const spec = (kind: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({
  id: `t.${kind}`,
  name: kind,
  kind,
  label: { en: kind },
  required: false,
  unique: false,
  ...extra,
});

describe('builtin field kinds', () => {
  it('money has parts, its own select expression and its own columns', () => {
    const money = kindOf(kinds, spec('currency'));
    expect(Object.keys(money.subPaths ?? {})).toEqual(['amount', 'currency']);
    expect(money.selectSql?.(['t."price"', 't."price_currency"'])).toContain(
      'json_build_object(\'amount\', t."price"::text, \'currency\', t."price_currency")',
    );
    expect(valueColumns(money, { amount: '1.50', currency: 'EUR' })).toEqual(['1.50', 'EUR']);
    expect(valueColumns(money, null)).toEqual([null, null]);
  });

  it('json values are written as JSON text; other kinds as they are', () => {
    expect(valueColumns(kindOf(kinds, spec('json')), [1, 2])).toEqual(['[1,2]']);
    expect(valueColumns(kindOf(kinds, spec('multienum')), ['a'])).toEqual([['a']]);
  });

  it('a file value is a stored blob ref in one jsonb column, with a schema that takes nothing else (#25)', () => {
    const file = kindOf(kinds, spec('file'));
    expect(file.columns(spec('file'))).toEqual([{ name: 'file', type: { base: 'jsonb' }, nullable: true, key: 't.file#value' }]);
    expect(file).toMatchObject({ operand: 'json', operators: ['isNull'], widget: 'file', cubeType: null, indexable: false });
    const ref = { sha256: 'a'.repeat(64), name: 'a.pdf', size: 3, contentType: 'application/pdf' };
    expect(valueColumns(file, ref)).toEqual([JSON.stringify(ref)]);
    expect(valueColumns(file, null)).toEqual([null]);
    const schema = file.valueSchema(spec('file')) as { required: string[]; additionalProperties: boolean };
    expect(schema.required).toEqual(['sha256', 'name', 'size', 'contentType']);
    expect(schema.additionalProperties).toBe(false);
  });

  it('references, inverses and implied options come from the entry', () => {
    expect(kindOf(kinds, spec('relation')).reference).toEqual({ hasInverse: true });
    expect(kindOf(kinds, spec('user')).implied?.(spec('user'))).toEqual({ target: 'app_user', cardinality: 'belongsTo' });
    expect(kindOf(kinds, spec('relation')).implied?.(spec('relation'))).toEqual({ cardinality: 'belongsTo' });
  });

  it("a datetime default of 'now' is the moment of the write, in the one printed instant form", () => {
    const value = kindOf(kinds, spec('datetime')).defaultValue?.(spec('datetime', { default: 'now' }));
    expect(value).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    expect(Number(parseInstant(String(value)))).toBeGreaterThan((Date.now() - 5000) * 1000);
  });

  it('columns carry the value rules the planner checks stored rows against', () => {
    const [status] = kindOf(kinds, spec('enum')).columns(
      spec('enum', { values: [{ value: 'Real Estate', label: { en: 'RE' } }], valueMap: { old: 'Real Estate' } }),
    );
    expect(status).toMatchObject({ rules: { values: ['Real Estate'] }, valueMap: { old: 'Real Estate' } });
    const [code] = kindOf(kinds, spec('text')).columns(spec('text', { maxLength: 5, pattern: '^[A-Z]+$' }));
    expect(code?.rules).toEqual({ maxLength: 5, pattern: '^[A-Z]+$' });
    const [plain] = kindOf(kinds, spec('boolean')).columns(spec('boolean'));
    expect(plain?.rules).toBeUndefined();
  });
});
