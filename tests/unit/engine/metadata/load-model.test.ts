// One bad pack per validation rule of the loader (meta-schema, read-packs, order-packs, check-entities):
// each names the file, the JSON pointer, the rule and a readable message.
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../../../engine/src/metadata/load-model.js';
import { MetadataError, type MetadataProblem } from '../../../../engine/src/metadata/metadata-problem.js';
import type { EntityFileSpec, FieldFileSpec, PackManifestSpec } from '../../../../engine/src/metadata/pack-spec.js';
import { basePack, entityOf, makeTempDir, removeDir, writePack, writePackSource, type PackSource } from '../../../support/pack-builder.js';
import { BUILTIN_RULES } from '../../../support/builtin-rules.js';

const CORE = resolve('metadata/packs/core');
const root = makeTempDir('tessera-meta-');
afterAll(() => removeDir(root));

let counter = 0;
function freshDir(name = 'pack'): string {
  counter += 1;
  return join(root, `${counter}`, name);
}

function problemsOf(dirs: readonly string[]): MetadataProblem[] {
  try {
    loadModel(dirs, { kinds: BUILTIN_RULES.kinds });
  } catch (e) {
    if (e instanceof MetadataError) return [...e.problems];
    throw e;
  }
  throw new Error('expected the packs to be invalid, but they loaded');
}

interface Written {
  dir: string;
  manifestFile: string;
  entityFile(name: string): string;
}

function write(pack: PackSource, options: { rawFiles?: Record<string, string> } = {}): Written {
  const dir = writePackSource(freshDir(pack.manifest.name), pack, options);
  return { dir, manifestFile: join(dir, 'pack.json'), entityFile: (name) => join(dir, 'entities', `${name}.json`) };
}

/** Writes the base pack after `mutate`, loads it, and returns its single problem's context. */
function breakBase(
  mutate: (pack: PackSource) => void,
  extraDirs: readonly string[] = [],
): { written: Written; problems: MetadataProblem[] } {
  const pack = basePack();
  mutate(pack);
  const written = write(pack);
  return { written, problems: problemsOf([written.dir, ...extraDirs]) };
}

const label = (en: string) => ({ en });
const field = (spec: Partial<FieldFileSpec> & Pick<FieldFileSpec, 'name' | 'kind'>): FieldFileSpec => ({
  id: `test.${spec.name}`,
  label: label(spec.name),
  ...spec,
});
/** Adds properties the spec types do not allow, as a broken file would have them. */
const loosen = <T extends object>(value: T): Record<string, unknown> => value as unknown as Record<string, unknown>;

