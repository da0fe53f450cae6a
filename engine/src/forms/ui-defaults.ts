// An entity's layout and list views: the packs' own, or generated ones so that every entity has a usable record
// page and list. Pure functions of the Model; /api/meta serves their result (after the caller's field masks).
import type { EntityDef, Model } from '../metadata/model.js';
import type { LayoutDef, LayoutSectionDef, ListViewDef } from '../metadata/ui-model.js';

/** Kinds that read badly in a grid cell or a half-width form column. */
const WIDE_KINDS = new Set(['longtext', 'json']);
const GENERATED_COLUMNS = 6;

function generatedLayout(entity: EntityDef): LayoutDef {
  const fields = entity.fields.filter((f) => f.cardinality !== 'manyToMany' || f.target);
  const main = fields.filter((f) => !WIDE_KINDS.has(f.kind)).map((f) => f.name);
  const wide = fields.filter((f) => WIDE_KINDS.has(f.kind)).map((f) => f.name);
  const sections: LayoutSectionDef[] = [
    { name: 'main', columns: 2, collapsed: false, fields: main },
    ...(wide.length ? [{ name: 'more', columns: 1, collapsed: false, fields: wide }] : []),
  ].filter((s) => s.fields.length > 0);
  return {
    id: `${entity.id}#layout`,
    entity: entity.name,
    pack: entity.pack,
    highlights: [],
    actions: [],
    tabs: [
      { name: 'details', label: { en: 'Details', 'zh-CN': '详细信息' }, sections, relatedLists: [] },
      ...(entity.inverses.length
        ? [
            {
              name: 'related',
              label: { en: 'Related', 'zh-CN': '相关' },
              sections: [],
              relatedLists: entity.inverses.map((i) => ({ relation: i.name, limit: 20 })),
            },
          ]
        : []),
    ],
  };
}

function generatedListView(entity: EntityDef): ListViewDef {
  const title = entity.titleField ? [entity.titleField] : [];
  const others = entity.fields
    .filter((f) => !WIDE_KINDS.has(f.kind) && f.cardinality !== 'manyToMany' && f.name !== entity.titleField)
    .map((f) => f.name);
  return {
    id: `${entity.id}#all`,
    name: 'all',
    entity: entity.name,
    pack: entity.pack,
    label: { en: `All ${entity.pluralLabel.en.toLowerCase()}`, 'zh-CN': `全部${entity.pluralLabel['zh-CN'] ?? entity.pluralLabel.en}` },
    isDefault: true,
    columns: [...title, ...others].slice(0, GENERATED_COLUMNS).map((field) => ({ field })),
    sort: ['-created_at'],
  };
}

export function layoutOf(model: Model, entity: EntityDef): LayoutDef {
  return model.ui?.layouts.find((l) => l.entity === entity.name) ?? generatedLayout(entity);
}

/** The entity's list views, its default first; an entity without any gets one of all its records. */
export function listViewsOf(model: Model, entity: EntityDef): ListViewDef[] {
  const declared = (model.ui?.listViews ?? []).filter((v) => v.entity === entity.name);
  if (declared.length === 0) return [generatedListView(entity)];
  const first = declared.find((v) => v.isDefault) ?? declared[0];
  return [...declared].sort((a, b) => Number(b === first) - Number(a === first));
}
