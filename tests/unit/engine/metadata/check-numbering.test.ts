// Numbering rules in packs: each broken rule is a metadata problem naming the file, the JSON pointer and the
// rule, found by loadModel (so by `tessera validate`) before anything is published.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../../../engine/src/metadata/load-model.js';
import { MetadataError, type MetadataProblem } from '../../../../engine/src/metadata/metadata-problem.js';
import type { NumberingRule } from '../../../../engine/src/metadata/model.js';
import type { FieldFileSpec } from '../../../../engine/src/metadata/pack-spec.js';
import { basePack, entityOf, makeTempDir, removeDir, writePackSource, type PackSource } from '../../../support/pack-builder.js';
import { BUILTIN_RULES } from '../../../support/builtin-rules.js';

const root = makeTempDir('tessera-numbering-');
afterAll(() => removeDir(root));
let counter = 0;

/** The base pack with a numbered `contact.number` (and `account.region`, an enum), changed by `mutate`. */
function packWith(
  numbering: NumberingRule,
  mutate: (pack: PackSource, number: FieldFileSpec) => void = () => {},
): { dir: string; pack: PackSource } {
  const pack = basePack();
  const number: FieldFileSpec = { id: 'base.contact.number', name: 'number', kind: 'text', label: { en: 'Number' }, numbering };
  entityOf(pack, 'contact').fields.push(number);
  entityOf(pack, 'contact').fields.push({ id: 'base.contact.rank', name: 'rank', kind: 'integer', label: { en: 'Rank' } });
  entityOf(pack, 'contact').fields.push({ id: 'base.contact.extra', name: 'extra', kind: 'json', label: { en: 'Extra' } });
  mutate(pack, number);
  counter += 1;
  return { dir: writePackSource(join(root, String(counter), 'base'), pack), pack };
}

function problemsOf(dir: string): MetadataProblem[] {
  try {
    loadModel([dir], { kinds: BUILTIN_RULES.kinds });
  } catch (e) {
    if (e instanceof MetadataError) return [...e.problems];
    throw e;
  }
  return [];
}

const NUMBER_AT = '/fields/3';

describe('numbering rules that load', () => {
  it('compiles a numbered field as unique, with an index that keeps deleted rows', () => {
    const { dir } = packWith({
      pattern: '{account.code}-{YYYY}{MM}-{rank}-{seq:4}',
      reserved: ['888', '*888', '10-20'],
      timeZone: 'Asia/Shanghai',
    });
    const model = loadModel([dir], { kinds: BUILTIN_RULES.kinds });
    const contact = model.entitiesByName.contact!;
    expect(contact.fields.find((f) => f.name === 'number')).toEqual(
      expect.objectContaining({ unique: true, numbering: expect.any(Object) }),
    );
    expect(contact.indexes.find((i) => i.key === 'base.contact.number#unique')).toEqual(
      expect.objectContaining({ unique: true, liveOnly: false }),
    );
    // A plain unique field still lets a deleted record's value be used again.
    expect(model.entitiesByName.account!.indexes.find((i) => i.key === 'base.account.code#unique')?.liveOnly).toBe(true);
  });
});

describe('numbering rules that do not load', () => {
  it.each<[string, NumberingRule, string, string]>([
    ['no {seq}', { pattern: 'CT-{YYYY}' }, '/numbering/pattern', 'numbering.missing_seq'],
    ['an unclosed brace', { pattern: 'CT-{YYYY-{seq}' }, '/numbering/pattern', 'numbering.malformed_pattern'],
    ['a month without a year', { pattern: '{MM}-{seq}' }, '/numbering/pattern', 'numbering.ambiguous_period'],
    ['an unknown field', { pattern: '{region}-{seq}' }, '/numbering/pattern', 'numbering.unknown_field'],
    ['an unknown field of the parent', { pattern: '{account.nope}-{seq}' }, '/numbering/pattern', 'numbering.unknown_field'],
    ['a path through a non-relation', { pattern: '{full_name.x}-{seq}' }, '/numbering/pattern', 'numbering.not_a_relation'],
    ['a path two steps away', { pattern: '{account.parent.code}-{seq}' }, '/numbering/pattern', 'numbering.path_too_deep'],
    ['a json field', { pattern: '{extra}-{seq}' }, '/numbering/pattern', 'numbering.unusable_field'],
    ['a relation used bare', { pattern: '{account}-{seq}' }, '/numbering/pattern', 'numbering.unusable_field'],
    ['itself', { pattern: '{number}-{seq}' }, '/numbering/pattern', 'numbering.numbered_source'],
    [
      'a reserved entry with a leading zero',
      { pattern: '{seq}', reserved: ['5', '0888'] },
      '/numbering/reserved/1',
      'numbering.reserved_never_matches',
    ],
    ['a backwards range', { pattern: '{seq}', reserved: ['20-10'] }, '/numbering/reserved/0', 'numbering.reserved_never_matches'],
    ['a malformed reserved entry', { pattern: '{seq}', reserved: ['88x'] }, '/numbering/reserved/0', 'numbering.malformed_reserved'],
    [
      'endings reserving everything',
      { pattern: '{seq}', reserved: ['*0', '*1', '*2', '*3', '*4', '*5', '*6', '*7', '*8', '*9'] },
      '/numbering/reserved',
      'numbering.reserves_everything',
    ],
    ['an unknown time zone', { pattern: '{YYYY}-{seq}', timeZone: 'Mars/Olympus' }, '/numbering/timeZone', 'numbering.unknown_time_zone'],
  ])('%s', (_what, numbering, pointer, rule) => {
    const { dir } = packWith(numbering);
    expect(problemsOf(dir)).toEqual([
      expect.objectContaining({
        file: join(dir, 'entities', 'contact.json'),
        pointer: `${NUMBER_AT}${pointer}`,
        rule,
        pack: 'base',
        entity: 'contact',
        field: 'number',
        message: expect.any(String),
      }),
    ]);
  });

  it('refuses a default or a pattern next to a numbering rule', () => {
    const { dir } = packWith({ pattern: '{seq}' }, (_pack, number) => {
      number.default = 'X';
      number.pattern = '^X$';
    });
    expect(problemsOf(dir).map((p) => [p.pointer, p.rule])).toEqual([
      [`${NUMBER_AT}/default`, 'numbering.conflicting_option'],
      [`${NUMBER_AT}/pattern`, 'numbering.conflicting_option'],
    ]);
  });

  it('refuses numbering on kinds other than text', () => {
    const { dir } = packWith({ pattern: '{seq}' }, (pack) => {
      entityOf(pack, 'contact').fields.push({ id: 'c.n', name: 'n', kind: 'email', label: { en: 'N' }, numbering: { pattern: '{seq}' } });
    });
    expect(problemsOf(dir).map((p) => [p.pointer, p.rule])).toEqual([['/fields/6/numbering', 'field.option_not_allowed']]);
  });

  it('refuses a rule without a pattern (meta-schema)', () => {
    const { dir } = packWith({} as NumberingRule);
    expect(problemsOf(dir).map((p) => [p.pointer, p.rule])).toEqual([[`${NUMBER_AT}/numbering/pattern`, 'schema.required']]);
  });
});
