// The forms of the fixture packs, per entity: buildRecordSchemas (read, create, update) and the default rjsf
// uiSchema in English and Chinese. Golden files; a change to one is a change to what the designer and the
// runtime UI render, and to what the API validates: review it as one.
import { homedir, tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRecordSchemas } from '../../../../engine/src/forms/record-schemas.js';
import { buildDefaultUiSchema } from '../../../../engine/src/forms/ui-schema.js';
import { loadModel } from '../../../../engine/src/metadata/load-model.js';
import { BUILTIN_RULES } from '../../../support/builtin-rules.js';

const CORE = 'metadata/packs/core';
const FIXTURES = 'tests/fixtures/packs';

/** Golden name -> pack folders (core first; security-demo requires api-demo). */
const PACKS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['api-demo', [CORE, `${FIXTURES}/api-demo`]],
  ['sales', [CORE, `${FIXTURES}/sales`]],
  ['security-demo', [CORE, `${FIXTURES}/api-demo`, `${FIXTURES}/security-demo`]],
];

const LOCALES = ['en', 'zh-CN'] as const;

/** Every entity of the Model (core's too: other packs add inverse relations to them), in Model order. */
function formsOf(dirs: readonly string[]): string {
  const model = loadModel(
    dirs.map((d) => resolve(d)),
    { kinds: BUILTIN_RULES.kinds },
  );
  const kinds = BUILTIN_RULES.kinds;
  const forms = Object.fromEntries(
    model.entities.map((e) => [
      e.name,
      {
        pack: e.pack,
        schemas: buildRecordSchemas(e, kinds),
        uiSchema: Object.fromEntries(LOCALES.map((locale) => [locale, buildDefaultUiSchema(e, kinds, locale)])),
      },
    ]),
  );
  return JSON.stringify(forms, null, 2) + '\n';
}

describe.each(PACKS)('forms of %s', (name, dirs) => {
  const text = formsOf(dirs);

  it('match the golden file', async () => {
    await expect(text).toMatchFileSnapshot(`__golden__/${name}.forms.json`);
  });

  it('hold nothing of the machine they were built on, and the same packs give the same text', () => {
    for (const local of [process.cwd(), resolve(CORE), tmpdir(), homedir()]) expect(text).not.toContain(local);
    expect(formsOf(dirs)).toBe(text);
  });
});
