// The UI kinds as one caller may use them, in one locale: layouts and list views without the fields hidden from
// the caller, menus without the entities they may not read. /api/meta serves these; the runtime UI renders them.
import type { EntityDef, Label, Model } from '../metadata/model.js';
import { isMenuGroup, type MenuItemDef } from '../metadata/ui-model.js';
import { layoutOf, listViewsOf } from '../forms/ui-defaults.js';
import type { Access } from '../security/access.js';

const text = (label: Label | undefined, locale: string) => (label ? (label[locale] ?? label.en) : undefined);

export function layoutMeta(model: Model, entity: EntityDef, hidden: ReadonlySet<string>, access: Access, locale: string) {
  const layout = layoutOf(model, entity);
  const shown = (name: string) => !hidden.has(name);
  return {
    id: layout.id,
    generated: layout.file === undefined,
    highlights: layout.highlights.filter(shown),
    actions: layout.actions,
    tabs: layout.tabs
      .map((tab) => ({
        name: tab.name,
        label: text(tab.label, locale),
        sections: tab.sections
          .map((s) => ({
            name: s.name,
            label: text(s.label, locale) ?? null,
            columns: s.columns,
            collapsed: s.collapsed,
            fields: s.fields.filter(shown),
          }))
          .filter((s) => s.fields.length > 0),
        relatedLists: tab.relatedLists.flatMap((r) => {
          const inverse = entity.inverses.find((i) => i.name === r.relation);
          if (!inverse || !access.can(inverse.sourceEntity, 'read') || access.field(inverse.sourceEntity, inverse.sourceField) === 'hidden')
            return [];
          const source = model.entitiesByName[inverse.sourceEntity];
          const columns = r.columns ?? (source ? listViewsOf(model, source)[0]?.columns.map((c) => c.field) : undefined) ?? [];
          return [
            {
              relation: r.relation,
              label: text(r.label ?? inverse.label, locale),
              entity: inverse.sourceEntity,
              field: inverse.sourceField,
              columns: columns.filter((c) => access.field(inverse.sourceEntity, c) !== 'hidden' && c !== inverse.sourceField),
              limit: r.limit,
            },
          ];
        }),
      }))
      .filter((tab) => tab.sections.length + tab.relatedLists.length > 0),
  };
}

/**
 * The transition that completes a task, with the state field it moves: the page offers it where the caller's
 * transitions for the record's state include it (entity-meta.ts). None when the field is hidden from the caller.
 */
function doneMeta(
  entity: EntityDef,
  done: string | undefined,
  hidden: ReadonlySet<string>,
): { done?: { field: string; transition: string } } {
  const field = done === undefined ? undefined : entity.fields.find((f) => f.transitions?.allowed.some((t) => t.name === done));
  return field && done !== undefined && !hidden.has(field.name) ? { done: { field: field.name, transition: done } } : {};
}

export function listViewsMeta(model: Model, entity: EntityDef, hidden: ReadonlySet<string>, locale: string) {
  return listViewsOf(model, entity).map((v) => ({
    name: v.name,
    label: text(v.label, locale),
    isDefault: v.isDefault,
    columns: v.columns.filter((c) => !hidden.has(c.field)),
    // A hidden field can be neither sorted nor filtered on by this caller: such a key is left out.
    sort: v.sort.filter((s) => !hidden.has(s.replace(/^-/, '').split('.')[0] ?? '')),
    ...(v.filter !== undefined ? { filter: v.filter } : {}),
    // A total of a field hidden from the caller would tell what the field hides.
    ...(v.footer?.length ? { footer: v.footer.filter((f) => f.field === undefined || !hidden.has(f.field)) } : {}),
    // A calendar or task list dated by hidden fields cannot be shown to this caller.
    ...(v.calendar && !hidden.has(v.calendar.date)
      ? { calendar: { date: v.calendar.date, ...(v.calendar.title && !hidden.has(v.calendar.title) ? { title: v.calendar.title } : {}) } }
      : {}),
    ...(v.myTasks && !hidden.has(v.myTasks.owner) && v.myTasks.dates.some((d) => !hidden.has(d))
      ? {
          myTasks: {
            owner: v.myTasks.owner,
            dates: v.myTasks.dates.filter((d) => !hidden.has(d)),
            ...doneMeta(entity, v.myTasks.done, hidden),
          },
        }
      : {}),
    // A board grouped by a hidden field cannot be shown to this caller: it becomes a plain list.
    ...(v.board && !hidden.has(v.board.groupBy)
      ? { board: { groupBy: v.board.groupBy, cardFields: v.board.cardFields.filter((c) => !hidden.has(c)) } }
      : {}),
  }));
}

interface MenuItemMeta {
  name: string;
  label: string | null;
  icon: string | null;
  entity?: string;
  view?: string | null;
  page?: string;
  dashboard?: string;
}
type MenuEntryMeta = MenuItemMeta | { group: string; label: string | null; items: MenuItemMeta[] };

function itemMeta(model: Model, item: MenuItemDef, access: Access, locale: string): MenuItemMeta[] {
  const base = { name: item.name, icon: item.icon ?? null };
  if (item.entity) {
    const e = model.entitiesByName[item.entity];
    if (!e || !access.can(e.name, 'read')) return [];
    return [{ ...base, label: text(item.label ?? e.pluralLabel, locale) ?? null, entity: e.name, view: item.view ?? null }];
  }
  if (item.dashboard) {
    const d = model.ui?.dashboards.find((x) => x.name === item.dashboard);
    return [{ ...base, label: text(item.label ?? d?.label, locale) ?? null, dashboard: item.dashboard }];
  }
  return [{ ...base, label: text(item.label, locale) ?? null, ...(item.page ? { page: item.page } : {}) }];
}

/** Apps in switcher order, each with the menu entries the caller may open; an app left empty is left out. */
export function appsMeta(model: Model, access: Access, locale: string) {
  return (model.ui?.apps ?? []).flatMap((app) => {
    const menu = app.menu.flatMap((entry): MenuEntryMeta[] => {
      if (!isMenuGroup(entry)) return itemMeta(model, entry, access, locale);
      const items = entry.items.flatMap((item) => itemMeta(model, item, access, locale));
      return items.length ? [{ group: entry.group, label: text(entry.label, locale) ?? null, items }] : [];
    });
    if (!menu.some((m) => 'group' in m || m.entity !== undefined)) return [];
    return [{ name: app.name, label: text(app.label, locale), icon: app.icon ?? null, menu }];
  });
}

/** The record overviews of an entity (overview.schema.json), each with the sections the caller may read. */
export function overviewsMeta(model: Model, entity: EntityDef, access: Access, locale: string) {
  return (model.ui?.overviews ?? [])
    .filter((o) => o.entity === entity.name)
    .map((o) => ({
      name: o.name,
      label: text(o.label, locale),
      sections: o.sections
        .filter((s) => access.can(s.entity, 'read'))
        .map((s) => ({
          name: s.name,
          label: text(s.label ?? model.entitiesByName[s.entity]?.pluralLabel, locale) ?? s.name,
          entity: s.entity,
          columns: s.columns.filter((c) => access.field(s.entity, c) !== 'hidden'),
          totals: s.totals.filter((c) => access.field(s.entity, c) !== 'hidden'),
        })),
    }))
    .filter((o) => o.sections.length > 0);
}
