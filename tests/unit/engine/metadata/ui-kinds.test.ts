// The UI kinds (layouts, list views, apps): compiled with their defaults, generated when a pack has none, and
// every broken reference reported with its file, JSON pointer and rule.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../../../engine/src/metadata/load-model.js';
import { MetadataError, type MetadataProblem } from '../../../../engine/src/metadata/metadata-problem.js';
import type { Model } from '../../../../engine/src/metadata/model.js';
import { layoutOf, listViewsOf } from '../../../../engine/src/forms/ui-defaults.js';
import { basePack, makeTempDir, removeDir, writePackSource } from '../../../support/pack-builder.js';
import { BUILTIN_RULES } from '../../../support/builtin-rules.js';

const root = makeTempDir('tessera-ui-');
afterAll(() => removeDir(root));
let counter = 0;

type Docs = Partial<Record<'layouts' | 'list-views' | 'apps', Record<string, unknown>>>;

/** The base pack (account, contact with inverse 'contacts') plus the given UI files; returns the pack folder. */
function writeUi(docs: Docs): string {
  counter += 1;
  const dir = writePackSource(join(root, String(counter), 'base'), basePack());
  for (const [folder, files] of Object.entries(docs)) {
    mkdirSync(join(dir, folder), { recursive: true });
    for (const [name, doc] of Object.entries(files)) writeFileSync(join(dir, folder, name), JSON.stringify(doc));
  }
  return dir;
}

function load(docs: Docs): Model {
  return loadModel([writeUi(docs)], { kinds: BUILTIN_RULES.kinds });
}

function problems(docs: Docs): { dir: string; found: Array<Pick<MetadataProblem, 'file' | 'pointer' | 'rule'>> } {
  const dir = writeUi(docs);
  try {
    loadModel([dir], { kinds: BUILTIN_RULES.kinds });
  } catch (e) {
    if (e instanceof MetadataError) return { dir, found: e.problems.map(({ file, pointer, rule }) => ({ file, pointer, rule })) };
    throw e;
  }
  throw new Error('expected problems, but the pack loaded');
}

const label = (en: string) => ({ en, 'zh-CN': `${en}（中文）` });
const layout = (extra: Record<string, unknown> = {}) => ({
  id: 'base.layout.account',
  entity: 'account',
  highlights: ['tier'],
  tabs: [
    { name: 'main', label: label('Main'), sections: [{ name: 'basic', label: label('Basic'), fields: ['name', 'code', 'tier'] }] },
    { name: 'related', label: label('Related'), relatedLists: [{ relation: 'contacts', columns: ['full_name', 'email'] }] },
  ],
  ...extra,
});
const view = (extra: Record<string, unknown> = {}) => ({
  id: 'base.view.account.all',
  name: 'all_accounts',
  entity: 'account',
  label: label('All accounts'),
  default: true,
  columns: ['name', { field: 'tier', width: 120 }, 'created_at'],
  sort: ['-revenue'],
  filter: { '==': [{ var: 'tier' }, 'gold'] },
  ...extra,
});
const app = (extra: Record<string, unknown> = {}) => ({
  id: 'base.app.sales',
  name: 'sales',
  label: label('Sales'),
  menu: [
    { name: 'home', page: 'home' },
    { group: 'crm', label: label('CRM'), items: [{ name: 'accounts', entity: 'account', view: 'all_accounts' }] },
  ],
  ...extra,
});

describe('UI kinds compile', () => {
  it('fills in the defaults of layouts, list views and apps', () => {
    const model = load({
      layouts: { 'account.json': layout() },
      'list-views': {
        'account.all.json': view(),
        'account.board.json': view({ id: 'b', name: 'by_tier', default: false, board: { groupBy: 'tier' } }),
      },
      apps: { 'sales.json': app({ order: 5 }), 'admin.json': app({ id: 'base.app.admin', name: 'admin', label: label('Admin') }) },
    });
    const account = model.entitiesByName.account!;
    const l = layoutOf(model, account);
    expect(l).toMatchObject({ id: 'base.layout.account', pack: 'base', highlights: ['tier'], actions: [] });
    expect(l.tabs[0]!.sections[0]).toEqual({
      name: 'basic',
      label: label('Basic'),
      columns: 2,
      collapsed: false,
      fields: ['name', 'code', 'tier'],
    });
    expect(l.tabs[1]!.relatedLists).toEqual([{ relation: 'contacts', columns: ['full_name', 'email'], limit: 20 }]);
    expect(listViewsOf(model, account)[0]).toMatchObject({
      name: 'all_accounts',
      isDefault: true,
      columns: [{ field: 'name' }, { field: 'tier', width: 120 }, { field: 'created_at' }],
      sort: ['-revenue'],
      filter: { '==': [{ var: 'tier' }, 'gold'] },
    });
    expect(listViewsOf(model, account)[1]).toMatchObject({ name: 'by_tier', board: { groupBy: 'tier', cardFields: [] } });
    // Switcher order: by `order` (default 100), then name.
    expect(model.ui?.apps.map((a) => a.name)).toEqual(['sales', 'admin']);
  });

  it('generates a layout and a list view for an entity the packs give none', () => {
    const model = load({});
    const account = model.entitiesByName.account!;
    const l = layoutOf(model, account);
    expect(l.file).toBeUndefined();
    expect(l.tabs.map((t) => t.name)).toEqual(['details', 'related']);
    expect(l.tabs[0]!.sections[0]!.fields).toEqual(['name', 'code', 'tier', 'revenue', 'parent']);
    expect(l.tabs[1]!.relatedLists.map((r) => r.relation)).toEqual(expect.arrayContaining(['contacts']));
    const views = listViewsOf(model, account);
    expect(views).toHaveLength(1);
    expect(views[0]).toMatchObject({ name: 'all', isDefault: true, sort: ['-created_at'] });
    expect(views[0]!.columns[0]).toEqual({ field: 'name' });
  });

  it('changes the Model hash when a layout changes, and keeps it for packs without UI documents', () => {
    const a = load({ layouts: { 'account.json': layout() } });
    const b = load({ layouts: { 'account.json': layout({ highlights: ['code'] }) } });
    const none = load({});
    expect(a.hash).not.toBe(b.hash);
    expect(none.hash).toBe(loadModel([writeUi({})], { kinds: BUILTIN_RULES.kinds }).hash);
  });
});

