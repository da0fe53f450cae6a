// formatProblems groups problems pack -> entity -> field and names file, pointer and rule on every line.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../../../engine/src/metadata/load-model.js';
import { formatProblems, MetadataError, type MetadataProblem } from '../../../../engine/src/metadata/metadata-problem.js';
import { basePack, entityOf, makeTempDir, removeDir, writePackSource } from '../../../support/pack-builder.js';
import { BUILTIN_RULES } from '../../../support/builtin-rules.js';

const root = makeTempDir('tessera-format-');
afterAll(() => removeDir(root));

describe('formatProblems', () => {
  it('groups by pack, then entity, then field, whatever order problems were found in', () => {
    const problems: MetadataProblem[] = [
      {
        file: 'b/entities/y.json',
        pointer: '/fields/0/kind',
        rule: 'field.unknown_kind',
        message: 'unknown kind',
        pack: 'beta',
        entity: 'y',
        field: 'f1',
      },
      { file: 'a/pack.json', pointer: '/version', rule: 'schema.pattern', message: 'not semver', pack: 'alpha' },
      {
        file: 'a/entities/x.json',
        pointer: '/fields/1/default',
        rule: 'field.invalid_default',
        message: 'bad default',
        pack: 'alpha',
        entity: 'x',
        field: 'g',
      },
      {
        file: 'a/entities/x.json',
        pointer: '/titleField',
        rule: 'entity.unknown_field',
        message: 'no such field',
        pack: 'alpha',
        entity: 'x',
      },
      {
        file: 'a/entities/x.json',
        pointer: '/fields/1/scale',
        rule: 'field.scale_exceeds_precision',
        message: 'scale too big',
        pack: 'alpha',
        entity: 'x',
        field: 'g',
      },
      { file: 'b/broken.json', pointer: '', rule: 'file.invalid_json', message: 'Unexpected end', pack: 'beta' },
    ];
    expect(formatProblems(problems)).toBe(
      [
        'pack alpha',
        '  a/pack.json#/version  [schema.pattern]  not semver',
        'pack alpha > entity x',
        '  a/entities/x.json#/titleField  [entity.unknown_field]  no such field',
        'pack alpha > entity x > field g',
        '  a/entities/x.json#/fields/1/default  [field.invalid_default]  bad default',
        '  a/entities/x.json#/fields/1/scale  [field.scale_exceeds_precision]  scale too big',
        'pack beta',
        '  b/broken.json#/  [file.invalid_json]  Unexpected end',
        'pack beta > entity y > field f1',
        '  b/entities/y.json#/fields/0/kind  [field.unknown_kind]  unknown kind',
      ].join('\n'),
    );
  });

  it('formats what the loader reports for a real pack', () => {
    const pack = basePack();
    entityOf(pack, 'contact').titleField = 'title';
    entityOf(pack, 'contact').fields.push({ id: 'c.x', name: 'select', kind: 'text', label: { en: 'X' } });
    const dir = writePackSource(join(root, 'real'), pack);
    let error: unknown;
    try {
      loadModel([dir], { kinds: BUILTIN_RULES.kinds });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MetadataError);
    const text = formatProblems((error as MetadataError).problems).replaceAll(dir, '<pack>');
    expect(text).toBe(
      [
        'pack base > entity contact',
        "  <pack>/entities/contact.json#/titleField  [entity.unknown_field]  titleField 'title' is not a field of this entity",
        'pack base > entity contact > field select',
        "  <pack>/entities/contact.json#/fields/3/name  [name.reserved_word]  field name 'select' is a PostgreSQL reserved word",
      ].join('\n'),
    );
    expect((error as MetadataError).code).toBe('metadata.invalid');
    expect((error as MetadataError).fieldErrors).toContainEqual({
      file: join(dir, 'entities', 'contact.json'),
      pointer: '/titleField',
      code: 'entity.unknown_field',
      message: expect.any(String),
    });
  });
});