describe('loadModel: valid packs', () => {
  it('loads the base pack', () => {
    const model = loadModel([write(basePack()).dir], { kinds: BUILTIN_RULES.kinds });
    expect(model.entities.map((e) => e.name)).toEqual(['account', 'contact']);
    expect(model.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('loads a pack using user fields together with core', () => {
    const pack = basePack();
    pack.manifest.requires = { core: '>=0.1.0' };
    entityOf(pack, 'contact').fields.push(field({ name: 'owner', kind: 'user' }));
    const model = loadModel([write(pack).dir, CORE], { kinds: BUILTIN_RULES.kinds });
    expect(model.packs.map((p) => p.name)).toEqual(['core', 'base']);
  });
});

describe('loadModel: meta-schema errors', () => {
  it('names a missing required field property', () => {
    const { written, problems } = breakBase((p) => {
      delete loosen(entityOf(p, 'contact').fields[1] as FieldFileSpec).label;
    });
    expect(problems).toEqual([
      expect.objectContaining({
        file: written.entityFile('contact'),
        pointer: '/fields/1/label',
        rule: 'schema.required',
        message: "'label' is required",
        pack: 'base',
        entity: 'contact',
        field: 'email',
      }),
    ]);
  });

  it('names a missing required entity property', () => {
    const { written, problems } = breakBase((p) => {
      delete loosen(entityOf(p, 'contact')).fields;
    });
    expect(problems).toEqual([
      expect.objectContaining({
        file: written.entityFile('contact'),
        pointer: '/fields',
        rule: 'schema.required',
        message: "'fields' is required",
      }),
    ]);
  });

  it('names a missing required manifest property', () => {
    const { written, problems } = breakBase((p) => {
      delete loosen(p.manifest).version;
    });
    expect(problems).toEqual([
      expect.objectContaining({
        file: written.manifestFile,
        pointer: '/version',
        rule: 'schema.required',
        message: "'version' is required",
        pack: 'base',
      }),
    ]);
  });

  it('names an unknown entity property', () => {
    const { written, problems } = breakBase((p) => {
      loosen(entityOf(p, 'contact')).colour = 'red';
    });
    expect(problems).toEqual([
      expect.objectContaining({
        file: written.entityFile('contact'),
        pointer: '/colour',
        rule: 'schema.additionalProperties',
        message: "unknown property 'colour'",
      }),
    ]);
  });

  it('names an unknown field property and the field', () => {
    const { written, problems } = breakBase((p) => {
      loosen(entityOf(p, 'contact').fields[0] as FieldFileSpec).size = 3;
    });
    expect(problems).toEqual([
      expect.objectContaining({
        file: written.entityFile('contact'),
        pointer: '/fields/0/size',
        rule: 'schema.additionalProperties',
        message: "unknown property 'size'",
        field: 'full_name',
      }),
    ]);
  });

  it('rejects a field name that is not snake_case', () => {
    const { written, problems } = breakBase((p) => {
      (entityOf(p, 'contact').fields[1] as FieldFileSpec).name = 'E-mail';
    });
    expect(problems).toEqual([
      expect.objectContaining({
        file: written.entityFile('contact'),
        pointer: '/fields/1/name',
        rule: 'schema.pattern',
        message: 'must match ^[a-z][a-z0-9_]*$',
        field: 'E-mail',
      }),
    ]);
  });

  it('rejects an entity name that is not snake_case', () => {
    const { written, problems } = breakBase((p) => {
      entityOf(p, 'contact').name = 'Contact';
    });
    expect(problems).toEqual([
      expect.objectContaining({
        file: written.entityFile('Contact'),
        pointer: '/name',
        rule: 'schema.pattern',
        entity: 'Contact',
      }),
    ]);
  });

  it('rejects a pack name that is not snake_case', () => {
    const { written, problems } = breakBase((p) => {
      p.manifest.name = 'Base-Pack';
    });
    expect(problems).toEqual([expect.objectContaining({ file: written.manifestFile, pointer: '/name', rule: 'schema.pattern' })]);
  });

  it('rejects a version that is not semver', () => {
    const { written, problems } = breakBase((p) => {
      p.manifest.version = '1.0';
    });
    expect(problems).toEqual([
      expect.objectContaining({
        file: written.manifestFile,
        pointer: '/version',
        rule: 'schema.pattern',
        message: expect.stringContaining('must match'),
      }),
    ]);
  });

  it('rejects a label without English', () => {
    const { written, problems } = breakBase((p) => {
      loosen(entityOf(p, 'contact')).label = { 'zh-CN': '联系人' };
    });
    expect(problems).toEqual([
      expect.objectContaining({
        file: written.entityFile('contact'),
        pointer: '/label/en',
        rule: 'schema.required',
        message: "'en' is required",
      }),
    ]);
  });

  it('rejects a label that is a plain string', () => {
    const { written, problems } = breakBase((p) => {
      loosen(entityOf(p, 'contact')).label = 'Contact';
    });
    expect(problems).toEqual([
      expect.objectContaining({
        file: written.entityFile('contact'),
        pointer: '/label',
        rule: 'schema.type',
        message: 'must be object',
      }),
    ]);
  });

  it('rejects a label keyed by something that is not a language tag', () => {
    const { written, problems } = breakBase((p) => {
      loosen(entityOf(p, 'contact')).label = { en: 'Contact', chinese: '联系人' };
    });
    expect(problems).toContainEqual(
      expect.objectContaining({
        file: written.entityFile('contact'),
        pointer: '/label',
        rule: 'schema.propertyNames',
      }),
    );
  });

  it('rejects an unknown enum option value (onDelete)', () => {
    const { written, problems } = breakBase((p) => {
      loosen(entityOf(p, 'contact').fields[2] as FieldFileSpec).onDelete = 'nullify';
    });
    expect(problems).toEqual([
      expect.objectContaining({
        file: written.entityFile('contact'),
        pointer: '/fields/2/onDelete',
        rule: 'schema.enum',
        message: expect.stringContaining('setNull'),
      }),
    ]);
  });
});

describe('loadModel: files and packs', () => {
  it('reports a file that is not JSON', () => {
    const written = write(basePack(), { rawFiles: { 'entities/broken.json': '{ "id": "x", ' } });
    const problems = problemsOf([written.dir]);
    expect(problems).toEqual([
      expect.objectContaining({
        file: join(written.dir, 'entities', 'broken.json'),
        pointer: '',
        rule: 'file.invalid_json',
        message: expect.stringMatching(/JSON/),
      }),
    ]);
  });

  it('reports a folder without any pack', () => {
    const dir = freshDir('empty');
    writePack(dir, {}, []);
    removeDir(join(dir, 'pack.json'));
    expect(problemsOf([dir])).toEqual([
      expect.objectContaining({ file: dir, pointer: '', rule: 'pack.not_found', message: expect.stringContaining('pack.json') }),
    ]);
  });

  it('reports a missing required pack', () => {
    const { written, problems } = breakBase((p) => {
      p.manifest.requires = { crm: '^1.0.0' };
    });
    expect(problems).toEqual([
      expect.objectContaining({
        file: written.manifestFile,
        pointer: '/requires/crm',
        rule: 'pack.missing_requirement',
        message: expect.stringContaining("'crm'"),
      }),
    ]);
  });

  it('reports a required pack whose version is out of range', () => {
    const { written, problems } = breakBase(
      (p) => {
        p.manifest.requires = { core: '^2.0.0' };
      },
      [CORE],
    );
    expect(problems).toEqual([
      expect.objectContaining({
        file: written.manifestFile,
        pointer: '/requires/core',
        rule: 'pack.version_mismatch',
        message: expect.stringMatching(/^requires 'core' \^2\.0\.0 but \d+\.\d+\.\d+ is installed$/),
      }),
    ]);
  });

  it('reports a requirement range that is not semver', () => {
    const { written, problems } = breakBase(
      (p) => {
        p.manifest.requires = { core: 'latest please' };
      },
      [CORE],
    );
    expect(problems).toEqual([
      expect.objectContaining({
        file: written.manifestFile,
        pointer: '/requires/core',
        rule: 'pack.invalid_range',
        message: "'latest please' is not a semver range",
      }),
    ]);
  });

  it('reports a requirement cycle', () => {
    const a = write({ manifest: { name: 'alpha', version: '1.0.0', label: label('A'), requires: { beta: '*' } }, entities: [] });
    const b = write({ manifest: { name: 'beta', version: '1.0.0', label: label('B'), requires: { alpha: '*' } }, entities: [] });
    expect(problemsOf([a.dir, b.dir])).toEqual([
      expect.objectContaining({
        file: a.manifestFile,
        pointer: '/requires',
        rule: 'pack.cycle',
        message: 'requirement cycle: alpha -> beta -> alpha',
      }),
    ]);
  });

  it('reports two packs with one name', () => {
    const first = write(basePack());
    const copy = basePack();
    copy.entities = [];
    const second = write(copy);
    expect(problemsOf([first.dir, second.dir])).toEqual([
      expect.objectContaining({
        file: second.manifestFile,
        pointer: '/name',
        rule: 'pack.duplicate_name',
        message: expect.stringContaining(first.manifestFile),
      }),
    ]);
  });
});

describe('loadModel: entity cross-references', () => {
  const lead = (overrides: Partial<EntityFileSpec> = {}): EntityFileSpec => ({
    id: 'base.lead',
    name: 'lead',
    label: label('Lead'),
    fields: [field({ name: 'title', kind: 'text' })],
    ...overrides,
  });

  it('reports two entities with one name', () => {
    const pack = basePack();
    const copy = { ...lead(), name: 'contact' };
    const written = write(pack, { rawFiles: { 'entities/zz_contact_copy.json': JSON.stringify(copy) } });
    expect(problemsOf([written.dir])).toEqual([
      expect.objectContaining({
        file: join(written.dir, 'entities', 'zz_contact_copy.json'),
        pointer: '/name',
        rule: 'entity.duplicate_name',
        entity: 'contact',
        message: expect.stringContaining(written.entityFile('contact')),
      }),
    ]);
  });

  it('reports two entities with one id', () => {
    const { written, problems } = breakBase((p) => {
      p.entities.push(lead({ id: 'base.contact' }));
    });
    expect(problems).toEqual([
      expect.objectContaining({
        file: written.entityFile('lead'),
        pointer: '/id',
        rule: 'entity.duplicate_id',
        entity: 'lead',
        message: expect.stringContaining("entity 'contact'"),
      }),
    ]);
  });

  it('reports an entity named with the system prefix', () => {
    const { written, problems } = breakBase((p) => {
      p.entities.push(lead({ name: 'tessera_lead' }));
    });
    expect(problems).toEqual([
      expect.objectContaining({
        file: written.entityFile('tessera_lead'),
        pointer: '/name',
        rule: 'entity.system_prefix',
        message: "entity names may not start with 'tessera_'",
      }),
    ]);
  });

  it('reports an entity named with a reserved word', () => {
    const { written, problems } = breakBase((p) => {
      p.entities.push(lead({ name: 'order' }));
    });
    expect(problems).toEqual([
      expect.objectContaining({
        file: written.entityFile('order'),
        pointer: '/name',
        rule: 'name.reserved_word',
        message: "entity name 'order' is a PostgreSQL reserved word",
      }),
    ]);
  });

  it('reports an unknown titleField', () => {
    const { written, problems } = breakBase((p) => {
      entityOf(p, 'contact').titleField = 'title';
    });
    expect(problems).toEqual([
      expect.objectContaining({
        file: written.entityFile('contact'),
        pointer: '/titleField',
        rule: 'entity.unknown_field',
        message: "titleField 'title' is not a field of this entity",
      }),
    ]);
  });

  it('reports an unknown ownership field', () => {
    const { written, problems } = breakBase((p) => {
      entityOf(p, 'contact').ownership = { ownerField: 'owner' };
    });
    expect(problems).toEqual([
      expect.objectContaining({
        file: written.entityFile('contact'),
        pointer: '/ownership/ownerField',
        rule: 'entity.unknown_field',
      }),
    ]);
  });

  it('reports an ownership field of the wrong kind', () => {
    const { written, problems } = breakBase((p) => {
      entityOf(p, 'contact').ownership = { orgUnitField: 'full_name' };
    });
    expect(problems).toEqual([
      expect.objectContaining({
        file: written.entityFile('contact'),
        pointer: '/ownership/orgUnitField',
        rule: 'entity.ownership_kind',
        message: "orgUnitField 'full_name' must be a user or belongsTo relation field",
      }),
    ]);
  });

  it('controls a record by its parent only through a required belongsTo relation to another entity', () => {
    const model = loadModel(
      [
        write(
          (() => {
            const pack = basePack();
            const contact = entityOf(pack, 'contact');
            contact.fields.push(field({ name: 'employer', kind: 'relation', target: 'account', required: true }));
            contact.ownership = { parentField: 'employer' };
            return pack;
          })(),
        ).dir,
      ],
      { kinds: BUILTIN_RULES.kinds },
    );
    expect(model.entitiesByName.contact?.ownership).toEqual({ parentField: 'employer' });
    const { written, problems } = breakBase((p) => {
      const contact = entityOf(p, 'contact');
      contact.fields.push(field({ name: 'employer', kind: 'relation', target: 'account' }));
      contact.ownership = { parentField: 'employer' };
    });
    expect(problems).toEqual([
      expect.objectContaining({ file: written.entityFile('contact'), pointer: '/ownership/parentField', rule: 'entity.ownership_parent' }),
    ]);
  });
});

describe('loadModel: field rules', () => {
  /** Adds `f` to contact (position 3) and returns the only problem's expected location. */
  function addToContact(f: FieldFileSpec, extraDirs: readonly string[] = []): { file: string; problems: MetadataProblem[] } {
    const { written, problems } = breakBase((p) => {
      entityOf(p, 'contact').fields.push(f);
    }, extraDirs);
    return { file: written.entityFile('contact'), problems };
  }

  it('reports two fields with one name', () => {
    const { file, problems } = addToContact(field({ name: 'email', kind: 'text' }));
    expect(problems).toEqual([
      expect.objectContaining({
        file,
        pointer: '/fields/3/name',
        rule: 'field.duplicate_name',
        field: 'email',
        message: "field 'email' is also at /fields/1",
      }),
    ]);
  });

  it('reports two fields with one id', () => {
    const { file, problems } = addToContact(field({ id: 'base.contact.email', name: 'phone', kind: 'phone' }));
    expect(problems).toEqual([expect.objectContaining({ file, pointer: '/fields/3/id', rule: 'field.duplicate_id', field: 'phone' })]);
  });

  it('reports an unknown kind and lists the known ones', () => {
    const { file, problems } = addToContact(field({ name: 'colour', kind: 'colour' }));
    expect(problems).toEqual([
      expect.objectContaining({
        file,
        pointer: '/fields/3/kind',
        rule: 'field.unknown_kind',
        field: 'colour',
        message: expect.stringMatching(/unknown field kind 'colour'; known kinds: text, longtext, .*relation, user/),
      }),
    ]);
  });

  it('reports an option that does not apply to the kind', () => {
    const { file, problems } = addToContact(field({ name: 'nickname', kind: 'text', precision: 4 }));
    expect(problems).toEqual([
      expect.objectContaining({
        file,
        pointer: '/fields/3/precision',
        rule: 'field.option_not_allowed',
        message: "'precision' does not apply to a text field",
      }),
    ]);
  });

  it('reports unique on a kind that cannot be unique', () => {
    const { file, problems } = addToContact(field({ name: 'vip', kind: 'boolean', unique: true }));
    expect(problems).toEqual([expect.objectContaining({ file, pointer: '/fields/3/unique', rule: 'field.option_not_allowed' })]);
  });

  it('requires values on an enum', () => {
    const { file, problems } = addToContact(field({ name: 'stage', kind: 'enum' }));
    expect(problems).toEqual([
      expect.objectContaining({ file, pointer: '/fields/3', rule: 'field.option_required', message: "a enum field needs 'values'" }),
    ]);
  });

  it('requires values on a multienum', () => {
    const { file, problems } = addToContact(field({ name: 'tags', kind: 'multienum' }));
    expect(problems).toEqual([expect.objectContaining({ file, pointer: '/fields/3', rule: 'field.option_required' })]);
  });

  it('reports a duplicate enum value', () => {
    const { file, problems } = addToContact(
      field({
        name: 'stage',
        kind: 'enum',
        values: [
          { value: 'new', label: label('New') },
          { value: 'new', label: label('New again') },
        ],
      }),
    );
    expect(problems).toEqual([
      expect.objectContaining({
        file,
        pointer: '/fields/3/values/1/value',
        rule: 'field.duplicate_value',
        message: "value 'new' appears twice",
      }),
    ]);
  });

  it('reports a scale larger than the precision', () => {
    const { file, problems } = addToContact(field({ name: 'score', kind: 'decimal', precision: 4, scale: 6 }));
    expect(problems).toEqual([
      expect.objectContaining({
        file,
        pointer: '/fields/3/scale',
        rule: 'field.scale_exceeds_precision',
        message: 'scale 6 is larger than precision 4',
      }),
    ]);
  });

  it('reports minLength above maxLength', () => {
    const { file, problems } = addToContact(field({ name: 'nickname', kind: 'text', minLength: 10, maxLength: 5 }));
    expect(problems).toEqual([
      expect.objectContaining({
        file,
        pointer: '/fields/3/minLength',
        rule: 'field.min_exceeds_max',
        message: 'minLength 10 is larger than maxLength 5',
      }),
    ]);
  });

  it('reports min above max', () => {
    const { file, problems } = addToContact(field({ name: 'age', kind: 'integer', min: 10, max: 1 }));
    expect(problems).toEqual([
      expect.objectContaining({ file, pointer: '/fields/3/min', rule: 'field.min_exceeds_max', message: 'min 10 is larger than max 1' }),
    ]);
  });

  it('requires a target on a relation', () => {
    const { file, problems } = addToContact(field({ name: 'company', kind: 'relation' }));
    expect(problems).toEqual([
      expect.objectContaining({ file, pointer: '/fields/3', rule: 'field.option_required', message: "a relation field needs 'target'" }),
    ]);
  });

  it('reports an unknown relation target', () => {
    const { file, problems } = addToContact(field({ name: 'company', kind: 'relation', target: 'company' }));
    expect(problems).toEqual([
      expect.objectContaining({
        file,
        pointer: '/fields/3/target',
        rule: 'relation.unknown_target',
        message: "target entity 'company' does not exist",
      }),
    ]);
  });

  it('reports a target in a pack that is not required', () => {
    const { file, problems } = addToContact(field({ name: 'department', kind: 'relation', target: 'org_unit' }), [CORE]);
    expect(problems).toEqual([
      expect.objectContaining({
        file,
        pointer: '/fields/3/target',
        rule: 'relation.target_not_required',
        message: "target 'org_unit' belongs to pack 'core', which this pack does not require",
      }),
    ]);
  });

  it('accepts a target in a pack required indirectly', () => {
    const mid = write({ manifest: { name: 'mid', version: '1.0.0', label: label('Mid'), requires: { core: '*' } }, entities: [] });
    const pack = basePack();
    pack.manifest.requires = { mid: '^1.0.0' };
    entityOf(pack, 'contact').fields.push(field({ name: 'department', kind: 'relation', target: 'org_unit' }));
    expect(() => loadModel([write(pack).dir, mid.dir, CORE], { kinds: BUILTIN_RULES.kinds })).not.toThrow();
  });

  it('reports required or onDelete on a manyToMany relation', () => {
    const { file, problems } = addToContact(
      field({ name: 'peers', kind: 'relation', target: 'contact', cardinality: 'manyToMany', required: true }),
    );
    expect(problems).toEqual([
      expect.objectContaining({
        file,
        pointer: '/fields/3',
        rule: 'relation.many_to_many_option',
        message: "'required' and 'onDelete' do not apply to a manyToMany relation",
      }),
    ]);
  });

  it('reports a user field without the core pack', () => {
    const { file, problems } = addToContact(field({ name: 'owner', kind: 'user' }));
    expect(problems).toEqual([
      expect.objectContaining({
        file,
        pointer: '/fields/3/kind',
        rule: 'field.user_entity_missing',
        message: expect.stringContaining("'app_user'"),
      }),
    ]);
  });

  it('reports setNull on a required relation', () => {
    const { file, problems } = addToContact(
      field({ name: 'employer', kind: 'relation', target: 'account', required: true, onDelete: 'setNull' }),
    );
    expect(problems).toEqual([
      expect.objectContaining({
        file,
        pointer: '/fields/3/onDelete',
        rule: 'relation.set_null_required',
        message: "onDelete 'setNull' cannot apply to a required field",
      }),
    ]);
  });

  it.each([
    ['integer', field({ name: 'age', kind: 'integer', default: 'forty' })],
    ['integer below min', field({ name: 'age', kind: 'integer', min: 18, default: 3 })],
    ['enum', field({ name: 'stage', kind: 'enum', values: [{ value: 'new', label: label('New') }], default: 'old' })],
    ['decimal as a number', field({ name: 'score', kind: 'decimal', default: 1.5 })],
    ['currency without code', field({ name: 'budget', kind: 'currency', default: { amount: '10.00' } })],
    ['date', field({ name: 'born', kind: 'date', default: '31/12/2000' })],
    ['text too long', field({ name: 'nickname', kind: 'text', maxLength: 3, default: 'abcdef' })],
  ])('reports an invalid default (%s)', (_what, f) => {
    const { file, problems } = addToContact(f);
    expect(problems).toEqual([
      expect.objectContaining({
        file,
        pointer: '/fields/3/default',
        rule: 'field.invalid_default',
        field: f.name,
        message: expect.stringContaining(`is not a valid ${f.kind} value`),
      }),
    ]);
  });

  it.each([
    field({ name: 'started', kind: 'datetime', default: 'now' }),
    field({ name: 'budget', kind: 'currency', default: { amount: '10.00', currency: 'EUR' } }),
    field({ name: 'score', kind: 'decimal', default: '1.50' }),
    field({ name: 'tags', kind: 'multienum', values: [{ value: 'a', label: label('A') }], default: ['a'] }),
  ])('accepts a valid default ($kind)', (f) => {
    const pack = basePack();
    entityOf(pack, 'contact').fields.push(f);
    expect(() => loadModel([write(pack).dir], { kinds: BUILTIN_RULES.kinds })).not.toThrow();
  });

  it('reports a field named with a reserved word', () => {
    const { file, problems } = addToContact(field({ name: 'select', kind: 'text' }));
    expect(problems).toEqual([
      expect.objectContaining({
        file,
        pointer: '/fields/3/name',
        rule: 'name.reserved_word',
        field: 'select',
        message: "field name 'select' is a PostgreSQL reserved word",
      }),
    ]);
  });

  it('reports a field named like a system column', () => {
    const { file, problems } = addToContact(field({ name: 'created_at', kind: 'datetime' }));
    expect(problems).toEqual([
      expect.objectContaining({
        file,
        pointer: '/fields/3/name',
        rule: 'field.system_name',
        message: "'created_at' is a system column every entity has",
      }),
    ]);
  });

  it("reports a field whose column is another field's column", () => {
    const { file, problems } = addToContact(field({ name: 'account_id', kind: 'text' }));
    expect(problems).toEqual([
      expect.objectContaining({
        file,
        pointer: '/fields/3/name',
        rule: 'field.column_clash',
        field: 'account_id',
        message: "column 'account_id' of this field is also a column of field 'account'",
      }),
    ]);
  });

  it('reports a currency field whose code column clashes', () => {
    const pack = basePack();
    entityOf(pack, 'contact').fields.push(field({ name: 'budget_currency', kind: 'text' }), field({ name: 'budget', kind: 'currency' }));
    const written = write(pack);
    expect(problemsOf([written.dir])).toEqual([
      expect.objectContaining({
        file: written.entityFile('contact'),
        pointer: '/fields/4/name',
        rule: 'field.column_clash',
        field: 'budget',
      }),
    ]);
  });

  it('reports a field named like the inverse of a relation to its entity', () => {
    const { written, problems } = breakBase((p) => {
      entityOf(p, 'account').fields.push(field({ name: 'contacts', kind: 'integer' }));
    });
    expect(problems).toEqual([
      expect.objectContaining({
        file: written.entityFile('account'),
        pointer: '/fields/5/name',
        rule: 'field.clashes_with_inverse',
        entity: 'account',
        field: 'contacts',
        message: "'contacts' is also the inverse of relation contact.account",
      }),
    ]);
  });

  it('reports a field named like a default inverse name', () => {
    const { written, problems } = breakBase((p) => {
      entityOf(p, 'account').fields.push(field({ name: 'account_by_parent', kind: 'integer' }));
    });
    expect(problems).toEqual([
      expect.objectContaining({ file: written.entityFile('account'), pointer: '/fields/5/name', rule: 'field.clashes_with_inverse' }),
    ]);
  });

  it('reports two relations with one inverse name on the same target', () => {
    const { file, problems } = addToContact(
      field({ name: 'main_account', kind: 'relation', target: 'account', inverse: { name: 'contacts', label: label('Main contacts') } }),
    );
    expect(problems).toEqual([
      expect.objectContaining({
        file,
        pointer: '/fields/3/inverse',
        rule: 'relation.duplicate_inverse',
        field: 'main_account',
        message: "inverse name 'contacts' on 'account' is also used by relation contact.account",
      }),
    ]);
  });
});

describe("loadModel: options of the field's kind (#18: validate rejects what serve would fail on)", () => {
  function problemsFor(f: FieldFileSpec): { file: string; problems: MetadataProblem[] } {
    const { written, problems } = breakBase((p) => {
      entityOf(p, 'contact').fields.push(f);
    });
    return { file: written.entityFile('contact'), problems };
  }
  const accepted = (f: FieldFileSpec) => {
    const pack = basePack();
    entityOf(pack, 'contact').fields.push(f);
    return () => loadModel([write(pack).dir], { kinds: BUILTIN_RULES.kinds });
  };

  it.each([
    ['a word as an integer min', field({ name: 'age', kind: 'integer', min: 'xyz' }), '/fields/3/min'],
    ['a fraction as an integer max', field({ name: 'age', kind: 'integer', max: 1.5 }), '/fields/3/max'],
    ['a word as a decimal min', field({ name: 'score', kind: 'decimal', min: 'abc' }), '/fields/3/min'],
    ['an exponent as a money max', field({ name: 'budget', kind: 'currency', max: '1e9' }), '/fields/3/max'],
    ['a number as a date min', field({ name: 'born', kind: 'date', min: 20000101 }), '/fields/3/min'],
    ['a zoneless datetime max', field({ name: 'seen', kind: 'datetime', max: '2030-01-01 00:00' }), '/fields/3/max'],
  ])('refuses %s', (_what, f, pointer) => {
    const { file, problems } = problemsFor(f);
    expect(problems).toEqual([expect.objectContaining({ file, pointer, rule: 'field.invalid_bound', field: f.name })]);
  });

  it('compares decimal bounds as exact decimals, not as text or floats', () => {
    const { problems } = problemsFor(field({ name: 'score', kind: 'decimal', min: '10.5', max: '9.75' }));
    expect(problems).toEqual([expect.objectContaining({ pointer: '/fields/3/min', rule: 'field.min_exceeds_max' })]);
    expect(accepted(field({ name: 'score', kind: 'decimal', min: 2, max: '10' }))).not.toThrow();
    expect(
      accepted(
        field({ name: 'score', kind: 'decimal', precision: 38, scale: 20, min: '0.10000000000000000001', max: '0.10000000000000000002' }),
      ),
    ).not.toThrow();
  });

  it('compares datetime bounds as instants', () => {
    expect(
      accepted(field({ name: 'seen', kind: 'datetime', min: '2024-01-01T10:00:00+02:00', max: '2024-01-01T09:00:00Z' })),
    ).not.toThrow();
    const later = problemsFor(field({ name: 'seen', kind: 'datetime', min: '2024-01-01T10:00:00-02:00', max: '2024-01-01T09:00:00Z' }));
    expect(later.problems).toEqual([expect.objectContaining({ pointer: '/fields/3/min', rule: 'field.min_exceeds_max' })]);
  });

  it.each([
    ['a decimal default under min', field({ name: 'score', kind: 'decimal', min: '5', default: '1.00' })],
    ['a money default over max', field({ name: 'budget', kind: 'currency', max: '100', default: { amount: '100.01', currency: 'EUR' } })],
    ['a default that misses the pattern', field({ name: 'code', kind: 'text', pattern: '^[A-Z]+$', default: 'abc' })],
    ['a default under minLength', field({ name: 'code', kind: 'text', minLength: 3, default: 'ab' })],
    [
      'a datetime default after max',
      field({ name: 'seen', kind: 'datetime', max: '2020-01-01T00:00:00Z', default: '2021-01-01T00:00:00Z' }),
    ],
    [
      'a multienum default outside the values',
      field({ name: 'tags', kind: 'multienum', values: [{ value: 'a', label: label('A') }], default: ['b'] }),
    ],
  ])('refuses %s', (_what, f) => {
    const { problems } = problemsFor(f);
    expect(problems).toEqual([expect.objectContaining({ pointer: '/fields/3/default', rule: 'field.invalid_default' })]);
  });

  it('refuses a pattern that does not compile, with its parse error', () => {
    const { file, problems } = problemsFor(field({ name: 'code', kind: 'text', pattern: '([a-z' }));
    expect(problems).toEqual([
      expect.objectContaining({
        file,
        pointer: '/fields/3/pattern',
        rule: 'field.invalid_pattern',
        message: expect.stringMatching(/^pattern does not compile: Invalid regular expression: .*/),
      }),
    ]);
  });

  it('accepts enum values that are any non-empty text, spaces included (#18: "Real Estate")', () => {
    const values = [
      { value: 'Real Estate', label: label('Real estate') },
      { value: 'Bäckerei / Café', label: label('Bakery') },
    ];
    expect(accepted(field({ name: 'industry', kind: 'enum', values, default: 'Real Estate' }))).not.toThrow();
    const { problems } = problemsFor(field({ name: 'industry', kind: 'enum', values: [{ value: '', label: label('None') }] }));
    expect(problems).toEqual([expect.objectContaining({ pointer: '/fields/3/values/0/value', rule: 'schema.minLength' })]);
  });

  it('checks a valueMap: only values that are gone, mapped to values that exist', () => {
    const values = [
      { value: 'new', label: label('New') },
      { value: 'won', label: label('Won') },
    ];
    expect(accepted(field({ name: 'stage', kind: 'enum', values, valueMap: { open: 'new', 'closed won': 'won' } }))).not.toThrow();
    const { problems } = problemsFor(field({ name: 'stage', kind: 'enum', values, valueMap: { new: 'won', open: 'lost' } }));
    expect(problems).toEqual([
      expect.objectContaining({ pointer: '/fields/3/valueMap/new', rule: 'field.value_map_current' }),
      expect.objectContaining({ pointer: '/fields/3/valueMap/open', rule: 'field.value_map_target' }),
    ]);
  });
});

describe('loadModel: index rules', () => {
  function withIndex(
    index: Record<string, unknown>,
    mutate: (p: PackSource) => void = () => undefined,
  ): { file: string; problems: MetadataProblem[] } {
    const { written, problems } = breakBase((p) => {
      mutate(p);
      loosen(entityOf(p, 'account')).indexes = [
        ...(entityOf(p, 'account').indexes ?? []),
        { id: 'base.account.extra', name: 'extra', ...index },
      ];
    });
    return { file: written.entityFile('account'), problems };
  }

  it('reports an index key that is not a field', () => {
    const { file, problems } = withIndex({ fields: ['name', '-nope'] });
    expect(problems).toEqual([
      expect.objectContaining({
        file,
        pointer: '/indexes/1/fields/1',
        rule: 'index.unknown_field',
        message: "'nope' is not a field of this entity",
      }),
    ]);
  });

  it('accepts system columns as index keys', () => {
    const pack = basePack();
    entityOf(pack, 'account').indexes?.push({ id: 'x', name: 'recent', fields: ['-created_at', 'id'] });
    expect(() => loadModel([write(pack).dir], { kinds: BUILTIN_RULES.kinds })).not.toThrow();
  });

  it('keys an index on a score by its points, not its band or explanation', () => {
    const pack = basePack();
    const account = entityOf(pack, 'account');
    account.fields.push(
      field({
        name: 'rating',
        kind: 'score',
        scoring: { criteria: [{ id: 'c', label: label('Named'), when: { '!=': [{ var: 'name' }, null] }, points: 10 }] },
      }),
    );
    account.indexes?.push({ id: 'x', name: 'by_rating', fields: ['-rating', 'id'] });
    const model = loadModel([write(pack).dir], { kinds: BUILTIN_RULES.kinds });
    const index = model.entities.find((e) => e.name === 'account')?.indexes.find((i) => i.key === 'index#x');
    expect(index?.keys).toEqual([
      { column: 'rating', descending: true },
      { column: 'id', descending: false },
    ]);
  });

  it.each([
    ['json', field({ name: 'settings', kind: 'json' }), 'a json field cannot be an index key'],
    [
      'multienum',
      field({ name: 'tags', kind: 'multienum', values: [{ value: 'a', label: label('A') }] }),
      'a multienum field cannot be an index key',
    ],
    [
      'manyToMany',
      field({ name: 'partners', kind: 'relation', target: 'account', cardinality: 'manyToMany' }),
      'a relation manyToMany field cannot be an index key',
    ],
  ])('reports an unindexable key (%s)', (_what, f, message) => {
    const { file, problems } = withIndex({ fields: [f.name] }, (p) => {
      entityOf(p, 'account').fields.push(f);
    });
    expect(problems).toEqual([expect.objectContaining({ file, pointer: '/indexes/1/fields/0', rule: 'index.unindexable_field', message })]);
  });

  it('reports two indexes with one name', () => {
    const { file, problems } = withIndex({ name: 'by_tier', fields: ['name'] });
    expect(problems).toEqual([
      expect.objectContaining({
        file,
        pointer: '/indexes/1/name',
        rule: 'index.duplicate_name',
        message: "index 'by_tier' is declared twice",
      }),
    ]);
  });

  it('reports two indexes with one id', () => {
    const { file, problems } = withIndex({ id: 'base.account.by_tier', fields: ['name'] });
    expect(problems).toEqual([expect.objectContaining({ file, pointer: '/indexes/1/id', rule: 'index.duplicate_id' })]);
  });

  it('reports a partial-index condition on an unknown field', () => {
    const { file, problems } = withIndex({ fields: ['name'], where: { '==': [{ var: 'status' }, 'open'] } });
    expect(problems).toEqual([
      expect.objectContaining({
        file,
        pointer: '/indexes/1/where',
        rule: 'index.unknown_field',
        message: "condition refers to 'status', which is not a field of this entity",
      }),
    ]);
  });

  it('reports a partial-index condition that follows a relation', () => {
    const { file, problems } = withIndex({ fields: ['name'], where: { '==': [{ var: 'parent.name' }, 'Acme'] } });
    expect(problems).toEqual([
      expect.objectContaining({
        file,
        pointer: '/indexes/1/where',
        rule: 'index.relation_path',
        message: expect.stringContaining("'parent.name'"),
      }),
    ]);
  });

  it('accepts a partial-index condition on own and system columns', () => {
    const pack = basePack();
    entityOf(pack, 'account').indexes?.push({
      id: 'x',
      name: 'gold',
      fields: ['name'],
      where: { and: [{ '==': [{ var: 'tier' }, 'gold'] }, { '==': [{ var: 'deleted_at' }, null] }] },
    });
    expect(() => loadModel([write(pack).dir], { kinds: BUILTIN_RULES.kinds })).not.toThrow();
  });
});

describe('loadModel: all problems at once', () => {
  it('reports three different problems in one pass', () => {
    const pack = basePack();
    entityOf(pack, 'contact').fields.push(field({ name: 'select', kind: 'text' }));
    (entityOf(pack, 'account').fields[3] as FieldFileSpec).scale = 20;
    entityOf(pack, 'account').indexes?.push({ id: 'x', name: 'by_nothing', fields: ['nothing'] });
    const written = write(pack);
    const problems = problemsOf([written.dir]);
    expect(problems).toHaveLength(3);
    expect(problems.map((p) => [p.file, p.pointer, p.rule]).sort()).toEqual([
      [written.entityFile('account'), '/fields/3/scale', 'field.scale_exceeds_precision'],
      [written.entityFile('account'), '/indexes/1/fields/0', 'index.unknown_field'],
      [written.entityFile('contact'), '/fields/3/name', 'name.reserved_word'],
    ]);
  });

  it('reports schema problems of several files together with cross-reference problems', () => {
    const pack = basePack();
    loosen(pack.manifest).homepage = 'https://example.com';
    entityOf(pack, 'account').fields.push(field({ name: 'score', kind: 'decimal', precision: 2, scale: 4 }));
    const written = write(pack, { rawFiles: { 'entities/zz_broken.json': '[' } });
    const rules = problemsOf([written.dir])
      .map((p) => p.rule)
      .sort();
    // The manifest is invalid, so its entities are not cross-checked; the broken file is still reported.
    expect(rules).toEqual(['file.invalid_json', 'schema.additionalProperties']);
  });

  it('does not blame other entities for a schema error in a relation target (issue 2: follow-on errors)', () => {
    // account.json fails the meta-schema; contact points at account, which does exist in the pack.
    const pack = basePack();
    loosen(entityOf(pack, 'account')).colour = 'red';
    const written = write(pack);
    expect(problemsOf([written.dir])).toEqual([
      expect.objectContaining({ file: written.entityFile('account'), rule: 'schema.additionalProperties' }),
    ]);
  });

  it('groups problems of several packs', () => {
    const other: PackSource = {
      manifest: { name: 'other', version: '1.0.0', label: label('Other') } satisfies PackManifestSpec,
      entities: [{ id: 'other.thing', name: 'thing', label: label('Thing'), fields: [field({ name: 'limit', kind: 'integer' })] }],
    };
    const a = write(other);
    const b = write(basePack());
    const problems = problemsOf([a.dir, b.dir]);
    expect(problems).toEqual([expect.objectContaining({ pack: 'other', entity: 'thing', field: 'limit', rule: 'name.reserved_word' })]);
  });
});