describe('UI kinds report problems as file#pointer [rule]', () => {
  it('checks each document against its meta-schema', () => {
    const { dir, found } = problems({ layouts: { 'account.json': layout({ colour: 'red' }) }, apps: { 'sales.json': app({ menu: [] }) } });
    expect(found).toEqual(
      expect.arrayContaining([
        {
          file: expect.stringContaining(join(dir, 'layouts', 'account.json').slice(-40)),
          pointer: '/colour',
          rule: 'schema.additionalProperties',
        },
        { file: expect.stringContaining('apps/sales.json'), pointer: '/menu', rule: 'schema.minItems' },
      ]),
    );
  });

  it('names unknown fields, relations, duplicates in layouts', () => {
    const bad = layout();
    bad.tabs[0]!.sections!.push({ name: 'again', label: label('Again'), fields: ['nope', 'name'] });
    bad.tabs[1]!.relatedLists![0]!.relation = 'orders';
    const { found } = problems({ layouts: { 'account.json': bad, 'again.json': layout({ id: 'base.layout.again' }) } });
    expect(found).toEqual(
      expect.arrayContaining([
        { file: expect.stringMatching(/layouts\/account\.json$/), pointer: '/tabs/0/sections/1/fields/0', rule: 'layout.unknown_field' },
        { file: expect.stringMatching(/layouts\/account\.json$/), pointer: '/tabs/0/sections/1/fields/1', rule: 'layout.duplicate_field' },
        {
          file: expect.stringMatching(/layouts\/account\.json$/),
          pointer: '/tabs/1/relatedLists/0/relation',
          rule: 'layout.unknown_relation',
        },
        { file: expect.stringMatching(/layouts\/again\.json$/), pointer: '/entity', rule: 'layout.duplicate' },
      ]),
    );
  });

  it('names unknown columns, sort keys, entities, transitions and duplicate defaults in list views', () => {
    const { found } = problems({
      'list-views': {
        'a.json': view({ columns: ['name', 'missing'], sort: ['-gone'] }),
        'b.json': view({ id: 'base.view.b', name: 'second' }),
        'c.json': view({ id: 'base.view.c', name: 'third', entity: 'invoice', default: false }),
        'd.json': view({ id: 'base.view.d', name: 'board', default: false, board: { groupBy: 'name', cardFields: ['code', 'nope'] } }),
        'e.json': view({ id: 'base.view.e', name: 'tasks', default: false, myTasks: { dates: ['name'], owner: 'code', done: 'finish' } }),
      },
    });
    expect(found).toEqual([
      { file: expect.stringMatching(/list-views\/a\.json$/), pointer: '/columns/1', rule: 'list_view.unknown_field' },
      { file: expect.stringMatching(/list-views\/a\.json$/), pointer: '/sort/0', rule: 'list_view.unknown_field' },
      { file: expect.stringMatching(/list-views\/b\.json$/), pointer: '/default', rule: 'list_view.duplicate_default' },
      { file: expect.stringMatching(/list-views\/c\.json$/), pointer: '/entity', rule: 'list_view.unknown_entity' },
      { file: expect.stringMatching(/list-views\/d\.json$/), pointer: '/board/groupBy', rule: 'list_view.board_not_enum' },
      { file: expect.stringMatching(/list-views\/d\.json$/), pointer: '/board/cardFields/1', rule: 'list_view.unknown_field' },
      // The transition that completes a task must be one of the entity's.
      { file: expect.stringMatching(/list-views\/e\.json$/), pointer: '/myTasks/done', rule: 'list_view.unknown_transition' },
    ]);
  });

  it('names menu entries whose entity or view does not exist', () => {
    const { found } = problems({
      'list-views': { 'a.json': view() },
      apps: {
        'sales.json': app({
          menu: [
            { name: 'x', entity: 'invoice' },
            { group: 'g', label: label('G'), items: [{ name: 'y', entity: 'account', view: 'nope' }] },
          ],
        }),
      },
    });
    expect(found).toEqual([
      { file: expect.stringMatching(/apps\/sales\.json$/), pointer: '/menu/0/entity', rule: 'app.unknown_entity' },
      { file: expect.stringMatching(/apps\/sales\.json$/), pointer: '/menu/1/items/0/view', rule: 'app.unknown_view' },
    ]);
  });
});
